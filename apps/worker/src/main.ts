import { runServer } from '@app/api';

void runServer({ api: false, worker: true });
