import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadLogKey } from '@app/log';
import { dataSourceOptions, MIGRATIONS, pendingMigrations } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startCli, stopAll, waitForExit } from './support/processes';

/**
 * Commands that read or manage an archive (audit, tokens, extract) take DATABASE_URL as naming an archive that
 * exists and is migrated; only `verbatim migrate` (and the server) create and migrate one.
 */
describe('the CLI on a database that is missing or behind', () => {
  let env: TestEnvironment;
  let adminUrl: string;
  let dir: string;
  let logKey: string;
  const prefix = `verbatim_cli_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const created: string[] = [];

  const urlOf = (name: string) => {
    const url = new URL(env.databaseUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };

  async function rows(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
  const admin = (sql: string, params: unknown[] = []) => rows(adminUrl, sql, params);
  const exists = async (name: string) =>
    (await admin(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).length === 1;

  /** A database name of this suite: dropped in afterAll whether or not a command made it. */
  function databaseName(label: string): string {
    const name = `${prefix}_${label}`;
    created.push(name);
    return name;
  }

  async function verbatim(database: string, ...args: string[]) {
    const proc = startCli(args, env.env({ DATABASE_URL: urlOf(database), VERBATIM_DATA_DIR: dir }));
    const exit = await waitForExit(proc, 30_000);
    return { code: exit.code, output: proc.output() };
  }

  /** Opens `name` with only the first `count` of this code's migrations known, as a previous version would. */
  async function migrateUpTo(name: string, count: number): Promise<void> {
    const db = new DataSource({
      ...dataSourceOptions(urlOf(name), { poolSize: 1 }),
      migrations: MIGRATIONS.slice(0, count),
    });
    await db.initialize();
    try {
      await db.runMigrations({ transaction: 'each' });
    } finally {
      await db.destroy();
    }
  }

  async function pending(name: string): Promise<string[]> {
    const db = new DataSource(dataSourceOptions(urlOf(name), { poolSize: 1 }));
    await db.initialize();
    try {
      return await pendingMigrations(db);
    } finally {
      await db.destroy();
    }
  }

  beforeAll(async () => {
    env = await createTestEnvironment();
    const url = new URL(env.databaseUrl);
    url.pathname = '/postgres';
    adminUrl = url.toString();
    dir = mkdtempSync(join(tmpdir(), 'verbatim-cli-db-'));
    logKey = loadLogKey({ origin: 'cli.test/verbatim', keyFile: null, dataDir: dir }).verifierKey;
  });

  afterAll(async () => {
    await stopAll();
    if (adminUrl) for (const name of created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.destroy();
  });

  it('audit, tokens and extract refuse a database that does not exist (exit 2) and never create it', async () => {
    const typo = databaseName('typo');
    const article = join(dir, 'article.txt');
    writeFileSync(article, 'No quotes here.');
    const server = new URL(env.databaseUrl);
    const refusal =
      `DATABASE_URL: database "${typo}" does not exist on ${server.hostname}:${server.port || 5432}: check the ` +
      'name, or create it with `verbatim migrate` (or by starting the server)';
    for (const args of [
      ['audit', '--key', logKey],
      ['audit'],
      ['tokens', 'create', '--name', 'newsroom'],
      ['tokens', 'list'],
      ['tokens', 'revoke', 'newsroom'],
      ['extract', article],
    ]) {
      const run = await verbatim(typo, ...args);
      expect({ args, code: run.code, output: run.output.trim() }).toEqual({ args, code: 2, output: refusal });
      expect(await exists(typo)).toBe(false);
    }
  });

  it('they refuse a database whose migrations are behind, leaving it as it was, until `verbatim migrate`', async () => {
    const behind = databaseName('behind');
    await admin(`CREATE DATABASE "${behind}"`);
    await migrateUpTo(behind, MIGRATIONS.length - 1);
    const newest = (await pending(behind))[0];
    expect(newest).toBeDefined();

    const listed = await verbatim(behind, 'tokens', 'list');
    expect(listed.code).toBe(2);
    expect(listed.output.trim()).toBe(
      `DATABASE_URL: database "${behind}" is behind this Verbatim (1 of ${MIGRATIONS.length} migrations not ` +
        `applied, the newest ${newest}): apply them with \`verbatim migrate\` (or by starting the server)`,
    );
    const audited = await verbatim(behind, 'audit', '--key', logKey);
    expect(audited.code).toBe(2);
    expect(audited.output).not.toContain('AUDIT PASSED');
    expect(await pending(behind)).toEqual([newest]);

    const migrated = await verbatim(behind, 'migrate');
    expect(migrated).toMatchObject({ code: 0, output: expect.stringContaining('database is up to date') });
    expect(await pending(behind)).toEqual([]);
    expect(await verbatim(behind, 'tokens', 'list')).toMatchObject({ code: 0 });
  });

  it('they refuse an empty database, which holds no archive yet', async () => {
    const empty = databaseName('empty');
    await admin(`CREATE DATABASE "${empty}"`);
    const run = await verbatim(empty, 'tokens', 'create');
    expect(run.code).toBe(2);
    expect(run.output.trim()).toBe(
      `DATABASE_URL: database "${empty}" holds no Verbatim archive (none of the ${MIGRATIONS.length} ` +
        'migrations applied): apply them with `verbatim migrate` (or by starting the server)',
    );
    expect(run.output).not.toMatch(/vbt_/);
    // nothing was written: not even TypeORM's migrations table
    const [{ n }] = await rows(
      urlOf(empty),
      `SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(Number(n)).toBe(0);
  });

  it('`verbatim migrate` creates a missing database and migrates it; the others then work on it', async () => {
    const fresh = databaseName('fresh');
    const migrated = await verbatim(fresh, 'migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.output).toContain(`database is up to date (${MIGRATIONS.length} migrations applied)`);
    expect(await exists(fresh)).toBe(true);
    const token = await verbatim(fresh, 'tokens', 'create', '--name', 'newsroom');
    expect(token.code).toBe(0);
    expect(token.output).toMatch(/^vbt_\S+$/m);
    const audited = await verbatim(fresh, 'audit', '--key', logKey);
    expect(audited).toMatchObject({ code: 0, output: expect.stringContaining('AUDIT PASSED') });
  });

  it('an audit that could not run (bad settings, no PostgreSQL) exits 2, never 1, which means a failed audit', async () => {
    const unreachable = startCli(
      ['audit', '--key', logKey],
      env.env({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/verbatim', VERBATIM_DATA_DIR: dir }),
    );
    expect((await waitForExit(unreachable, 30_000)).code).toBe(2);
    expect(unreachable.output()).toContain(
      'verbatim audit: could not run: DATABASE_URL: cannot connect to 127.0.0.1:1',
    );
    const misconfigured = startCli(
      ['audit', '--key', logKey],
      env.env({ DATABASE_URL: 'not a url', VERBATIM_DATA_DIR: dir }),
    );
    expect((await waitForExit(misconfigured, 30_000)).code).toBe(2);
  });
});
