// Placeholder shell until the candidate flow lands: shows that the UI reaches the station.
import { useEffect, useState } from 'react';
import type { StationApi, StationOutput } from '../src-shared/station-api.ts';

export function App({ station }: { station: StationApi }) {
  const [status, setStatus] = useState<StationOutput<'getStatus'> | string>('…');
  useEffect(() => {
    station.getStatus({}).then(setStatus, (error: Error) => setStatus(error.message));
  }, [station]);
  return (
    <main>
      <h1>Exam Station</h1>
      <p data-testid="station-status">{typeof status === 'string' ? status : `${status.role} · schema ${status.schemaVersion}`}</p>
    </main>
  );
}
