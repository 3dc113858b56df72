import { runServer } from '@app/api';

export function serveCommand(role: 'all' | 'api' | 'worker'): Promise<void> {
  return runServer({ api: role !== 'worker', worker: role !== 'api' });
}
