import { type NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule, configureApp, type Roles } from '@app/cli/server';
import { type VerbatimConfig } from '@app/config';
import { generateToken, insertToken } from '@app/persistence';
import { GuardedHttpClient } from '@app/sources';
import { SchedulerService } from '@app/worker';

export interface TestApp {
  app: NestExpressApplication;
  db: DataSource;
  /** a valid write token */
  token: string;
  http: () => ReturnType<typeof request>;
  /** a supertest agent with the write token set */
  write: (method: 'post' | 'patch' | 'delete', path: string) => request.Test;
  close: () => Promise<void>;
}

/**
 * The real application on a throwaway environment. Only the outside world may be replaced (the HTTP
 * client, to put a "public internet" on loopback); the database and the queues are real.
 */
export async function startTestApp(
  config: VerbatimConfig,
  options: { roles?: Roles; httpClient?: GuardedHttpClient } = {},
): Promise<TestApp> {
  const roles = options.roles ?? { api: true, worker: true };
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, roles)] });
  if (options.httpClient) builder = builder.overrideProvider(GuardedHttpClient).useValue(options.httpClient);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app, roles);
  await app.init();
  const db = app.get(DataSource);
  const token = generateToken();
  await insertToken(db, 'e2e', token);
  const server = app.getHttpServer();
  return {
    app,
    db,
    token,
    http: () => request(server),
    write: (method, path) => request(server)[method](path).set('Authorization', `Bearer ${token}`),
    close: () => app.close(),
  };
}

/** Runs one scheduler tick now instead of waiting for the timer. */
export function tick(app: TestApp): Promise<void> {
  return app.app.get(SchedulerService).tickOnce();
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** GET `path` with the body as the bytes sent (supertest parses only text and JSON itself); any status. */
export function getRaw(app: TestApp, path: string): request.Test {
  return app
    .http()
    .get(path)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** GET `path` expecting 200, with the body as the bytes sent. */
export async function getBytes(app: TestApp, path: string): Promise<{ res: request.Response; body: Buffer }> {
  const res = await getRaw(app, path).expect(200);
  return { res, body: res.body as Buffer };
}

export const ARCHIVE_TABLES = [
  'accounts',
  'statements',
  'versions',
  'version_artifacts',
  'version_history_gaps',
  'statement_sightings',
  'artifacts',
  'events',
  'capture_runs',
] as const;

/** Row counts of every archive table. */
export async function countRows(db: DataSource): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ARCHIVE_TABLES) {
    const [{ n }]: { n: string }[] = await db.query(`SELECT count(*) AS n FROM ${table}`);
    counts[table] = Number(n);
  }
  return counts;
}
