import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { canonicalSha256, sha256Hex } from '@app/core';
import { verifyEvidenceBundle } from '@app/ledger';
import { ConfigError, checkRedis, loadConfig } from '@app/config';
import { createDataSource, generateToken, insertToken, runMigrations } from '@app/persistence';
import { deleteQueueKeys } from '@app/queues';
import { KULEBA_X_POST_ID, KULEBA_X_USER, XStore, kulebaXRecords, startSandboxX } from '@app/sandbox';
import { createVerbatimApp } from '../server';

const DEMO_DATABASE = 'verbatim_demo';

interface StatementView {
  id: string;
  url: string;
  authoredAt: string;
  firstCapturedAt: string;
  account: { handle: string; displayName: string };
  versions: {
    number: number;
    capturedAt: string;
    evidenceLevel: string;
    text: string;
    record: unknown;
    recordSha256: string;
    artifacts: { role: string; mediaType: string; size: number; sha256: string; url: string }[];
  }[];
}

/**
 * The whole path with no internet: a local X-shaped server (the v2 API routes Verbatim reads) publishes the
 * Kuleba statement of 27 February 2022 as what it was, a post on X; Verbatim tracks https://x.com/DmytroKuleba
 * through that API and archives it; the demo prints what was archived, checks the hashes itself and verifies
 * the evidence bundle. It uses its own database (verbatim_demo, recreated each run).
 */
export async function demoCommand(opts: { keep?: boolean }): Promise<void> {
  let base;
  try {
    base = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(error.message);
    throw error;
  }
  const databaseUrl = await recreateDemoDatabase(base.databaseUrl);
  await checkRedis(base.redisUrl);
  // the demo's own X: the sandbox server and Verbatim share a throwaway token
  const xToken = `demo-${randomBytes(16).toString('hex')}`;
  const x = await startSandboxX(new XStore(kulebaXRecords()), { bearerToken: xToken });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    // the demo's own log key and files, apart from a real installation's
    VERBATIM_DATA_DIR: resolve(base.dataDir, 'demo'),
    VERBATIM_LOG_ORIGIN: 'demo.verbatim.local/log',
    VERBATIM_QUEUE_PREFIX: `verbatim-demo-${randomBytes(3).toString('hex')}`,
    VERBATIM_ALLOW_PRIVATE_NETWORKS: 'true',
    VERBATIM_MIN_POLL_INTERVAL_SECONDS: '1',
    VERBATIM_SCHEDULER_TICK_MS: '200',
    HOST: '127.0.0.1',
    PORT: opts.keep ? (process.env.PORT ?? '3000') : '0',
    LOG_LEVEL: 'warn',
    VERBATIM_X_API_BASE_URL: x.origin,
    VERBATIM_X_BEARER_TOKEN: xToken,
    VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
    VERBATIM_X_OEMBED_BASE_URL: x.origin,
  });

  // the URL a person copies from X; the connector reads it through the configured API base URL
  const profileUrl = `https://x.com/${KULEBA_X_USER.username}`;
  step(
    `An X-shaped API is running at ${x.origin} (VERBATIM_X_API_BASE_URL); @${KULEBA_X_USER.username} has posted ${KULEBA_X_POST_ID} on 27 February 2022.`,
  );

  // the demo stops on Ctrl+C itself: the app, the X server and its Redis keys, once each
  const app = await createVerbatimApp(config, { api: true, worker: true }, { shutdownHooks: false }).catch(
    async (error: unknown) => {
      await x.close();
      throw error;
    },
  );
  await app.listen(config.http.port, '127.0.0.1');
  const api = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const token = generateToken();
  await insertToken(app.get(DataSource), 'demo', token);
  step(`Verbatim is running at ${api} (API and workers in one process).`);

  try {
    const account = await call<{ id: string; handle: string }>(api, 'POST', '/api/v1/accounts', token, {
      url: profileUrl,
      pollIntervalSeconds: 5,
    });
    step(`Tracking @${account.handle}: POST /api/v1/accounts {"url":"${profileUrl}"}`);
    const statement = await waitForStatement(api, account.id);
    const version = statement.versions[statement.versions.length - 1];
    const response = version.artifacts.find((a) => a.role === 'response')!;
    const rawBytes = Buffer.from(await (await fetch(`${api}${response.url}`)).arrayBuffer());

    console.log('\nArchived statement (a post on X)');
    console.log(`  by          ${statement.account.displayName} (@${statement.account.handle})`);
    console.log(`  evidence    ${version.evidenceLevel}, read from the X API v2 (GET /2/users/:id/tweets)`);
    console.log(`  url         ${statement.url}`);
    console.log(`  authored    ${statement.authoredAt}`);
    console.log(`  captured    ${version.capturedAt}`);
    console.log(`  text        ${version.text}`);
    console.log(
      `  record      SHA-256 ${version.recordSha256} (RFC 8785 bytes of the record; ${canonicalSha256(version.record) === version.recordSha256 ? 'recomputed here: matches' : 'MISMATCH'})`,
    );
    console.log(
      `  raw response SHA-256 ${response.sha256}, ${response.size} bytes ${response.mediaType} (${sha256Hex(rawBytes) === response.sha256 ? 'downloaded and rehashed: matches' : 'MISMATCH'})`,
    );
    const bundlePath = await saveEvidence(api, statement.id, config.dataDir);
    const logKey = (await (await fetch(`${api}/log/key`)).text()).trim();
    const report = await verifyEvidenceBundle(readFileSync(bundlePath, 'utf8'), { logKey });
    console.log('\nEvidence bundle (verifiable offline, by anyone)');
    console.log(`  saved       ${bundlePath}`);
    console.log(`  log         ${report.origin}, entry ${report.entry ? 'in a signed checkpoint' : '?'}`);
    console.log(
      `  verified    ${report.ok ? 'yes' : `NO: ${report.failedCheck}`} (record hash, leaf, artifact bytes, inclusion proof, checkpoint signature)`,
    );
    console.log(`  check it    ./bin/verbatim verify ${bundlePath} --key '${logKey}'`);
    console.log('\nFetch them yourself');
    console.log(
      `  page        ${api}/statements/${statement.id}  (read it, cite it, verify it in the browser)`,
    );
    console.log(`  statement   ${api}/api/v1/statements/${statement.id}`);
    console.log(`  raw bytes   ${api}${response.url}`);
    console.log(`  all         ${api}/api/v1/statements`);
    console.log(`  API docs    ${api}/api/docs`);
    if (!opts.keep)
      console.log('\n(These stop with the demo: run `npm run demo -- --keep` to keep them up and browse.)');
    if (opts.keep) {
      console.log('\nThe demo keeps running (Ctrl+C to stop).');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } finally {
    await app.close();
    await x.close();
    await removeQueueKeys(config.redisUrl, config.queuePrefix);
  }
}

/** Deletes the demo's queue keys: a run leaves nothing in Redis. */
async function removeQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deleteQueueKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Waits for the version to be in a signed checkpoint, then saves its evidence bundle. */
async function saveEvidence(api: string, statementId: string, dataDir: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${api}/api/v1/statements/${statementId}/evidence`);
    if (res.status === 200) {
      const path = resolve(dataDir, `${statementId}.evidence.json`);
      writeFileSync(path, Buffer.from(await res.arrayBuffer()));
      return path;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error('the statement did not reach a signed checkpoint within 30 s');
}

function step(text: string): void {
  console.log(`• ${text}`);
}

async function call<T>(api: string, method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: unknown };
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json.message)}`);
  return json;
}

async function waitForStatement(api: string, accountId: string): Promise<StatementView> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const page = await call<{ items: { id: string }[] }>(
      api,
      'GET',
      `/api/v1/statements?accountId=${accountId}`,
      '',
    );
    if (page.items.length > 0)
      return call<StatementView>(api, 'GET', `/api/v1/statements/${page.items[0].id}`, '');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('nothing was archived within 30 s: is a worker able to reach the demo server?');
}

/** Drops and recreates verbatim_demo on the configured server, migrated; returns its URL. */
async function recreateDemoDatabase(databaseUrl: string): Promise<string> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `DATABASE_URL: cannot connect to ${admin.host} (${(error as Error).message}) — is PostgreSQL running?`,
    );
  }
  await client.query(`DROP DATABASE IF EXISTS ${DEMO_DATABASE} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  await client.end();
  const demo = new URL(databaseUrl);
  demo.pathname = `/${DEMO_DATABASE}`;
  const db = createDataSource(demo.toString(), { poolSize: 2 });
  await db.initialize();
  await runMigrations(db);
  await db.destroy();
  return demo.toString();
}
