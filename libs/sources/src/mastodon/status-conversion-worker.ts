// The worker-thread entry of status conversion: the build compiles it to status-conversion-worker.js beside the
// converter, where statusConversion() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { convertStatuses } from './status-conversion-task';

serveThreadTask(convertStatuses);
