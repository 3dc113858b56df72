import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayDiff, type DiffPart } from '@app/core';
import { verifyEvidenceBundle, type EvidenceBundle } from '@app/ledger';
import { auditLog } from '@app/log/audit';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FailureMode, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface ObservationView {
  id: string;
  status: string;
  previousStatus: string;
  httpStatus: number | null;
  observedAt: string;
  leafIndex: number | null;
  artifacts: { role: string; sha256: string }[];
}
interface StatementView {
  id: string;
  status: string;
  statusChangedAt: string | null;
  versions: { number: number; text: string; source: string; diff: DiffPart[] | null }[];
  observations: ObservationView[];
}

/**
 * Rechecks against a fake Mastodon that edits, deletes and restores posts, with rechecks every second and a
 * deletion confirmed after two: edits become versions with diffs, deletions are confirmed before they are
 * announced, reappearances restore, and a failing source never makes anything missing.
 */
describe('rechecks: edits, deletions, restorations', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let logKey: string;
  const ids: Record<'edited' | 'deleted', { postId: string; statementId: string }> = {
    edited: { postId: '', statementId: '' },
    deleted: { postId: '', statementId: '' },
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-rechecks-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    ids.edited.postId = mastodon.publish('mfa', {
      content: '<p>We will not negotiate under threats.</p>',
    }).id;
    ids.deleted.postId = mastodon.publish('mfa', { content: '<p>A statement that will be deleted.</p>' }).id;
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_LOG_ORIGIN: 'archive.test/verbatim',
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '2',
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
      .expect(201);
    for (const which of ['edited', 'deleted'] as const) {
      ids[which].statementId = await waitFor(`statement of ${which}`, async () => {
        const [row]: { id: string }[] = await app.db.query(
          `SELECT id FROM statements WHERE external_id = $1`,
          [ids[which].postId],
        );
        return row?.id;
      });
    }
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const statement = async (id: string) =>
    (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as StatementView;
  const events = async (statementId: string): Promise<string[]> =>
    (await app.db.query(`SELECT type FROM events WHERE statement_id = $1 ORDER BY id`, [statementId])).map(
      (r: { type: string }) => r.type,
    );
  const untilStatus = (id: string, status: string, timeoutMs = 15_000) =>
    waitFor(
      `status ${status}`,
      async () => {
        const view = await statement(id);
        return view.status === status ? view : undefined;
      },
      timeoutMs,
    );

  it('schedules every new statement for rechecks', async () => {
    const rows: { next_check_at: Date | null }[] = await app.db.query(`SELECT next_check_at FROM statements`);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.next_check_at).not.toBeNull();
  });

  it('records an edit as a new version with a word diff and a statement.edited event', async () => {
    mastodon.edit(ids.edited.postId, '<p>We will negotiate under no threats.</p>');
    const view = await waitFor('the edit', async () => {
      const view = await statement(ids.edited.statementId);
      return view.versions.length === 2 ? view : undefined;
    });
    const [first, second] = view.versions;
    expect(first.diff).toBeNull();
    expect(second.source).toBe('capture');
    expect(second.diff).not.toBeNull();
    expect(replayDiff(second.diff!, 'old')).toBe(first.text);
    expect(replayDiff(second.diff!, 'new')).toBe(second.text);
    expect(second.diff).toEqual(
      expect.arrayContaining([
        { op: 'delete', text: 'not ' },
        { op: 'insert', text: 'no ' },
      ]),
    );
    expect(await events(ids.edited.statementId)).toEqual(['statement.created', 'statement.edited']);
    expect(view.status).toBe('active');
  });

  it('calls a deleted post missing first, and deleted only after a confirming answer 2 s later', async () => {
    mastodon.remove(ids.deleted.postId);
    const missing = await untilStatus(ids.deleted.statementId, 'missing');
    expect(await events(ids.deleted.statementId)).not.toContain('statement.deleted');
    const deleted = await untilStatus(ids.deleted.statementId, 'deleted');
    const [seenMissing, confirmed] = deleted.observations;
    expect(seenMissing).toMatchObject({ status: 'missing', previousStatus: 'active', httpStatus: 404 });
    expect(confirmed).toMatchObject({ status: 'deleted', previousStatus: 'missing', httpStatus: 404 });
    expect(Date.parse(confirmed.observedAt) - Date.parse(seenMissing.observedAt)).toBeGreaterThanOrEqual(
      2000,
    );
    expect(missing.statusChangedAt).toBe(seenMissing.observedAt);
    expect(confirmed.artifacts.map((a) => a.role).sort()).toEqual(['response', 'response-head']);
    expect(await events(ids.deleted.statementId)).toEqual([
      'statement.created',
      'statement.missing',
      'statement.deleted',
    ]);
    const list = (await app.http().get('/api/v1/statements?status=deleted').expect(200)).body;
    expect(list.items.map((s: { id: string }) => s.id)).toEqual([ids.deleted.statementId]);
    await app.http().get('/api/v1/statements?status=gone').expect(400);
  });

  it('hands out an observation bundle that verifies offline and says what was observed', async () => {
    const view = await statement(ids.deleted.statementId);
    const deleted = view.observations.find((o) => o.status === 'deleted')!;
    const bundle = await waitFor('the observation bundle', async () => {
      const res = await app
        .http()
        .get(`/api/v1/statements/${ids.deleted.statementId}/evidence?observation=${deleted.id}`);
      return res.status === 200 ? (JSON.parse(res.text) as EvidenceBundle) : undefined;
    });
    expect(bundle.record).toBeNull();
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.failedCheck).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.entry).toMatchObject({ type: 'observation', status: 'deleted' });
    const said = report.proven.join('\n');
    expect(said).toContain(
      `observed statement ${ids.deleted.statementId} as deleted at ${deleted.observedAt}`,
    );
    expect(said).toMatch(/The platform's answer is included: HTTP\/1\.1 404/);
    expect((await statement(ids.deleted.statementId)).observations.every((o) => o.leafIndex !== null)).toBe(
      true,
    );
  });

  it('restores a deleted post that reappears, edited: restored first, then the edit', async () => {
    mastodon.edit(ids.deleted.postId, '<p>Back, and reworded.</p>');
    mastodon.restore(ids.deleted.postId);
    const view = await untilStatus(ids.deleted.statementId, 'active');
    expect(view.observations.at(-1)).toMatchObject({
      status: 'active',
      previousStatus: 'deleted',
      httpStatus: 200,
    });
    expect(view.versions.at(-1)!.text).toBe('Back, and reworded.');
    expect((await events(ids.deleted.statementId)).slice(-2)).toEqual([
      'statement.restored',
      'statement.edited',
    ]);
  });

  it.each<FailureMode>(['server-error', 'hang', 'reset', 'rate-limited'])(
    'never calls anything missing while the source answers %s, round after round',
    async (mode) => {
      const before: { n: string }[] = await app.db.query(`SELECT count(*) AS n FROM observations`);
      mastodon.fail({ mode, path: '/api/v1/statuses' });
      try {
        // several recheck rounds of both statements, each one an unknown answer
        for (let round = 0; round < 4; round++) {
          const [{ checked }]: { checked: Date }[] = await app.db.query(
            `SELECT min(last_checked_at) AS checked FROM statements`,
          );
          await waitFor(
            `recheck round ${round}`,
            async () => {
              const [{ now }]: { now: Date }[] = await app.db.query(
                `SELECT min(last_checked_at) AS now FROM statements`,
              );
              return now.getTime() > checked.getTime() ? true : undefined;
            },
            20_000,
          );
          const statuses: { status: string }[] = await app.db.query(`SELECT status FROM statements`);
          expect(statuses.map((s) => s.status)).toEqual(['active', 'active']);
        }
      } finally {
        mastodon.clearFailures();
      }
      const after: { n: string }[] = await app.db.query(`SELECT count(*) AS n FROM observations`);
      expect(after[0].n).toBe(before[0].n);
    },
  );

  it('leaves a log whose audit accepts every observation entry', async () => {
    await waitFor('every entry sequenced', async () => {
      const [{ n }]: { n: string }[] = await app.db.query(`SELECT count(*) AS n FROM log_pending`);
      return n === '0' ? true : undefined;
    });
    const report = await auditLog(app.db, { logKey });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
