import { runServer } from '../server';

export function serveCommand(role: 'all' | 'api' | 'worker'): Promise<void> {
  return runServer({ api: role !== 'worker', worker: role !== 'api' });
}
