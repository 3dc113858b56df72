import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { waitFor } from './support/app';
import { freePort, startServe, stopAll, waitForExit, waitForHealth, type Role } from './support/processes';

/** The bound: a fresh single-machine install answers /health within 20 s. */
const BOOT_BOUND_MS = 20_000;
const ADMIN_TOKEN = `boot-e2e-${randomBytes(12).toString('hex')}`;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  return withClient(url, async (client) => Number((await client.query(sql, params)).rows[0].n));
}

describe('booting the built app (verbatim serve)', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
  });

  afterEach(() => stopAll());

  afterAll(async () => {
    await stopAll();
    await mastodon?.close();
    await env?.destroy();
  });

  /** A server of `role` on a port picked beforehand, answering /health. */
  async function serve(role: Role, extra: Record<string, string> = {}, name?: string) {
    const port = await freePort();
    const proc = startServe(role, env.env({ PORT: String(port), ...extra }), name);
    return { proc, port, health: () => waitForHealth(proc, port, BOOT_BOUND_MS) };
  }

  describe('the single-machine install on a database that does not exist yet', () => {
    const dbName = `verbatim_boot_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    let adminUrl: string;

    beforeAll(() => {
      const admin = new URL(env.databaseUrl);
      admin.pathname = '/postgres';
      adminUrl = admin.toString();
    });

    afterAll(async () => {
      await stopAll();
      await withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`),
      );
    });

    it('creates the database, migrates it and answers /health 200 within 20 s', async () => {
      const exists = () =>
        count(adminUrl, `SELECT count(*) AS n FROM pg_database WHERE datname = $1`, [dbName]);
      expect(await exists()).toBe(0);
      const databaseUrl = new URL(env.databaseUrl);
      databaseUrl.pathname = `/${dbName}`;

      const { proc, port, health } = await serve('all', {
        DATABASE_URL: databaseUrl.toString(),
        LOG_LEVEL: 'info',
      });
      const answer = await health();

      expect(answer.body).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } } });
      expect(proc.running()).toBe(true);
      expect(await exists()).toBe(1);
      // migrated: the archive tables are there and empty
      expect(await count(databaseUrl.toString(), `SELECT count(*) AS n FROM statements`)).toBe(0);

      // each API request is logged on one line, its credentials redacted; /health is not
      await fetch(`http://127.0.0.1:${port}/api/v1/statements?limit=1`, {
        headers: { authorization: 'Bearer not-a-real-token-but-secret' },
      });
      const requestLine = async () =>
        proc
          .output()
          .split('\n')
          .find((line) => line.includes('"url":"/api/v1/statements?limit=1"') && line.includes('"res"'));
      const line = await waitFor('the request log line', requestLine, 5000);
      expect(JSON.parse(line)).toMatchObject({
        req: { method: 'GET', headers: { authorization: '[Redacted]' } },
        res: { statusCode: expect.any(Number) },
      });
      expect(proc.output()).not.toContain('not-a-real-token-but-secret');
      expect(proc.output()).not.toContain('"url":"/health"');
    });
  });

  describe('split roles', () => {
    const externalIds: string[] = [];

    it('--role api and --role worker each start and answer /health, and only the api serves the API', async () => {
      const apiServer = await serve('api', { VERBATIM_ADMIN_TOKEN: ADMIN_TOKEN });
      const worker = await serve('worker', {}, 'worker 1');
      await Promise.all([apiServer.health(), worker.health()]);

      const apiList = await fetch(`http://127.0.0.1:${apiServer.port}/api/v1/statements`);
      expect(apiList.status).toBe(200);
      const workerList = await fetch(`http://127.0.0.1:${worker.port}/api/v1/statements`);
      expect(workerList.status).toBe(404);
      expect(apiServer.proc.running()).toBe(true);
      expect(worker.proc.running()).toBe(true);
    });

    it('two worker processes at once capture each post exactly once', async () => {
      const api = await serve('api', { VERBATIM_ADMIN_TOKEN: ADMIN_TOKEN });
      mastodon.addAccount({ username: 'presidency', displayName: 'Presidency' });
      for (let i = 0; i < 90; i++)
        externalIds.push(mastodon.publish('presidency', { content: `<p>Backfilled statement ${i}.</p>` }).id);

      const [one, two] = [await serve('worker', {}, 'worker A'), await serve('worker', {}, 'worker B')];
      await Promise.all([api.health(), one.health(), two.health()]);

      // tracked through the api-role process, with the admin token from the environment
      const created = await fetch(`http://127.0.0.1:${api.port}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ url: `${mastodon.origin}/@presidency`, pollIntervalSeconds: 1 }),
      });
      expect(created.status).toBe(201);
      const accountId = ((await created.json()) as { id: string }).id;

      const statementsOf = () =>
        count(env.databaseUrl, `SELECT count(*) AS n FROM statements WHERE account_id = $1`, [accountId]);
      await waitFor('the backfill', async () =>
        (await statementsOf()) >= externalIds.length ? true : undefined,
      );
      // new posts in bursts while both workers keep polling
      for (let burst = 0; burst < 3; burst++) {
        for (let i = 0; i < 7; i++)
          externalIds.push(
            mastodon.publish('presidency', { content: `<p>Burst ${burst} post ${i}.</p>` }).id,
          );
        await waitFor(`burst ${burst}`, async () =>
          (await statementsOf()) >= externalIds.length ? true : undefined,
        );
      }
      // a few more polls by either worker, which must find nothing new
      const [{ polls }] = await withClient(
        env.databaseUrl,
        async (c) =>
          (
            await c.query<{ polls: string }>(
              `SELECT COALESCE(sum(polls), 0) AS polls FROM capture_runs WHERE account_id = $1`,
              [accountId],
            )
          ).rows,
      );
      await waitFor('three more polls', async () => {
        const n = await count(
          env.databaseUrl,
          `SELECT COALESCE(sum(polls), 0) AS n FROM capture_runs WHERE account_id = $1`,
          [accountId],
        );
        return n >= Number(polls) + 3 ? true : undefined;
      });
      expect(one.proc.running() && two.proc.running()).toBe(true);

      await withClient(env.databaseUrl, async (c) => {
        const ids = (
          await c.query<{ external_id: string }>(`SELECT external_id FROM statements WHERE account_id = $1`, [
            accountId,
          ])
        ).rows.map((r) => r.external_id);
        expect(ids.length).toBe(externalIds.length);
        expect(new Set(ids)).toEqual(new Set(externalIds));
        const versions = Number(
          (
            await c.query(
              `SELECT count(*) AS n FROM versions v JOIN statements s ON s.id = v.statement_id WHERE s.account_id = $1`,
              [accountId],
            )
          ).rows[0].n,
        );
        expect(versions).toBe(externalIds.length);
        const events = (
          await c.query<{ type: string; n: string }>(
            `SELECT type, count(*) AS n FROM events WHERE account_id = $1 GROUP BY type`,
            [accountId],
          )
        ).rows.map((r) => ({ type: r.type, n: Number(r.n) }));
        expect(events).toEqual([{ type: 'statement.created', n: externalIds.length }]);
      });
    });
  });

  describe('bad settings fail fast, saying what to fix', () => {
    async function failedStart(extra: Record<string, string>) {
      const port = await freePort();
      const proc = startServe('all', env.env({ PORT: String(port), ...extra }));
      const exit = await waitForExit(proc, 30_000);
      return { exit, output: proc.output() };
    }

    it('REDIS_URL pointing at a closed port', async () => {
      const closed = await freePort();
      const { exit, output } = await failedStart({ REDIS_URL: `redis://127.0.0.1:${closed}` });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(output).toContain(`REDIS_URL: cannot connect to 127.0.0.1:${closed}`);
      expect(output).toContain('is Redis running?');
    });

    it('DATABASE_URL pointing at a closed port', async () => {
      const closed = await freePort();
      const { exit, output } = await failedStart({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/verbatim_never_created`,
      });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(output).toContain(`DATABASE_URL: cannot connect to 127.0.0.1:${closed}`);
    });

    describe('local files and keys, in one line naming the setting (no Nest start-up log, no stack)', () => {
      let dir: string;
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'verbatim-boot-'));
        writeFileSync(join(dir, 'file'), 'not a directory');
      });
      afterAll(() => rmSync(dir, { recursive: true, force: true }));

      /** What a failed start printed, but the warnings that may come first. */
      const failure = (output: string) =>
        output.split('\n').filter((line) => line !== '' && !line.startsWith('Warning: '));

      it('VERBATIM_DATA_DIR below a file', async () => {
        const dataDir = join(dir, 'file', 'sub');
        const { exit, output } = await failedStart({ VERBATIM_DATA_DIR: dataDir });
        expect(exit.code).toBe(1);
        expect(failure(output)).toEqual([
          `Verbatim could not start: VERBATIM_DATA_DIR: cannot use ${dataDir} as the data directory (a part of ` +
            'the path is a file, not a directory); point it at a directory Verbatim may create and write to',
        ]);
      });

      it('VERBATIM_LOG_KEY_FILE that does not exist, or holds no key', async () => {
        const missing = join(dir, 'missing.pem');
        const absent = await failedStart({
          VERBATIM_DATA_DIR: join(dir, 'data'),
          VERBATIM_LOG_KEY_FILE: missing,
        });
        expect(absent.exit.code).toBe(1);
        expect(failure(absent.output)).toEqual([
          `Verbatim could not start: VERBATIM_LOG_KEY_FILE: key file ${missing} does not exist; point it at an ` +
            `Ed25519 private key in PKCS#8 PEM, or unset it to use ${join(dir, 'data', 'log-key.pem')} (made on first start)`,
        ]);
        const notAKey = join(dir, 'file');
        const garbled = await failedStart({
          VERBATIM_DATA_DIR: join(dir, 'data'),
          VERBATIM_LOG_KEY_FILE: notAKey,
        });
        expect(garbled.exit.code).toBe(1);
        expect(failure(garbled.output)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^Verbatim could not start: VERBATIM_LOG_KEY_FILE: key file ${notAKey} is not a PKCS#8 PEM`,
            ),
          ),
        ]);
      });

      it('VERBATIM_WITNESS_FOR that is not a verifier key', async () => {
        const { exit, output } = await failedStart({
          VERBATIM_DATA_DIR: join(dir, 'data'),
          VERBATIM_WITNESS_FOR: 'garbage',
        });
        expect(exit.code).toBe(1);
        expect(output).toContain('VERBATIM_WITNESS_FOR: "garbage" is not a verifier key');
        expect(output).not.toContain('InstanceLoader');
        expect(output).not.toMatch(/^\s+at /m);
        expect(failure(output).length).toBeLessThanOrEqual(2); // one line, or a configuration error's two
      });
    });

    it('PORT that is not a number', async () => {
      const { exit, output } = await failedStart({ PORT: 'abc' });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(output).toMatch(/PORT: must be a whole number/);
      expect(output).toContain('"abc"');
    });

    it('VERBATIM_TSA_TRUST_FILE naming a file that does not exist', async () => {
      const { exit, output } = await failedStart({ VERBATIM_TSA_TRUST_FILE: '/nonexistent.pem' });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(output).toContain(
        'VERBATIM_TSA_TRUST_FILE: cannot read /nonexistent.pem (no such file); point it at a PEM file',
      );
      expect(output).not.toMatch(/^\s+at /m);
    });

    it('VERBATIM_ADMIN_TOKEN too short, without printing it', async () => {
      const secret = 'hunter2-secret';
      const { exit, output } = await failedStart({ VERBATIM_ADMIN_TOKEN: secret });
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(output).toContain('VERBATIM_ADMIN_TOKEN');
      expect(output).toMatch(/at least 16 characters/);
      expect(output).not.toContain(secret);
      expect(output).not.toContain('hunter2');
    });
  });
});
