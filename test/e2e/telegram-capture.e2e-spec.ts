import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeTelegram, type FakeTelegram } from '@app/testing/fake-telegram';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface Version {
  number: number;
  text: string;
  html: string | null;
  record: { postId: string; url: string; media: { kind: string; url: string }[] };
  artifacts: { role: string; mediaType: string; sha256: string }[];
  media?: {
    kind: string;
    state: string;
    sha256: string | null;
    size: number | null;
    mediaType: string | null;
    artifactUrl: string | null;
  }[];
}
interface Observation {
  status: string;
  previousStatus: string;
  httpStatus: number | null;
  observedAt: string;
  artifacts: { role: string; sha256: string }[];
}
interface Statement {
  id: string;
  status: string;
  url: string;
  versions: Version[];
  observations: Observation[];
}

const CHANNEL = 'MFA_Testland';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function statementOf(app: TestApp, postId: number): Promise<Statement | undefined> {
  const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
    String(postId),
  ]);
  if (!row) return undefined;
  return (await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body as Statement;
}

async function untilStatus(app: TestApp, postId: number, status: string): Promise<Statement> {
  return waitFor(`${postId} ${status}`, async () => {
    const statement = await statementOf(app, postId);
    return statement?.status === status ? statement : undefined;
  });
}

/**
 * A public Telegram channel tracked through its web preview on a fake t.me: what was captured is the exact
 * page bytes and head; new posts come with the next poll; rechecks through the embed widget find edits and
 * deletions ("Post not found" twice, 2 s apart).
 */
describe('tracking a Telegram channel', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let telegram: FakeTelegram;
  let app: TestApp;
  const previewImage = randomBytes(120_000);
  const ids: Record<'statement' | 'photo' | 'preview' | 'edited' | 'deleted', number> = {
    statement: 0,
    photo: 0,
    preview: 0,
    edited: 0,
    deleted: 0,
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-telegram-'));
    telegram = await startFakeTelegram();
    telegram.addChannel({ username: CHANNEL, title: 'МЗС Тестландії' });
    telegram.addChannel({ username: 'closed_channel', title: 'Closed', hasPreview: false });
    telegram.publish(CHANNEL, { service: true, text: 'Channel created' });
    ids.statement = telegram.publish(CHANNEL, {
      html: 'Заява щодо &quot;референдумів&quot;:<br/><b>жодного визнання</b> &amp; жодних поступок.',
      views: 436_600,
      signature: 'Press Office',
    });
    ids.photo = telegram.publish(CHANNEL, { text: 'Photo', photos: ['https://cdn.example/file/a.jpg'] });
    ids.preview = telegram.publish(CHANNEL, {
      text: 'Statement on the talks',
      linkPreview: {
        url: `${telegram.origin}/article/talks`,
        siteName: 'MFA',
        title: 'Statement on the talks',
        description: 'The ministry comments.',
        image: `${telegram.origin}/file/preview.jpg`,
      },
    });
    telegram.files.serve('/file/preview.jpg', previewImage, 'image/jpeg');
    ids.edited = telegram.publish(CHANNEL, { text: 'We will not negotiate under threats.' });
    ids.deleted = telegram.publish(CHANNEL, { text: 'A statement that will be deleted.' });
    app = await startTestApp(
      env.config({
        VERBATIM_TELEGRAM_BASE_URL: telegram.origin,
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '2',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await telegram?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tracks https://t.me/<channel>, read from the configured base URL', async () => {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://t.me/mfa_testland', pollIntervalSeconds: 2 })
      .expect(201);
    expect(res.body).toMatchObject({ platform: 'telegram', handle: CHANNEL, displayName: 'МЗС Тестландії' });
    expect(telegram.requestLog[0].path).toBe('/s/mfa_testland');
  });

  it("keeps a link preview's image byte-exact, and never fetches the previewed page as a file", async () => {
    const statement = await waitFor('the link preview post', () => statementOf(app, ids.preview));
    const [version] = statement.versions;
    expect(version.record.media).toMatchObject([
      { kind: 'link-preview', url: `${telegram.origin}/article/talks` },
      { kind: 'link-preview-image', url: `${telegram.origin}/file/preview.jpg` },
    ]);
    const media = await waitFor('the preview image stored', async () => {
      const [latest] = (await statementOf(app, ids.preview))!.versions;
      return latest.media?.[0]?.state === 'stored' ? latest.media : undefined;
    });
    expect(media).toEqual([
      expect.objectContaining({
        kind: 'link-preview-image',
        sha256: sha256(previewImage),
        size: previewImage.length,
        mediaType: 'image/jpeg',
      }),
    ]);
    const served = await app.http().get(media[0].artifactUrl!).buffer(true).expect(200);
    expect(sha256(served.body as Buffer)).toBe(sha256(previewImage));
    expect(telegram.requestLog.filter((r) => r.path.startsWith('/article/'))).toEqual([]);
  });

  it('answers 400 for a channel without a public web preview', async () => {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://t.me/closed_channel' })
      .expect(400);
    expect((res.body as { message: string }).message).toContain('this channel has no public web preview');
  });

  it('captures every post with its text and the exact page bytes and response head it was read from', async () => {
    const statement = await waitFor('the statement', () => statementOf(app, ids.statement));
    const [version] = statement.versions;
    expect(version.text).toBe('Заява щодо "референдумів":\nжодного визнання & жодних поступок.');
    expect(version.html).toBe(
      'Заява щодо &quot;референдумів&quot;:<br/><b>жодного визнання</b> &amp; жодних поступок.',
    );
    expect(statement.url).toBe(`https://t.me/${CHANNEL}/${ids.statement}`);
    const photo = await waitFor('the photo post', () => statementOf(app, ids.photo));
    expect(photo.versions[0].record.media).toMatchObject([
      { kind: 'image', url: 'https://cdn.example/file/a.jpg' },
    ]);
    const sent = telegram.requestLog.filter((r) => r.path.startsWith('/s/') && r.response?.status === 200);
    const sentBodies = new Map(sent.map((r) => [sha256(r.response!.body), r.response!.body]));
    const sentHeads = new Map(sent.map((r) => [sha256(r.response!.head), r.response!.head]));
    const byRole = new Map(version.artifacts.map((a) => [a.role, a]));
    expect(byRole.get('response')?.mediaType).toBe('text/html');
    expect(byRole.get('response-head')?.mediaType).toBe('message/http');
    for (const [role, sentBytes] of [
      ['response', sentBodies],
      ['response-head', sentHeads],
    ] as const) {
      const artifact = byRole.get(role)!;
      const served = await app
        .http()
        .get(`/api/v1/artifacts/${artifact.sha256}`)
        .responseType('blob')
        .expect(200);
      expect(sentBytes.get(artifact.sha256)?.equals(served.body as Buffer)).toBe(true);
    }
    const [{ n }]: { n: string }[] = await app.db.query(`SELECT count(*) AS n FROM statements`);
    // the service message is listed, not archived
    expect(Number(n)).toBe(5);
  });

  it('stores a post published after tracking began with the next poll', async () => {
    const id = telegram.publish(CHANNEL, { text: 'New statement after tracking began.' });
    const statement = await waitFor('the new post', () => statementOf(app, id), 2000 + 5000);
    expect(statement.versions[0].text).toBe('New statement after tracking began.');
  });

  it('records an edit found by a recheck as a new version', async () => {
    telegram.edit(CHANNEL, ids.edited, 'We will negotiate under no threats.');
    const statement = await waitFor('the edit', async () => {
      const found = await statementOf(app, ids.edited);
      return found && found.versions.length === 2 ? found : undefined;
    });
    expect(statement.versions.map((v) => v.text)).toEqual([
      'We will not negotiate under threats.',
      'We will negotiate under no threats.',
    ]);
    const unchanged = await statementOf(app, ids.statement);
    expect(unchanged?.versions).toHaveLength(1);
  });

  it('calls a deleted post missing, then deleted once "Post not found" is confirmed 2 s later', async () => {
    telegram.remove(CHANNEL, ids.deleted);
    await untilStatus(app, ids.deleted, 'missing');
    const deleted = await untilStatus(app, ids.deleted, 'deleted');
    const [seen, confirmed] = deleted.observations;
    expect(seen).toMatchObject({ status: 'missing', previousStatus: 'active', httpStatus: 200 });
    expect(confirmed).toMatchObject({ status: 'deleted', previousStatus: 'missing', httpStatus: 200 });
    expect(Date.parse(confirmed.observedAt) - Date.parse(seen.observedAt)).toBeGreaterThanOrEqual(2000);
    expect(confirmed.artifacts.map((a) => a.role).sort()).toEqual(['response', 'response-head']);
    const events: { type: string }[] = await app.db.query(
      `SELECT e.type FROM events e JOIN statements s ON s.id = e.statement_id WHERE s.external_id = $1 ORDER BY e.id`,
      [String(ids.deleted)],
    );
    expect(events.map((e) => e.type)).toEqual([
      'statement.created',
      'statement.missing',
      'statement.deleted',
    ]);
  });
});

/** With rechecks hours apart, a gap in the listed ids alone brings a deleted post's recheck forward. */
describe('a gap in a Telegram channel listing', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let telegram: FakeTelegram;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-telegram-gap-'));
    telegram = await startFakeTelegram();
    telegram.addChannel({ username: CHANNEL, title: 'МЗС Тестландії' });
    app = await startTestApp(
      env.config({
        VERBATIM_TELEGRAM_BASE_URL: telegram.origin,
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_RECHECK_MIN_SECONDS: '3600',
        VERBATIM_RECHECK_MAX_SECONDS: '3600',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await telegram?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rechecks a post the listing skipped at once, and finds it missing', async () => {
    const [first, middle, last] = ['One', 'Two', 'Three'].map((text) => telegram.publish(CHANNEL, { text }));
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `https://t.me/${CHANNEL}`, pollIntervalSeconds: 1 })
      .expect(201);
    await waitFor('three posts', () => statementOf(app, last));
    telegram.remove(CHANNEL, middle);
    const missing = await untilStatus(app, middle, 'missing');
    expect(missing.observations[0]).toMatchObject({ status: 'missing', httpStatus: 200 });
    expect((await statementOf(app, first))?.status).toBe('active');
  });
});
