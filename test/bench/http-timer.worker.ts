/**
 * The search bench's HTTP client, in its own thread: timed in the server's event loop, a request would also
 * wait for the client's own work (building the request, parsing the response), which is not the server's cost.
 * One keep-alive connection, as a browser or an API client holds one; requests one at a time.
 *
 * workerData: { base, paths, runs }. Each path is asked once to warm up, then `runs` rounds over every path
 * (a path is not timed twice in a row); posts back the milliseconds of each timed request.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { base, paths, runs } = workerData as { base: string; paths: string[]; runs: number };
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve()
          : reject(new Error(`GET ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<number[]> {
  for (const path of paths) await get(path);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const path of paths) {
      const start = process.hrtime.bigint();
      await get(path);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  agent.destroy();
  return times;
}

main().then(
  (times) => parentPort!.postMessage({ times }),
  (error: Error) => parentPort!.postMessage({ error: error.message }),
);
