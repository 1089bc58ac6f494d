// The station process as an Electron utility process (Chromium's service model: its own process,
// ended with the app), in the shape the supervisor starts any station process.
import { utilityProcess } from 'electron';
import type { SpawnStation } from '../host/supervisor.ts';
import type { FromStation } from '../host/protocol.ts';

export function utilityStation(entry: string, env: Record<string, string | undefined>): SpawnStation {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Exam Station station', env: { ...process.env, ...env }, stdio: 'inherit' });
    return {
      post: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromStation)),
      onExit: (listener) => child.on('exit', (code: number) => listener(code, null)),
      kill: () => void child.kill(),
      get pid() {
        return child.pid;
      },
    };
  };
}
