import { Client, type QueryResult } from 'pg';

type QueryCallback = (error: Error | null, result?: QueryResult) => void;

/**
 * pg's Client, except that a query asked for without a callback (TypeORM's and `runPrepared`'s way) is run in pg's
 * callback form and answered with a promise of our own.
 *
 * Why: with pg 8.23 on Node 20, the results of a query run in pg's own promise form outlive the young-generation
 * collections that follow it, though nothing refers to them, and are freed only by a full collection. Every row
 * read was therefore copied twice and moved to the old generation: 41 kB of old space per 51-row query, scavenges
 * of 3–7 ms, and a full collection every few hundred queries. In the callback form the same queries leave about
 * 0.5 kB each. `pg-client.spec.ts` measures both. Which of pg's objects holds on is not known; the difference is
 * only whether the callback is given to pg or set on its query afterwards.
 */
export class CallbackQueryClient extends Client {}

/** Client#query: as pg's, with the promise made here around pg's callback form. */
function queryInCallbackForm(this: Client, ...args: unknown[]): unknown {
  const [config, values, callback] = args;
  const run = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
  const given =
    typeof values === 'function' ||
    typeof callback === 'function' ||
    typeof (config as { callback?: unknown } | null)?.callback === 'function' ||
    typeof (config as { submit?: unknown } | null)?.submit === 'function';
  if (given) return run.apply(this, args);
  let settle!: QueryCallback;
  const answer = new Promise<QueryResult>((resolve, reject) => {
    settle = (error, result) => (error ? reject(error) : resolve(result!));
  });
  // pg copies the config before setting the callback on it: one the caller uses again stays theirs
  run.call(this, config, values, settle);
  // as pg does: the stack of an error leads back to the caller, not to the socket's read
  return answer.catch((error: Error) => {
    Error.captureStackTrace(error);
    throw error;
  });
}

// pg's overloads of query are many: replaced on the prototype, with the arguments passed on as they came
Object.assign(CallbackQueryClient.prototype, { query: queryInCallbackForm });
