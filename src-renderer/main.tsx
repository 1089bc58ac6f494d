// The renderer's entry: one station client for the whole UI, chosen by where the page runs.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ConsoleApp } from './console/ConsoleApp.tsx';
import { defaultStationClient } from './station/page-client.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const station = defaultStationClient();
// A hub's window is the invigilator's console; a seat's and a solo station's, the candidate's test (a
// seat's as a kiosk: its candidate comes from the hub).
// If the station cannot be asked, the candidate's app starts and says so as it always has.
void station.getStatus({}).then(
  (status) => status.role,
  () => 'solo' as const,
).then((role) => createRoot(root).render(<StrictMode>{role === 'hub' ? <ConsoleApp station={station} /> : <App station={station} kiosk={role === 'seat'} inRoom={role === 'seat'} />}</StrictMode>));
