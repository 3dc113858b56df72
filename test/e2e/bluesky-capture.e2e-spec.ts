import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVerify } from '@app/cli/commands/verify.command';
import { fromBase64, toBase64, type EvidenceBundle } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { type FakeBluesky, startFakeBluesky } from '@app/testing/fake-bluesky';
import { hostileBlueskyCorpus } from '@app/testing/hostile/bluesky-corpus';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface StatementView {
  id: string;
  status: string;
  url: string;
  versions: {
    number: number;
    text: string;
    evidenceLevel: string;
    record: { postId: string; platform: string; cid?: string };
    artifacts: { role: string; sha256: string }[];
  }[];
  observations: { status: string; httpStatus: number | null }[];
}
interface AccountView {
  id: string;
  platform: string;
  handle: string;
  lastPollStatus: string;
  lastError: string | null;
  lastErrorCode: string | null;
}

/** Bluesky through a fake AppView, PLC directory and PDS on loopback, with real signed repositories. */
describe('Bluesky', () => {
  let env: TestEnvironment;
  let bsky: FakeBluesky;
  let app: TestApp;
  let dir: string;
  let logKey: string;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'verbatim-bsky-'));
    bsky = await startFakeBluesky();
    await bsky.addAccount({ handle: 'mfa.gov.example', displayName: 'Ministry of Foreign Affairs' });
    await bsky.publish('mfa.gov.example', { text: 'Statement on the grain corridor & shipping.' });
    app = await startTestApp(
      env.config({
        VERBATIM_BLUESKY_APPVIEW_URL: bsky.origin,
        VERBATIM_PLC_URL: bsky.origin,
        VERBATIM_DATA_DIR: dir,
        VERBATIM_LOG_ORIGIN: 'archive.test/verbatim',
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '1',
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
  });

  afterAll(async () => {
    await app?.close();
    await bsky?.close();
    await env?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const statementOf = async (uri: string): Promise<StatementView | undefined> => {
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      uri,
    ]);
    return row && ((await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body as StatementView);
  };
  const accountView = async (id: string) =>
    (await app.http().get(`/api/v1/accounts/${id}`).expect(200)).body as AccountView;

  async function bundleOf(statementId: string, version: number): Promise<EvidenceBundle> {
    return waitFor(`evidence of version ${version}`, async () => {
      const res = await app.http().get(`/api/v1/statements/${statementId}/evidence?version=${version}`);
      if (res.status === 202) return undefined;
      expect(res.status).toBe(200);
      return JSON.parse(res.text) as EvidenceBundle;
    });
  }

  async function verifyFile(bundle: EvidenceBundle, name: string) {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(bundle));
    const out: string[] = [];
    const code = await runVerify(path, { key: logKey }, { out: (t) => out.push(t), err: (t) => out.push(t) });
    return { code, text: out.join('\n') };
  }

  it('tracks the URL a person copies from bsky.app, whatever AppView it reads', async () => {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://bsky.app/profile/mfa.gov.example', pollIntervalSeconds: 1 })
      .expect(201);
    expect(res.body).toMatchObject({
      platform: 'bluesky',
      handle: 'mfa.gov.example',
      url: 'https://bsky.app/profile/mfa.gov.example',
    });
    accountId = res.body.id;
    expect(bsky.requestLog[0].path).toBe('/xrpc/app.bsky.actor.getProfile?actor=mfa.gov.example');
  });

  it('captures posts as platform-signed versions whose bundles verify offline, record proof included', async () => {
    const first = await bsky.publish('mfa.gov.example', { text: 'Signed statement.' });
    const statement = await waitFor('the post', () => statementOf(first.uri));
    const [version] = statement.versions;
    expect(version.text).toBe('Signed statement.');
    expect(version.evidenceLevel).toBe('platform-signed');
    expect(version.record).toMatchObject({ platform: 'bluesky', postId: first.uri, cid: first.cid });
    expect(version.artifacts.map((a) => a.role).sort()).toEqual([
      'did-log',
      'plc-audit-log',
      'record-proof',
      'response',
      'response-head',
    ]);

    const bundle = await bundleOf(statement.id, 1);
    const verified = await verifyFile(bundle, 'signed.json');
    expect(verified.text).toMatch(/\[ ok \] platform-signature: record \S+ at app\.bsky\.feed\.post\//);
    expect(verified.text).toContain(`signed this record (CID ${first.cid})`);
    expect(verified.text).toContain('confirmed by its PLC operation log');
    expect(verified.code).toBe(0);

    // one flipped byte of the CAR: the bundle no longer holds the bytes the log committed to
    const flipped: EvidenceBundle = {
      ...bundle,
      artifacts: bundle.artifacts.map((a) => {
        if (a.role !== 'record-proof' || !a.body) return a;
        const bytes = fromBase64(a.body);
        bytes[bytes.length - 5] ^= 0x01;
        return { ...a, body: toBase64(bytes) };
      }),
    };
    const broken = await verifyFile(flipped, 'flipped.json');
    expect(broken.code).toBe(1);
    expect(broken.text).toMatch(
      /The check "artifact-bodies" failed: the body of record-proof \(application\/vnd\.ipld\.car/,
    );

    // the words changed in the record alone: the log's hash says so first
    const reworded = await verifyFile(
      { ...bundle, record: { ...bundle.record!, text: 'Other words.' } },
      'reworded.json',
    );
    expect(reworded.code).toBe(1);
    expect(reworded.text).toContain('The check "record-hash" failed');
  });

  it('records an edit (a new CID of the same record) as a new signed version, found by a recheck', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'First wording.' });
    await waitFor('the original', () => statementOf(post.uri));
    const before = post.cid;
    await bsky.edit(post.uri, 'Corrected wording.');
    const statement = await waitFor('the edit', async () => {
      const view = await statementOf(post.uri);
      return view && view.versions.length === 2 ? view : undefined;
    });
    expect(statement.versions.map((v) => v.text)).toEqual(['First wording.', 'Corrected wording.']);
    expect(statement.versions[0].record.cid).toBe(before);
    expect(statement.versions[1].record.cid).toBe(bsky.post(post.uri)!.cid);
    expect(statement.versions[1].evidenceLevel).toBe('platform-signed');
    const bundle = await bundleOf(statement.id, 2);
    const verified = await verifyFile(bundle, 'edit.json');
    expect(verified.code).toBe(0);
    expect(verified.text).toContain(`signed this record (CID ${bsky.post(post.uri)!.cid})`);
  });

  it('confirms a deletion: omitted from getPosts, then NotFound from getPostThread', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'A statement that will be deleted.' });
    await waitFor('the post', () => statementOf(post.uri));
    await bsky.remove(post.uri);
    const statement = await waitFor(
      'deleted',
      async () => {
        const view = await statementOf(post.uri);
        return view?.status === 'deleted' ? view : undefined;
      },
      20_000,
    );
    expect(statement.observations.map((o) => [o.status, o.httpStatus])).toEqual([
      ['missing', 400],
      ['deleted', 400],
    ]);
    const threads = bsky.requestLog.filter(
      (r) => r.path.startsWith('/xrpc/app.bsky.feed.getPostThread') && r.query.get('uri') === post.uri,
    );
    expect(threads.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(threads[0].response!.body.toString())).toEqual({
      error: 'NotFound',
      message: `Post not found: ${post.uri}`,
    });
  });

  it('captures a single post URL now', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'Captured on request.' });
    const url = `https://bsky.app/profile/mfa.gov.example/post/${post.rkey}`;
    const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
    const done = await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : res.body;
    });
    expect(done.state).toBe('completed');
    const statement = await waitFor('the statement', () => statementOf(post.uri));
    expect(statement.versions[0]).toMatchObject({
      text: 'Captured on request.',
      evidenceLevel: 'platform-signed',
    });
  });

  describe.each(hostileBlueskyCorpus)('hostile source: $name', (hostile) => {
    it('ends as a recorded failure naming the problem, and keeps nothing from it', async () => {
      const handle = `${hostile.name}.example`;
      await bsky.addAccount({ handle });
      const post = await bsky.publish(handle, { text: `Hostile case ${hostile.name}.` });
      bsky.fail(hostile.rule);
      try {
        const res = await app
          .write('post', '/api/v1/accounts')
          .send({ url: `https://bsky.app/profile/${handle}`, pollIntervalSeconds: 1 })
          .expect(201);
        const failed = await waitFor('the recorded failure', async () => {
          const view = await accountView(res.body.id);
          return view.lastPollStatus === 'failed' ? view : undefined;
        });
        expect(failed.lastError).toMatch(hostile.error);
        expect(failed.lastErrorCode).toBe(hostile.code);
        expect(await statementOf(post.uri)).toBeUndefined();
      } finally {
        bsky.clearFailures();
      }
      // the server is still up, and the tracked account was not touched
      await app.http().get('/health').expect(200);
      expect((await accountView(accountId)).platform).toBe('bluesky');
    });
  });
});
