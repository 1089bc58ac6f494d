// The station client for the whole UI, handed down through React context (one typed StationApi; the
// transport underneath is IPC, HTTP, or a test's in-memory implementation).
import { createContext, useContext } from 'react';
import type { StationApi } from '../../src-shared/contracts/station-api.ts';

export const StationContext = createContext<StationApi | null>(null);

export function useStation(): StationApi {
  const station = useContext(StationContext);
  if (!station) throw new Error('useStation outside <StationContext>');
  return station;
}
