import { runServer } from './run-server';

void runServer({ api: true, worker: false });
