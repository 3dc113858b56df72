import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlobStore } from '@app/blobs';
import { canonicalSha256 } from '@app/core';
import { parseLogEntry, verifyEvidenceBundle, type EvidenceBundle } from '@app/ledger';
import { auditLog } from '@app/log/audit';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { DownloadMediaUseCase } from '@app/worker/media/download-media.use-case';
import { getBytes, startTestApp, waitFor, type TestApp } from './support/app';

interface MediaView {
  url: string;
  kind: string;
  state: string;
  sha256: string | null;
  size: number | null;
  mediaType: string | null;
  reason: string | null;
  artifactUrl: string | null;
}
interface Version {
  number: number;
  record: { media: Record<string, unknown>[] };
  recordSha256: string;
  media: MediaView[];
}

const MAX_BYTES = 1024 * 1024;
const ONE_GB = 1024 * 1024 * 1024;
/**
 * What a client that stops at once may still have been sent: the fake's chunk in flight plus what the
 * loopback socket buffers hold. Far below the 1 GB announced, whatever the kernel's buffer tuning.
 */
const SMALL = 16 * 1024 * 1024;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pathOf = (url: string) => new URL(url).pathname;

describe('media files of captured posts', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let dataDir: string;
  let logKey: string;
  const photo = randomBytes(300_000);
  const video = randomBytes(700_000);
  let ids: { both: string; huge: string; lying: string; gone: string };
  let paths: { photo: string; video: string; huge: string; lying: string; gone: string };

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-media-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    const both = mastodon.publish('mfa', {
      content: '<p>Photo and video of the signing.</p>',
      media: [{ type: 'image', description: 'the signing' }, { type: 'video' }],
    });
    const huge = mastodon.publish('mfa', {
      content: '<p>A very long video.</p>',
      media: [{ type: 'video' }],
    });
    const lying = mastodon.publish('mfa', {
      content: '<p>A video of no length.</p>',
      media: [{ type: 'video' }],
    });
    // its file is never served: the file store answers 404
    const gone = mastodon.publish('mfa', {
      content: '<p>A photo since removed.</p>',
      media: [{ type: 'image' }],
    });
    ids = { both: both.id, huge: huge.id, lying: lying.id, gone: gone.id };
    const urls = (status: Record<string, unknown>) =>
      (status.media_attachments as { url: string }[]).map((m) => m.url);
    paths = {
      photo: pathOf(urls(both)[0]),
      video: pathOf(urls(both)[1]),
      huge: pathOf(urls(huge)[0]),
      lying: pathOf(urls(lying)[0]),
      gone: pathOf(urls(gone)[0]),
    };
    mastodon.files.serve(paths.photo, photo, 'image/jpeg');
    mastodon.files.serve(paths.video, video, 'video/mp4');
    mastodon.files.serveEndless(paths.huge, 'video/mp4', ONE_GB);
    mastodon.files.serveEndless(paths.lying, 'video/mp4', null);

    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_MEDIA_MAX_BYTES: String(MAX_BYTES),
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
      .expect(201);
    await waitFor('every media item tried', async () => {
      const [row]: { total: string; untried: string }[] = await app.db.query(
        `SELECT count(*) AS total, count(*) FILTER (WHERE attempts = 0) AS untried FROM media_files`,
      );
      return Number(row.total) === 5 && Number(row.untried) === 0 ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function versionOf(postId: string): Promise<Version> {
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      postId,
    ]);
    const res = await app.http().get(`/api/v1/statements/${row.id}`).expect(200);
    return (res.body as { versions: Version[] }).versions[0];
  }

  it('keeps a photo and a video byte-exact in the blob store and serves them back with their media types', async () => {
    const version = await versionOf(ids.both);
    expect(version.media).toEqual([
      expect.objectContaining({
        kind: 'image',
        state: 'stored',
        sha256: sha256(photo),
        size: photo.length,
        mediaType: 'image/jpeg',
      }),
      expect.objectContaining({
        kind: 'video',
        state: 'stored',
        sha256: sha256(video),
        size: video.length,
        mediaType: 'video/mp4',
      }),
    ]);
    for (const [item, bytes] of [
      [version.media[0], photo],
      [version.media[1], video],
    ] as const) {
      const file = readFileSync(
        join(dataDir, 'blobs', item.sha256!.slice(0, 2), item.sha256!.slice(2, 4), item.sha256!),
      );
      expect(file.equals(bytes)).toBe(true);
      const { res, body } = await getBytes(app, item.artifactUrl!);
      expect(body.equals(bytes)).toBe(true);
      expect(res.headers['content-type']).toBe(item.mediaType);
      expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const part = await app
      .http()
      .get(version.media[1].artifactUrl!)
      .set('Range', 'bytes=1000-1999')
      .expect(206);
    expect(Buffer.from(part.body as Buffer).equals(video.subarray(1000, 2000))).toBe(true);
  });

  it('leaves the sealed record as captured and commits to each file with a media log entry', async () => {
    const version = await versionOf(ids.both);
    expect(canonicalSha256(version.record)).toBe(version.recordSha256);
    expect(version.record.media.map((m) => Object.keys(m).sort())).toEqual([
      ['description', 'kind', 'mediaType', 'url'],
      ['description', 'kind', 'mediaType', 'url'],
    ]);
    const entries = await waitFor('both media entries in the log', async () => {
      const rows: { entry: Buffer }[] = await app.db.query(`SELECT entry FROM log_entries ORDER BY idx`);
      const media = rows.map((r) => parseLogEntry(r.entry)).filter((e) => e.type === 'media');
      return media.length === 2 ? media : undefined;
    });
    expect(entries.map((e) => e.artifacts)).toEqual(
      expect.arrayContaining([
        [{ role: 'media', mediaType: 'image/jpeg', size: photo.length, sha256: sha256(photo) }],
        [{ role: 'media', mediaType: 'video/mp4', size: video.length, sha256: sha256(video) }],
      ]),
    );
    for (const e of entries) expect(e).toMatchObject({ version: 1, recordSha256: version.recordSha256 });

    // the version's evidence is still its snapshot entry, not one of the media entries of the same version
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      ids.both,
    ]);
    const bundle = await waitFor('the evidence bundle', async () => {
      const res = await app.http().get(`/api/v1/statements/${row.id}/evidence`);
      return res.status === 200 ? (JSON.parse(res.text) as EvidenceBundle) : undefined;
    });
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report).toMatchObject({ ok: true, entry: { type: 'snapshot', version: 1 } });
    expect(bundle.recordSha256).toBe(version.recordSha256);
  });

  it('skips a video announced at 1 GB without reading it, and says why', async () => {
    const [item] = (await versionOf(ids.huge)).media;
    expect(item).toMatchObject({ state: 'skipped', sha256: null, artifactUrl: null });
    expect(item.reason).toContain(
      `response body of ${ONE_GB} bytes (Content-Length) exceeds ${MAX_BYTES} bytes`,
    );
    expect(mastodon.files.requests(paths.huge)).toBe(1);
    expect(mastodon.files.bytesSent(paths.huge)).toBeLessThan(SMALL);
  });

  it('skips a video sent without a length once it passes the limit, having let little more than the limit through', async () => {
    const [item] = (await versionOf(ids.lying)).media;
    expect(item).toMatchObject({ state: 'skipped', sha256: null });
    expect(item.reason).toContain(`response body exceeds ${MAX_BYTES} bytes`);
    expect(mastodon.files.bytesSent(paths.lying)).toBeGreaterThan(MAX_BYTES);
    expect(mastodon.files.bytesSent(paths.lying)).toBeLessThan(MAX_BYTES + SMALL);
    const [{ n }]: { n: string }[] = await app.db.query(
      `SELECT count(*) AS n FROM artifacts WHERE storage = 'blobs'`,
    );
    expect(Number(n)).toBe(2);
  });

  it('records a file the source will not give as failed, with the reason, after three tries', async () => {
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      ids.gone,
    ]);
    const first = (await versionOf(ids.gone)).media[0];
    expect(first).toMatchObject({ state: 'pending', sha256: null });
    expect(first.reason).toBe(`${mastodon.host} answered HTTP 404`);
    const download = app.app.get(DownloadMediaUseCase);
    // the scheduler queues a pending item again after a while; here the job is run at once instead
    for (let run = 0; run < 5 && (await versionOf(ids.gone)).media[0].state === 'pending'; run++) {
      const outcome = await download.execute({ statementId: row.id, version: 1 });
      expect(outcome).toEqual({ stored: 0, skipped: 0, failed: 1 });
    }
    expect((await versionOf(ids.gone)).media[0]).toMatchObject({
      state: 'failed',
      reason: `${mastodon.host} answered HTTP 404`,
    });
    expect(mastodon.files.requests(paths.gone)).toBe(3);
    const [{ attempts }]: { attempts: number }[] = await app.db.query(
      `SELECT attempts FROM media_files WHERE statement_id = $1`,
      [row.id],
    );
    expect(attempts).toBe(3);
  });

  it('does nothing when a download job runs again: no new file, no new log entry', async () => {
    const countEntries = async () => {
      const [row]: { n: string }[] = await app.db.query(
        `SELECT (SELECT count(*) FROM log_entries) + (SELECT count(*) FROM log_pending) AS n`,
      );
      return Number(row.n);
    };
    const before = await countEntries();
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      ids.both,
    ]);
    const outcome = await app.app.get(DownloadMediaUseCase).execute({ statementId: row.id, version: 1 });
    expect(outcome).toEqual({ stored: 0, skipped: 0, failed: 0 });
    expect(await countEntries()).toBe(before);
    expect(mastodon.files.requests(paths.photo)).toBe(1);
  });

  it('audit rehashes the blob files: passes while intact, names a changed file and a missing one', async () => {
    await waitFor('a checkpoint covering every entry', async () => {
      const [row]: { entries: string; covered: string | null; pending: string }[] = await app.db.query(
        `SELECT (SELECT count(*) FROM log_entries) AS entries, (SELECT max(size) FROM log_checkpoints) AS covered,
                (SELECT count(*) FROM log_pending) AS pending`,
      );
      return row.pending === '0' && Number(row.covered) === Number(row.entries) ? true : undefined;
    });
    const blobs = new FileBlobStore(join(dataDir, 'blobs'));
    const intact = await auditLog(app.db, { logKey, blobs });
    expect(intact.problems).toEqual([]);
    expect(intact).toMatchObject({ ok: true, blobs: 2 });

    const photoFile = blobs.pathOf(sha256(photo));
    const changed = Buffer.from(photo);
    changed[12345] ^= 0x01;
    writeFileSync(photoFile, changed);
    rmSync(blobs.pathOf(sha256(video)));

    const missing = await app
      .http()
      .get(`/api/v1/artifacts/${sha256(video)}`)
      .expect(500);
    expect(missing.body.message).toContain('its bytes are missing from the blob store');

    const damaged = await auditLog(app.db, { logKey, blobs });
    expect(damaged.ok).toBe(false);
    expect(damaged.problems).toEqual(
      expect.arrayContaining([
        `blob ${sha256(photo)}: its file's bytes hash to ${sha256(changed)} (the file was changed)`,
        `blob ${sha256(video)}: its file is missing from the blob store`,
      ]),
    );
  });
});
