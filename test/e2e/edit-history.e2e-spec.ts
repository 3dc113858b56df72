import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { replayDiff, type DiffPart } from '@app/core';
import { HISTORY_GAP_ABOUT, verifyEvidenceBundle, type EvidenceBundle } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { getBytes, startTestApp, waitFor, type TestApp } from './support/app';

interface VersionView {
  number: number;
  text: string;
  source: string;
  evidenceLevel: string;
  recordSha256: string;
  record: { editedAt: string | null; artifacts: { role: string; sha256: string }[] };
  diff: DiffPart[] | null;
  artifacts: { role: string; sha256: string }[];
  historyGap: { kind: string; detail: string } | null;
}
interface StatementView {
  id: string;
  versions: VersionView[];
}

/**
 * Edits made between two rechecks of a Mastodon post: the versions we never saw are read from the
 * platform's edit history and recorded before the current one, each with its diff, its log entry and the
 * history response it was read from. A history that cannot be read costs only the missed versions.
 */
describe('edit history: versions missed between rechecks', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let logKey: string;
  let postId: string;
  let statementId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-edit-history-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    postId = mastodon.publish('mfa', { content: '<p>The talks will start on Monday.</p>' }).id;
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_LOG_ORIGIN: 'archive.test/verbatim',
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
      .expect(201);
    statementId = await waitFor('the statement', async () => {
      const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
        postId,
      ]);
      return row?.id;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const statement = async () =>
    (await app.http().get(`/api/v1/statements/${statementId}`).expect(200)).body as StatementView;
  const untilVersions = (count: number) =>
    waitFor(`${count} versions`, async () => {
      const view = await statement();
      return view.versions.length >= count ? view : undefined;
    });
  const historyRequests = () => mastodon.requestLog.filter((r) => r.path.endsWith(`/${postId}/history`));
  const bundleOf = (version: number) =>
    waitFor(`the bundle of version ${version}`, async () => {
      const res = await app.http().get(`/api/v1/statements/${statementId}/evidence?version=${version}`);
      return res.status === 200 ? (JSON.parse(res.text) as EvidenceBundle) : undefined;
    });

  it('records three edits made between two rechecks: two from the history, the current one captured', async () => {
    await untilVersions(1);
    // synchronous: no recheck can run between these edits
    mastodon.edit(postId, '<p>The talks will start on Tuesday.</p>');
    mastodon.edit(postId, '<p>The talks will start on Tuesday in Geneva.</p>');
    mastodon.edit(postId, '<p>The talks are postponed.</p>');

    const view = await untilVersions(4);
    expect(view.versions.map((v) => [v.number, v.source, v.text])).toEqual([
      [1, 'capture', 'The talks will start on Monday.'],
      [2, 'platform-history', 'The talks will start on Tuesday.'],
      [3, 'platform-history', 'The talks will start on Tuesday in Geneva.'],
      [4, 'capture', 'The talks are postponed.'],
    ]);
    expect(view.versions.every((v) => v.evidenceLevel === 'captured')).toBe(true);
    expect(view.versions[0].diff).toBeNull();
    for (const [previous, version] of view.versions.slice(0, -1).map((v, i) => [v, view.versions[i + 1]])) {
      expect(version.diff).not.toBeNull();
      expect(replayDiff(version.diff!, 'old')).toBe(previous.text);
      expect(replayDiff(version.diff!, 'new')).toBe(version.text);
    }

    // the history versions carry the platform's edit times and name the history response they were read from
    const [history] = historyRequests();
    expect(history.response?.status).toBe(200);
    const edits = JSON.parse(history.response!.body.toString('utf8')) as { created_at: string }[];
    expect(view.versions.map((v) => v.record.editedAt)).toEqual([
      null,
      edits[1].created_at,
      edits[2].created_at,
      edits[3].created_at,
    ]);
    for (const version of view.versions.slice(1, 3)) {
      expect(version.artifacts.map((a) => a.role).sort()).toEqual([
        'edit-history',
        'edit-history-head',
        'response',
        'response-head',
      ]);
      const body = version.artifacts.find((a) => a.role === 'edit-history')!;
      expect(body.sha256).toBe(createHash('sha256').update(history.response!.body).digest('hex'));
    }
    expect(view.versions[3].artifacts.map((a) => a.role).sort()).toEqual(['response', 'response-head']);

    const events: { type: string; version_number: number }[] = await app.db.query(
      `SELECT type, version_number FROM events WHERE statement_id = $1 ORDER BY id`,
      [statementId],
    );
    expect(events.map((e) => [e.type, e.version_number])).toEqual([
      ['statement.created', 1],
      ['statement.edited', 2],
      ['statement.edited', 3],
      ['statement.edited', 4],
    ]);
  });

  it('gives every version its log entry, and a history version a bundle that verifies', async () => {
    const logged = await waitFor('four log entries', async () => {
      const rows: { version_number: number }[] = await app.db.query(
        `SELECT version_number FROM log_entries WHERE statement_id = $1 AND version_number IS NOT NULL ORDER BY version_number`,
        [statementId],
      );
      return rows.length === 4 ? rows : undefined;
    });
    expect(logged.map((r) => r.version_number)).toEqual([1, 2, 3, 4]);

    const bundle = await bundleOf(2);
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.failedCheck).toBeUndefined();
    expect(report.ok).toBe(true);
    // its history was read whole: no note
    expect(bundle.historyGap).toBeUndefined();
    expect(report.notes).toEqual([]);
    expect(bundle.artifacts.map((a) => a.role).sort()).toContain('edit-history');
    expect(bundle.recordSha256).toBe((await statement()).versions[1].recordSha256);
  });

  it('still records the current version when the history request answers 500', async () => {
    mastodon.fail({ mode: 'server-error', path: `/api/v1/statuses/${postId}/history` });
    const asked = historyRequests().length;
    mastodon.edit(postId, '<p>The talks are cancelled.</p>');
    mastodon.edit(postId, '<p>The talks are cancelled for good.</p>');

    const view = await untilVersions(5);
    expect(view.versions.map((v) => [v.number, v.source, v.text]).slice(4)).toEqual([
      [5, 'capture', 'The talks are cancelled for good.'],
    ]);
    // a reader is told the versions before it are incomplete, in the API and on the page
    expect(view.versions.map((v) => v.historyGap?.kind ?? null)).toEqual([
      null,
      null,
      null,
      null,
      'not-read',
    ]);
    expect(view.versions[4].historyGap?.detail).toMatch(/500/);
    const page = (await app.http().get(`/statements/${statementId}`).expect(200)).text;
    expect(page).toContain('the platform’s edit history was not read');
    expect(
      historyRequests()
        .slice(asked)
        .map((r) => r.response?.status),
    ).toEqual([500]);
    await waitFor('the log entry of version 5', async () => {
      const rows: unknown[] = await app.db.query(
        `SELECT 1 FROM log_entries WHERE statement_id = $1 AND version_number = 5`,
        [statementId],
      );
      return rows.length === 1 ? true : undefined;
    });
    mastodon.clearFailures();
  });

  it("tells whoever holds only the bundle that the history was not read, as the archive's unsigned note", async () => {
    const gap = (await statement()).versions[4].historyGap!;
    const bundle = await bundleOf(5);
    expect(bundle.historyGap).toEqual({
      kind: 'not-read',
      detail: gap.detail,
      notedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      about: HISTORY_GAP_ABOUT,
    });
    const [{ noted_at }]: { noted_at: Date }[] = await app.db.query(
      `SELECT noted_at FROM version_history_gaps WHERE statement_id = $1 AND version_number = 5`,
      [statementId],
    );
    expect(bundle.historyGap?.notedAt).toBe(noted_at.toISOString());
    // the entry, and so the log, knows nothing of it: it is not what the signature covers
    const entry = JSON.parse(Buffer.from(bundle.leaf, 'base64').toString('utf8')) as object;
    expect(Object.keys(entry).sort()).toEqual([
      'artifacts',
      'capturedAt',
      'origin',
      'recordSha256',
      'statementId',
      'type',
      'v',
      'version',
    ]);

    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.ok).toBe(true);
    expect(report.notes).toEqual([
      expect.stringMatching(
        /^The archive's own note \(unsigned, not in the log, not verified\): the platform's edit history was not read with version 5, .*500/,
      ),
    ]);
    expect(report.proven.join('\n')).not.toMatch(/edit history/);
  });

  it('adds at most 50 versions from one history (the first missed edit and the newest 49), counted as cut short', async () => {
    const truncatedHistories = async () => {
      const metrics = (await app.http().get('/metrics').expect(200)).text;
      const line = /verbatim_edit_history_truncated_total\{platform="mastodon"\} (\d+)/.exec(metrics);
      return Number(line?.[1] ?? 0);
    };
    expect(await truncatedHistories()).toBe(0);
    // a host listing many edits between two rechecks: 59 missed, the 60th the current version
    for (let n = 1; n <= 60; n += 1) mastodon.edit(postId, `<p>Flood edit ${n}.</p>`);

    const view = await untilVersions(5 + 51);
    expect(view.versions.slice(5).map((v) => [v.source, v.text])).toEqual([
      ['platform-history', 'Flood edit 1.'],
      ...Array.from({ length: 49 }, (_, i) => ['platform-history', `Flood edit ${i + 11}.`]),
      ['capture', 'Flood edit 60.'],
    ]);
    expect(await truncatedHistories()).toBe(1);
    const gaps = view.versions.slice(5).filter((v) => v.historyGap !== null);
    // on the version after the edits left out (2 to 10): 'Flood edit 11.', whose diff would hide them
    expect(gaps.map((v) => [v.number, v.text, v.historyGap?.kind])).toEqual([
      [7, 'Flood edit 11.', 'cut-short'],
    ]);
    expect(gaps[0].historyGap?.detail).toContain('9 of 59 missed edits left out');
    // and beside the record in that version's evidence bundle
    expect((await bundleOf(7)).historyGap).toMatchObject({
      kind: 'cut-short',
      detail: gaps[0].historyGap?.detail,
    });
    const page = (await app.http().get(`/statements/${statementId}`).expect(200)).text;
    expect(page).toContain('only part of the platform’s edit history was kept');
    // and in the WARC export's metadata record of that version
    const warc = await getBytes(app, `/statements/${statementId}.warc.gz`);
    const fields = gunzipSync(warc.body).toString('utf8').split('\r\n');
    // versions in order: 5 (its history answered 500), then 7
    expect(fields.filter((line) => line.startsWith('history-gap: '))).toEqual([
      expect.stringMatching(/^history-gap: not-read: .*500/),
      expect.stringMatching(/^history-gap: cut-short: .*9 of 59 missed edits left out/),
    ]);
  });
});
