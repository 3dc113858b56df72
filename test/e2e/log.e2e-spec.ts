import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeEntryBundle,
  decodeTile,
  fromBase64,
  leafHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  toBase64,
  verifyConsistency,
  verifyEvidenceBundle,
  verifyInclusion,
  type EvidenceBundle,
} from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

function checkpointOf(note: string, vkey: string) {
  return parseCheckpoint(openNote(note, [parseVerifierKey(vkey)]).text);
}

describe('the transparency log', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let logKey: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-log-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    mastodon.publish('mfa', { content: '<p>First statement.</p>' });
    mastodon.publish('mfa', {
      content: '<p>Second statement.</p>',
      media: [{ type: 'image', description: 'a map' }],
    });
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_LOG_ORIGIN: 'archive.test/verbatim',
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
      .expect(201);
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function evidenceOf(externalId: string): Promise<EvidenceBundle> {
    return waitFor(`evidence of post ${externalId}`, async () => {
      const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
        externalId,
      ]);
      if (!row) return undefined;
      const res = await app.http().get(`/api/v1/statements/${row.id}/evidence`);
      if (res.status === 202) {
        expect(res.headers['retry-after']).toBe('1');
        return undefined;
      }
      expect(res.status).toBe(200);
      return JSON.parse(res.text) as EvidenceBundle;
    });
  }

  it('publishes its verifier key, named after the origin', () => {
    expect(logKey).toMatch(/^archive\.test\/verbatim\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
  });

  it('makes no witness key while it witnesses no log', async () => {
    await app.http().get('/witness/key').expect(404);
    await app
      .http()
      .post('/witness/add-checkpoint')
      .set('Content-Type', 'text/plain')
      .send('old 0\n\n')
      .expect(404);
    expect(existsSync(join(dataDir, 'witness-key.pem'))).toBe(false);
    expect(existsSync(join(dataDir, 'log-key.pem'))).toBe(true);
  });

  it('hands out an evidence bundle that verifies offline against the pinned key', async () => {
    const status = mastodon.publish('mfa', { content: '<p>A statement to prove.</p>' });
    const bundle = await evidenceOf(status.id);
    expect(bundle).toMatchObject({ format: 'verbatim-evidence/v1', origin: 'archive.test/verbatim', logKey });
    expect(bundle.record).toMatchObject({ postId: status.id, text: 'A statement to prove.' });
    expect(bundle.artifacts.some((a) => a.role === 'response' && a.body)).toBe(true);
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.failedCheck).toBeUndefined();
    expect(report).toMatchObject({ ok: true, keyPinned: true, origin: 'archive.test/verbatim' });

    // the served statement and the bundle name the same record hash
    const statement = (await app.http().get(`/api/v1/statements?limit=1`).expect(200)).body.items[0];
    const detail = (await app.http().get(`/api/v1/statements/${statement.id}`).expect(200)).body;
    expect(detail.versions[0].recordSha256).toBe(bundle.recordSha256);
  });

  it('names the check that fails when any part of a bundle is altered', async () => {
    const status = mastodon.publish('mfa', { content: '<p>Tamper target.</p>' });
    const bundle = await evidenceOf(status.id);
    const flipBase64 = (b64: string) => {
      const bytes = fromBase64(b64);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      return toBase64(bytes);
    };
    const cases: [string, EvidenceBundle][] = [
      ['record-hash', { ...bundle, record: { ...bundle.record!, text: 'Tamper targat.' } }],
      [
        'artifact-bodies',
        {
          ...bundle,
          artifacts: bundle.artifacts.map((a) => (a.body ? { ...a, body: flipBase64(a.body) } : a)),
        },
      ],
      [
        'leaf-contents',
        {
          ...bundle,
          leaf: toBase64(
            Buffer.from(Buffer.from(bundle.leaf, 'base64').toString().replace('"snapshot"', '"snapshoT"')),
          ),
        },
      ],
      [
        'checkpoint-signature',
        {
          ...bundle,
          checkpoint: bundle.checkpoint.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`),
        },
      ],
    ];
    if (bundle.inclusionProof.length > 0) {
      cases.push([
        'inclusion-proof',
        {
          ...bundle,
          inclusionProof: [flipBase64(bundle.inclusionProof[0]), ...bundle.inclusionProof.slice(1)],
        },
      ]);
    }
    for (const [check, altered] of cases) {
      const report = await verifyEvidenceBundle(altered, { logKey });
      expect({ check, ok: report.ok, failed: report.failedCheck }).toEqual({
        check,
        ok: false,
        failed: expect.any(String),
      });
      // a changed leaf also breaks its bond with the record; what matters is that the right part is named
      if (check !== 'leaf-contents') expect(report.failedCheck).toBe(check);
    }
    const wrongKey = await verifyEvidenceBundle(bundle, {
      logKey: logKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'),
    });
    expect(wrongKey.ok).toBe(false);
  });

  it('proves inclusion of every entry and consistency between checkpoints taken at different times', async () => {
    const first = (await app.http().get('/log/checkpoint').expect(200)).text;
    const older = checkpointOf(first, logKey);
    expect(older.size).toBeGreaterThan(0);

    const status = mastodon.publish('mfa', { content: '<p>Later statement.</p>' });
    await evidenceOf(status.id);
    const newer = checkpointOf((await app.http().get('/log/checkpoint').expect(200)).text, logKey);
    expect(newer.size).toBeGreaterThan(older.size);

    const consistency = await app
      .http()
      .get(`/api/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`)
      .expect(200);
    verifyConsistency(
      older.size,
      newer.size,
      consistency.body.hashes.map(fromBase64),
      older.rootHash,
      newer.rootHash,
    );
    expect(() =>
      verifyConsistency(
        older.size,
        newer.size,
        consistency.body.hashes.map(fromBase64),
        newer.rootHash,
        older.rootHash,
      ),
    ).toThrow();

    const entries = await app.http().get(`/api/v1/log/entries?start=0&end=${newer.size}`).expect(200);
    expect(entries.body.entries).toHaveLength(newer.size);
    for (const { index, entry } of entries.body.entries as { index: number; entry: string }[]) {
      const proof = await app
        .http()
        .get(`/api/v1/log/proof/inclusion?index=${index}&size=${newer.size}`)
        .expect(200);
      expect(proof.body.leafHash).toBe(toBase64(leafHash(fromBase64(entry))));
      verifyInclusion(
        fromBase64(proof.body.leafHash),
        index,
        newer.size,
        proof.body.hashes.map(fromBase64),
        newer.rootHash,
      );
    }
  });

  it('serves C2SP tiles that match the entries and the tree', async () => {
    const checkpoint = checkpointOf((await app.http().get('/log/checkpoint').expect(200)).text, logKey);
    const width = checkpoint.size % 256;
    expect(checkpoint.size).toBeLessThan(256);
    const hashes = decodeTile(
      (await app.http().get(`/log/tile/0/000.p/${width}`).responseType('blob').expect(200)).body as Buffer,
    );
    const entries = decodeEntryBundle(
      (await app.http().get(`/log/tile/entries/000.p/${width}`).responseType('blob').expect(200))
        .body as Buffer,
    );
    expect(entries).toHaveLength(width);
    expect(hashes.map(toBase64)).toEqual(entries.map((e) => toBase64(leafHash(e))));
    await app.http().get('/log/tile/0/000').expect(404); // no full tile yet
    await app.http().get('/log/tile/0/not-a-tile').expect(400);
  });

  it('rejects proofs the log cannot give with a 400 that says why', async () => {
    const size = checkpointOf((await app.http().get('/log/checkpoint').expect(200)).text, logKey).size;
    const tooBig = await app
      .http()
      .get(`/api/v1/log/proof/inclusion?index=0&size=${size + 1}`)
      .expect(400);
    expect(tooBig.body.message).toContain('latest checkpoint');
    await app.http().get(`/api/v1/log/proof/inclusion?index=${size}&size=${size}`).expect(400);
    await app.http().get('/api/v1/log/proof/consistency?from=0&to=1').expect(400);
    await app.http().get('/api/v1/log/proof/inclusion?index=abc&size=1').expect(400);
  });

  it('refuses to change what it logged, even for the table owner in replica mode', async () => {
    for (const sql of [
      'UPDATE log_entries SET entry = entry WHERE idx = 0',
      'DELETE FROM log_checkpoints',
      'TRUNCATE log_nodes',
      'UPDATE versions SET evidence_level = evidence_level',
    ]) {
      await expect(app.db.query(sql)).rejects.toThrow(/append-only/);
    }
    const runner = app.db.createQueryRunner();
    try {
      await runner.query('SET session_replication_role = replica');
      await expect(runner.query('DELETE FROM artifacts')).rejects.toThrow(/append-only/);
    } finally {
      await runner.query('SET session_replication_role = DEFAULT');
      await runner.release();
    }
  });
});

describe('evidence before the next checkpoint', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-log-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa' });
    // a checkpoint a minute: a fresh capture waits for it
    app = await startTestApp(
      env.config({ VERBATIM_DATA_DIR: dataDir, VERBATIM_CHECKPOINT_INTERVAL_MS: '60000' }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 202 with Retry-After until a signed checkpoint covers the version', async () => {
    const status = mastodon.publish('mfa', { content: '<p>Just captured.</p>' });
    const capture = await app.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    const done = await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? res.body : undefined;
    });
    const res = await app.http().get(`/api/v1/statements/${done.statementId}/evidence`).expect(202);
    expect(res.headers['retry-after']).toBe('1');
    const [{ n }]: { n: string }[] = await app.db.query('SELECT count(*) AS n FROM log_pending');
    expect(Number(n)).toBe(1);
    await app.http().get(`/api/v1/statements/${done.statementId}/evidence?version=2`).expect(404);
  });
});
