// The renderer's entry: one station client for the whole UI, chosen by where the page runs.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { defaultStationClient } from './station/page-client.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App station={defaultStationClient()} />
  </StrictMode>,
);
