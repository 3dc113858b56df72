import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fromBase64,
  parseNote,
  sha256,
  verifyEvidenceBundle,
  verifyTimestampToken,
  type EvidenceBundle,
} from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestTsa } from '@app/testing/test-tsa';
import { startTestApp, waitFor, type TestApp } from './support/app';

describe('RFC 3161 timestamps on checkpoints', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let tsa: Awaited<ReturnType<typeof startTestTsa>>;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-tsa-'));
    tsa = await startTestTsa();
    const trustFile = join(dataDir, 'tsa-ca.pem');
    writeFileSync(trustFile, tsa.caCertPem);
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa' });
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_TSA_URLS: tsa.url,
        VERBATIM_TSA_TRUST_FILE: trustFile,
        VERBATIM_ANCHOR_RETRY_SECONDS: '1',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await tsa?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('obtains, verifies, stores and serves a token for each new checkpoint', async () => {
    const status = mastodon.publish('mfa', { content: '<p>Timestamped statement.</p>' });
    const capture = await app.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    const { statementId } = await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? (res.body as { statementId: string }) : undefined;
    });
    const [entry] = await waitFor('the entry in the log', async () => {
      const rows: { idx: string }[] = await app.db.query(
        `SELECT idx FROM log_entries WHERE statement_id = $1`,
        [statementId],
      );
      return rows.length > 0 ? rows : undefined;
    });
    // the token of the first checkpoint covering the entry
    const token = await waitFor('a timestamp', async () => {
      const rows: { checkpoint_size: string; token: Buffer; gen_time: Date; note: string }[] =
        await app.db.query(
          `SELECT t.checkpoint_size, t.token, t.gen_time, c.note FROM log_timestamps t JOIN log_checkpoints c ON c.size = t.checkpoint_size
         WHERE t.checkpoint_size > $1 ORDER BY t.checkpoint_size LIMIT 1`,
          [entry.idx],
        );
      return rows[0];
    });
    const digest = sha256(new TextEncoder().encode(parseNote(token.note).text));
    const info = await verifyTimestampToken(token.token, { digest, trustedCerts: [tsa.caCertPem] });
    expect(info.chainVerified).toBe(true);
    expect(info.genTime.getTime()).toBe(token.gen_time.getTime());

    // the bundle carries the token of the checkpoint it is proven against, and a verifier with the TSA root accepts it
    const bundle = await waitFor('a bundle with a timestamp', async () => {
      const res = await app.http().get(`/api/v1/statements/${statementId}/evidence`);
      if (res.status !== 200) return undefined;
      const parsed = JSON.parse(res.text) as EvidenceBundle;
      return parsed.timestamps.length > 0 ? parsed : undefined;
    });
    const logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    const report = await verifyEvidenceBundle(bundle, {
      logKey,
      timestampVerifier: (der, d) => verifyTimestampToken(der, { digest: d, trustedCerts: [tsa.caCertPem] }),
    });
    expect(report.failedCheck).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.capturedNoLaterThan).toBeInstanceOf(Date);
    expect(fromBase64(bundle.timestamps[0].token).length).toBeGreaterThan(100);

    // a token checked against another root fails, naming the timestamp check
    const other = await startTestTsa();
    try {
      const wrongRoot = await verifyEvidenceBundle(bundle, {
        logKey,
        timestampVerifier: (der, d) =>
          verifyTimestampToken(der, { digest: d, trustedCerts: [other.caCertPem] }),
      });
      expect(wrongRoot.failedCheck).toBe('timestamps');
    } finally {
      await other.close();
    }
  });

  /** `verbatim_checkpoint_anchors_total` of the test TSA, by outcome, from /metrics */
  async function anchorTries(outcome: 'anchored' | 'failed'): Promise<number> {
    const text = (await app.http().get('/metrics').expect(200)).text;
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('verbatim_checkpoint_anchors_total{') &&
          l.includes('kind="timestamp"') &&
          l.includes(`anchor="${tsa.url}"`) &&
          l.includes(`outcome="${outcome}"`),
      );
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  it('asks again for the token of the newest checkpoint when its TSA refused at first', async () => {
    const [failedBefore, anchoredBefore] = [await anchorTries('failed'), await anchorTries('anchored')];
    tsa.setMode('reject');
    const asked = tsa.requestCount();
    const status = mastodon.publish('mfa', { content: '<p>Stamped once the TSA is back.</p>' });
    const capture = await app.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    });
    const newest = async () => {
      const [row]: { size: string; stamped: boolean }[] = await app.db.query(
        `SELECT c.size, EXISTS (SELECT 1 FROM log_timestamps t WHERE t.checkpoint_size = c.size) AS stamped
         FROM log_checkpoints c ORDER BY c.size DESC LIMIT 1`,
      );
      return row;
    };
    // the sequencer's own anchor job asked, and was refused
    await waitFor('a refused request', async () => (tsa.requestCount() > asked ? true : undefined));
    const refused = await waitFor('a settled checkpoint', async () => {
      const row = await newest();
      return row && (await app.db.query(`SELECT 1 FROM log_pending LIMIT 1`)).length === 0 ? row : undefined;
    });
    expect(refused.stamped).toBe(false);
    // an operator sees the refusal on /metrics, not only in the log (counted once the worker has the answer)
    await waitFor('the refusal counted', async () =>
      (await anchorTries('failed')) > failedBefore ? true : undefined,
    );
    tsa.setMode('ok');
    // nothing else is captured: only the scheduler's repair can ask again
    const stamped = await waitFor('the token, asked again', async () => {
      const row = await newest();
      return row.size === refused.size && row.stamped ? row : undefined;
    });
    expect(stamped.size).toBe(refused.size);
    await waitFor('the token counted', async () =>
      (await anchorTries('anchored')) > anchoredBefore ? true : undefined,
    );
  });
});
