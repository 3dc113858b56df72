import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  buildLogEntry,
  leafHash,
  MemoryNodeStore,
  openNote,
  parseCheckpoint,
  parseLogEntry,
  parseVerifierKey,
  consistencyProof,
  ed25519PublicKeyOf,
  formatVerifierKey,
  SIGNATURE_TYPE_ED25519,
  type LogEntry,
  type NodeId,
} from '@app/ledger';
import { auditLog, type AuditReport } from '@app/log/audit';
import { createDataSource } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';
import { startCli, stopAll, waitForExit } from './support/processes';

const ORIGIN = 'audit.test/verbatim';

describe('verbatim audit', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let logKey: string;
  let baseName: string;
  /** the log as built by real captures: entries in index order, checkpoint sizes ascending */
  let entries: LogEntry[];
  let checkpointSizes: number[];

  const urlOf = (name: string) => {
    const url = new URL(env.databaseUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };

  async function withClient<T>(name: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: urlOf(name) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  async function audit(name: string): Promise<AuditReport> {
    const db = createDataSource(urlOf(name), { poolSize: 1 });
    await db.initialize();
    try {
      // small batches, so windows, node ranges and checkpoint pages are crossed several times
      return await auditLog(db, { logKey, batchSize: 3 });
    } finally {
      await db.destroy();
    }
  }

  async function cli(name: string, args: string[] = ['--key', logKey]) {
    const proc = startCli(
      ['audit', ...args],
      env.env({ DATABASE_URL: urlOf(name), VERBATIM_DATA_DIR: dataDir, VERBATIM_LOG_ORIGIN: ORIGIN }),
    );
    const exit = await waitForExit(proc, 30_000);
    return { code: exit.code, output: proc.output() };
  }

  /** A copy of the built log, changed by `tamper` as the database owner, audited both ways, then dropped. */
  async function tampered(label: string, tamper: (db: Client) => Promise<void>) {
    const name = `${baseName}_${label}`;
    await withClient('postgres', (admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${baseName}"`));
    try {
      await withClient(name, tamper);
      return { report: await audit(name), cli: await cli(name) };
    } finally {
      await withClient('postgres', (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  }

  beforeAll(async () => {
    env = await createTestEnvironment();
    baseName = new URL(env.databaseUrl).pathname.slice(1);
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-audit-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    mastodon.publish('mfa', { content: '<p>First statement.</p>' });
    mastodon.publish('mfa', { content: '<p>Second statement.</p>' });
    const app: TestApp = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_LOG_ORIGIN: ORIGIN,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
      }),
    );
    try {
      logKey = (await app.http().get('/log/key').expect(200)).text.trim();
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
        .expect(201);
      const coveredSize = async () => {
        const res = await app.http().get('/log/checkpoint');
        if (res.status === 404) return -1; // the worker has not signed the first one yet
        expect(res.status).toBe(200);
        return parseCheckpoint(openNote(res.text, [parseVerifierKey(logKey)]).text).size;
      };
      // one post at a time, each waited for until a signed checkpoint covers it: several checkpoints
      for (let posted = 2; ;) {
        await waitFor(
          `a checkpoint covering ${posted} versions`,
          async () => ((await coveredSize()) >= posted ? true : undefined),
          20_000,
        );
        if (posted === 8) break;
        mastodon.publish('mfa', { content: `<p>Statement number ${++posted}.</p>` });
      }
    } finally {
      await app.close();
    }
    await withClient(baseName, async (db) => {
      const rows = await db.query('SELECT entry FROM log_entries ORDER BY idx');
      entries = rows.rows.map((r: { entry: Buffer }) => parseLogEntry(r.entry));
      const sizes = await db.query('SELECT size FROM log_checkpoints ORDER BY size');
      checkpointSizes = sizes.rows.map((r: { size: string }) => Number(r.size));
    });
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('passes on the log as captured, with the key given or the configured one', async () => {
    expect(entries.length).toBe(8);
    expect(checkpointSizes.filter((s) => s > 0).length).toBeGreaterThanOrEqual(3);
    expect(checkpointSizes[checkpointSizes.length - 1]).toBe(8);

    const report = await audit(baseName);
    expect(report).toMatchObject({ ok: true, origin: ORIGIN, entries: 8, size: 8, problems: [] });
    expect(report.checkpoints).toBe(checkpointSizes.length);
    expect(report.nodes).toBe(15); // 8 leaves, 4 + 2 + 1 parents

    const given = await cli(baseName);
    expect(given.code).toBe(0);
    expect(given.output).toContain(`AUDIT PASSED: log ${ORIGIN}: 8 entries`);
    const keyFile = join(dataDir, 'log.vkey');
    writeFileSync(keyFile, `# the published key\n${logKey}\n`);
    expect((await cli(baseName, ['--key', keyFile])).code).toBe(0);
    const configured = await cli(baseName, []);
    expect(configured.code).toBe(0);
    expect(configured.output).toContain('AUDIT PASSED');
  });

  it('refuses to audit against a key that is not a verifier key', async () => {
    const bad = await cli(baseName, ['--key', 'not-a-key']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--key: not a verifier key');
  });

  it('fails against another key for the same origin, naming the first checkpoint', async () => {
    const other = formatVerifierKey({
      name: ORIGIN,
      type: SIGNATURE_TYPE_ED25519,
      publicKey: ed25519PublicKeyOf(generateKeyPairSync('ed25519').privateKey),
    });
    const run = await cli(baseName, ['--key', other]);
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `AUDIT FAILED: checkpoint ${checkpointSizes[0]}: its signature does not verify with the log key ${ORIGIN}`,
    );
  });

  it('names an entry rewritten with the triggers disabled (leaf_hash updated to match)', async () => {
    const k = 3;
    const backdated = Buffer.from(
      buildLogEntry({ ...entries[k], capturedAt: '2020-01-01T00:00:00.000Z' } as LogEntry),
    );
    const { report, cli: run } = await tampered('entry', async (db) => {
      await db.query('ALTER TABLE log_entries DISABLE TRIGGER ALL');
      await db.query(
        `UPDATE log_entries SET entry = $1, leaf_hash = sha256('\\x00'::bytea || $1) WHERE idx = $2`,
        [backdated, k],
      );
    });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(
      /^entry 3: its leaf hash [0-9a-f]{64} does not match the stored leaf node 0\/3/,
    );
    const firstCovering = checkpointSizes.find((s) => s > k)!;
    expect(report.problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^checkpoint ${firstCovering}: root .* differs from the root rebuilt`),
      ),
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain(`AUDIT FAILED: ${report.problems[0]}`);
  });

  it('names the first checkpoint whose root breaks when the entry and every node are rewritten together', async () => {
    const k = 3;
    const backdated = Buffer.from(
      buildLogEntry({ ...entries[k], capturedAt: '2020-01-01T00:00:00.000Z' } as LogEntry),
    );
    const { report, cli: run } = await tampered('entrytree', async (db) => {
      await db.query('ALTER TABLE log_entries DISABLE TRIGGER ALL');
      await db.query('ALTER TABLE log_nodes DISABLE TRIGGER ALL');
      await db.query(
        `UPDATE log_entries SET entry = $1, leaf_hash = sha256('\\x00'::bytea || $1) WHERE idx = $2`,
        [backdated, k],
      );
      const rows = await db.query('SELECT entry FROM log_entries ORDER BY idx');
      const store = new MemoryNodeStore();
      const nodes = await store.append(rows.rows.map((r: { entry: Buffer }) => leafHash(r.entry)));
      for (const node of nodes) {
        await db.query('UPDATE log_nodes SET hash = $1 WHERE level = $2 AND idx = $3', [
          Buffer.from(node.hash),
          node.level,
          node.index,
        ]);
      }
    });
    const firstCovering = checkpointSizes.find((s) => s > k)!;
    expect(report.problems[0]).toMatch(
      new RegExp(`^checkpoint ${firstCovering}: root .* differs from the root rebuilt from the entries`),
    );
    expect(report.problems.every((p) => p.startsWith('checkpoint '))).toBe(true);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`AUDIT FAILED: checkpoint ${firstCovering}: root`);
  });

  it('names the first entry of an artifact whose bytes were changed', async () => {
    const sha = entries[4].artifacts[0].sha256;
    const first = entries.findIndex((e) => e.artifacts.some((a) => a.sha256 === sha));
    const { report, cli: run } = await tampered('artifact', async (db) => {
      const checks = await db.query(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'artifacts'::regclass AND contype = 'c'`,
      );
      for (const { conname } of checks.rows as { conname: string }[]) {
        await db.query(`ALTER TABLE artifacts DROP CONSTRAINT "${conname}"`);
      }
      await db.query('ALTER TABLE artifacts DISABLE TRIGGER ALL');
      const changed = await db.query(
        `UPDATE artifacts SET bytes = set_byte(bytes, 10, get_byte(bytes, 10) # 1) WHERE sha256 = $1`,
        [sha],
      );
      expect(changed.rowCount).toBe(1);
    });
    expect(report.problems[0]).toMatch(
      new RegExp(`^entry ${first}: [a-z]+ artifact ${sha}: its stored bytes hash to [0-9a-f]{64}$`),
    );
    expect(report.problems.every((p) => p.includes(sha))).toBe(true);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`AUDIT FAILED: entry ${first}:`);
  });

  it('names a deleted entry', async () => {
    const { report, cli: run } = await tampered('deleted', async (db) => {
      await db.query('ALTER TABLE log_entries DISABLE TRIGGER ALL');
      await db.query('DELETE FROM log_entries WHERE idx = 5');
    });
    // its stored leaf node stands in: the rest of the log still checks out
    expect(report.problems).toEqual(['entry 5 is missing']);
    expect(run.code).toBe(1);
    expect(run.output).toContain('AUDIT FAILED: entry 5 is missing');
  });

  it('names entries deleted with their nodes at the end, past the latest checkpoint they were in', async () => {
    const { report } = await tampered('tail', async (db) => {
      await db.query('ALTER TABLE log_entries DISABLE TRIGGER ALL');
      await db.query('ALTER TABLE log_nodes DISABLE TRIGGER ALL');
      await db.query('DELETE FROM log_entries WHERE idx >= 6');
      await db.query('DELETE FROM log_nodes WHERE level = 0 AND idx >= 6');
    });
    expect(report.problems[0]).toBe('entries 6–7 are missing');
    expect(report.problems).toContain(
      'the tree cannot be rebuilt beyond 6 leaves: neither entry 6 nor its leaf node exists',
    );
    expect(report.problems).toContain('checkpoint 8: covers 8 entries but the log holds 6');
  });

  it('names a changed stored node', async () => {
    const { report, cli: run } = await tampered('node', async (db) => {
      await db.query('ALTER TABLE log_nodes DISABLE TRIGGER ALL');
      await db.query(`UPDATE log_nodes SET hash = sha256('forged') WHERE level = 1 AND idx = 1`);
    });
    expect(report.problems[0]).toMatch(/^node 1\/1: stored hash [0-9a-f]{64} differs from the hash rebuilt/);
    expect(run.code).toBe(1);
    expect(run.output).toContain('AUDIT FAILED: node 1/1: stored hash');
  });

  it('names a consistency proof that fails when a node it reads is forged, and an extra node', async () => {
    const previous = checkpointSizes.filter((s) => s > 0 && s < 8).pop()!;
    // the nodes the proof between the last two checkpoints reads, learnt from a copy of the tree in memory
    const store = new MemoryNodeStore();
    await store.append(entries.map((e) => leafHash(buildLogEntry(e))));
    const read: NodeId[] = [];
    await consistencyProof(previous, 8, async (ids) => {
      read.push(...ids);
      return store.read(ids);
    });
    const forged = read.find((id) => id.level > 0) ?? read[0];
    const { report } = await tampered('proofnode', async (db) => {
      await db.query('ALTER TABLE log_nodes DISABLE TRIGGER ALL');
      await db.query(`UPDATE log_nodes SET hash = sha256('forged') WHERE level = $1 AND idx = $2`, [
        forged.level,
        forged.index,
      ]);
      await db.query(`INSERT INTO log_nodes (level, idx, hash) VALUES (0, 8, sha256('extra'))`);
    });
    expect(report.problems[0]).toMatch(
      forged.level > 0
        ? new RegExp(`^node ${forged.level}/${forged.index}: stored hash`)
        : new RegExp(`^entry ${forged.index}: its leaf hash`),
    );
    expect(report.problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^checkpoint 8: not consistent with checkpoint ${previous} by a proof`),
      ),
    );
    expect(report.problems).toContain('node 0/8 should not exist: the log has 8 leaves');
  });

  it('names a checkpoint whose note was rewritten (the signature no longer verifies)', async () => {
    const size = checkpointSizes.filter((s) => s > 0)[1];
    const { report, cli: run } = await tampered('note', async (db) => {
      await db.query('ALTER TABLE log_checkpoints DISABLE TRIGGER ALL');
      await db.query(
        `UPDATE log_checkpoints SET root = sha256('forged'),
           note = regexp_replace(note, '\\n[A-Za-z0-9+/=]{44}\\n', E'\\n' || encode(sha256('forged'), 'base64') || E'\\n')
         WHERE size = $1`,
        [size],
      );
    });
    expect(report.problems[0]).toMatch(
      new RegExp(`^checkpoint ${size}: its signature does not verify with the log key ${ORIGIN}`),
    );
    expect(report.problems).toContainEqual(
      expect.stringMatching(new RegExp(`^checkpoint ${size}: root .* differs from the root rebuilt`)),
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain(`AUDIT FAILED: checkpoint ${size}: its signature does not verify`);
  });

  it('names a checkpoint whose stored root no longer matches its signed note', async () => {
    const size = checkpointSizes.filter((s) => s > 0)[0];
    const { report } = await tampered('root', async (db) => {
      await db.query('ALTER TABLE log_checkpoints DISABLE TRIGGER ALL');
      await db.query(`UPDATE log_checkpoints SET root = sha256('forged') WHERE size = $1`, [size]);
    });
    expect(report.problems[0]).toMatch(
      new RegExp(`^checkpoint ${size}: stored root .* differs from its signed root`),
    );
  });

  it('names entries no checkpoint covers when the latest checkpoint is deleted', async () => {
    const previous = checkpointSizes[checkpointSizes.length - 2];
    const { report } = await tampered('lastcheckpoint', async (db) => {
      await db.query('ALTER TABLE log_checkpoints DISABLE TRIGGER ALL');
      await db.query('DELETE FROM log_checkpoints WHERE size = 8');
    });
    expect(report.problems).toEqual([
      `entries ${previous}–7 are not covered by any checkpoint (the latest is ${previous}): a checkpoint is missing`,
    ]);
  });

  it('cannot be tampered with in normal operation: the tables refuse UPDATE, DELETE and TRUNCATE, also in replica mode', async () => {
    const tables: [table: string, column: string][] = [
      ['log_entries', 'entry'],
      ['log_nodes', 'hash'],
      ['log_checkpoints', 'note'],
      ['artifacts', 'bytes'],
      ['versions', 'record'],
    ];
    await withClient(baseName, async (db) => {
      const before = await db.query(
        `SELECT (SELECT count(*) FROM log_entries) e, (SELECT count(*) FROM log_nodes) n,
                (SELECT count(*) FROM log_checkpoints) c, (SELECT count(*) FROM artifacts) a,
                (SELECT count(*) FROM versions) v`,
      );
      for (const role of ['DEFAULT', 'replica']) {
        await db.query(`SET session_replication_role = ${role}`);
        for (const [table, column] of tables) {
          for (const sql of [
            `UPDATE ${table} SET ${column} = ${column}`,
            `DELETE FROM ${table}`,
            `TRUNCATE ${table} CASCADE`,
          ]) {
            await expect({ role, sql, result: await db.query(sql).catch((e: Error) => e.message) }).toEqual({
              role,
              sql,
              result: expect.stringMatching(/^(UPDATE|DELETE|TRUNCATE) on append-only table /),
            });
          }
        }
      }
      await db.query('SET session_replication_role = DEFAULT');
      const counts = await db.query(
        `SELECT (SELECT count(*) FROM log_entries) e, (SELECT count(*) FROM log_nodes) n,
                (SELECT count(*) FROM log_checkpoints) c, (SELECT count(*) FROM artifacts) a,
                (SELECT count(*) FROM versions) v`,
      );
      expect(counts.rows).toEqual(before.rows);
    });
    expect((await audit(baseName)).ok).toBe(true);
  });

  it('checks versions: an entry must name a version whose record still hashes to its recordSha256', async () => {
    const { report } = await tampered('version', async (db) => {
      await db.query('ALTER TABLE versions DISABLE TRIGGER ALL');
      await db.query(
        `UPDATE versions SET record = jsonb_set(record, '{text}', '"Forged text."')
         WHERE statement_id = $1 AND number = $2`,
        [entries[2].statementId, entries[2].version],
      );
    });
    expect(report.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^entry 2: the record of version ${entries[2].version} of statement ${entries[2].statementId} now hashes to`,
        ),
      ),
    ]);
  });
});
