import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeTelegram, type FakeTelegram } from '@app/testing/fake-telegram';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface PlatformHealth {
  platform: string;
  state: string;
  reason?: string | null;
  failures?: number;
  lastCheckedAt?: string | null;
}
interface Hook {
  type: string;
  data: { platform?: string; reason?: string; statementId: string | null };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** what t.me might serve after a redesign, or behind a login wall: no channel, no messages */
const REDESIGNED =
  '<!DOCTYPE html><html><body><div class="tgme_page_login">Log in to view this channel</div></body></html>';

/**
 * A health canary per platform: a known public channel read on a schedule. When Telegram's pages stop
 * reading the way the connector expects, the platform is degraded (one `connector.degraded` event to
 * subscribers), its accounts stop being polled instead of each failing in turn, and the first good canary read
 * raises `connector.recovered` and polling resumes, catching up on what was posted meanwhile.
 */
describe('health canaries', () => {
  let env: TestEnvironment;
  let telegram: FakeTelegram;
  let app: TestApp;
  let receiver: Server;
  const hooks: Hook[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    telegram = await startFakeTelegram();
    telegram.addChannel({ username: 'telegram', title: 'Telegram News' });
    telegram.publish('telegram', { text: 'Canary post.' });
    telegram.addChannel({ username: 'MFA_Testland', title: 'МЗС Тестландії' });
    telegram.publish('MFA_Testland', { text: 'Before the redesign.' });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Hook);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    app = await startTestApp(
      env.config({
        VERBATIM_TELEGRAM_BASE_URL: telegram.origin,
        VERBATIM_CANARIES: 'https://t.me/telegram',
        VERBATIM_CANARY_INTERVAL_SECONDS: '5',
        VERBATIM_CANARY_RETRY_BASE_SECONDS: '1',
        VERBATIM_MIN_POLL_INTERVAL_SECONDS: '1',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await telegram?.close();
    await env?.destroy();
  });

  const telegramHealth = async (): Promise<PlatformHealth> => {
    const { items } = (await app.http().get('/api/v1/platforms').expect(200)).body as {
      items: PlatformHealth[];
    };
    return items.find((p) => p.platform === 'telegram')!;
  };
  const previewReads = (channel: string) =>
    telegram.requestLog.filter((r) => r.path.startsWith(`/s/${channel}`)).length;
  const capturedTexts = async (): Promise<string[]> => {
    const rows: { latest_text: string }[] = await app.db.query(
      `SELECT latest_text FROM statements ORDER BY seq`,
    );
    return rows.map((r) => r.latest_text);
  };

  it('degrades Telegram once when its canary breaks, pauses its polls, and resumes when it reads again', async () => {
    const { port } = receiver.address() as AddressInfo;
    await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: `http://127.0.0.1:${port}/hook`, events: ['connector.degraded', 'connector.recovered'] })
      .expect(201);
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://t.me/MFA_Testland', pollIntervalSeconds: 1 })
      .expect(201);

    // healthy: the canary was read, the platforms no canary watches say so
    const healthy = await waitFor('a first canary check', async () => {
      const health = await telegramHealth();
      return health.lastCheckedAt ? health : undefined;
    });
    expect(healthy).toMatchObject({ state: 'ok', failures: 0, reason: null });
    const { items } = (await app.http().get('/api/v1/platforms').expect(200)).body as {
      items: PlatformHealth[];
    };
    expect(items.find((p) => p.platform === 'mastodon')).toEqual({
      platform: 'mastodon',
      state: 'unchecked',
    });
    await waitFor('the channel captured', async () =>
      (await capturedTexts()).includes('Before the redesign.') ? true : undefined,
    );

    // Telegram changes its pages for everyone
    telegram.servePreviewBody('telegram', REDESIGNED);
    telegram.servePreviewBody('MFA_Testland', REDESIGNED);
    const degraded = await waitFor(
      'the platform degraded',
      async () => {
        const health = await telegramHealth();
        return health.state === 'degraded' ? health : undefined;
      },
      20_000,
    );
    expect(degraded.reason).toContain('public web preview');
    const degradedHook = await waitFor('the degraded webhook', async () =>
      hooks.find((h) => h.type === 'connector.degraded'),
    );
    expect(degradedHook.data).toMatchObject({ platform: 'telegram', statementId: null });
    expect(degradedHook.data.reason).toContain('public web preview');

    // paused: the account is not read while degraded (a poll already in flight may finish), the canary is
    const settledReads = previewReads('MFA_Testland');
    const canaryReads = previewReads('telegram');
    telegram.publish('MFA_Testland', { text: 'Posted during the outage.' });
    await sleep(3000);
    expect(previewReads('MFA_Testland') - settledReads).toBeLessThanOrEqual(1);
    expect(previewReads('telegram')).toBeGreaterThan(canaryReads);
    // one event for the outage, however many checks failed
    expect(hooks.filter((h) => h.type === 'connector.degraded')).toHaveLength(1);
    expect((await telegramHealth()).failures).toBeGreaterThan(1);

    // Telegram is back: recovered, and the post made meanwhile is captured
    telegram.servePreviewBody('telegram', null);
    telegram.servePreviewBody('MFA_Testland', null);
    await waitFor(
      'the platform recovered',
      async () => ((await telegramHealth()).state === 'ok' ? true : undefined),
      20_000,
    );
    const recovered = await waitFor('the recovered webhook', async () =>
      hooks.find((h) => h.type === 'connector.recovered'),
    );
    expect(recovered.data.platform).toBe('telegram');
    await waitFor(
      'the post made during the outage captured',
      async () => ((await capturedTexts()).includes('Posted during the outage.') ? true : undefined),
      20_000,
    );
    const events: { type: string }[] = await app.db.query(
      `SELECT type FROM events WHERE type LIKE 'connector.%' ORDER BY id`,
    );
    expect(events.map((e) => e.type)).toEqual(['connector.degraded', 'connector.recovered']);
  });
});
