import { get, type ClientRequest } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { StreamController } from '@app/api/stream/stream.controller';
import { startTestApp, waitFor, type TestApp } from './support/app';

/** Resolves with `what`, or with 'timed out' after `ms`: an upper bound for a hang, not a benchmark. */
function within<T>(ms: number, what: Promise<T>): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  return Promise.race([what, timeout]).finally(() => clearTimeout(timer));
}

interface StreamEvent {
  id: string;
  event: string;
  data: { data: { url: string; text: string } };
}

/** Opens the live stream and collects its events as they arrive. */
function openStream(base: string, path: string, headers: Record<string, string> = {}) {
  const events: StreamEvent[] = [];
  let buffer = '';
  let request: ClientRequest | null = null;
  let markEnded: () => void = () => undefined;
  /** resolves when the server ends the response */
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const opened = new Promise<number>((resolve, reject) => {
    request = get(`${base}${path}`, { headers }, (res) => {
      resolve(res.statusCode ?? 0);
      res.on('end', markEnded);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(': '))
              .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
          );
          if (fields.id) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      });
    });
    request.on('error', reject);
  });
  return { events, opened, ended, close: () => request?.destroy() };
}

describe('the live stream (Server-Sent Events)', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let base: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    app = await startTestApp(env.config());
    await app.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('sends new events as they happen and resumes from Last-Event-ID without gaps or repeats', async () => {
    const live = openStream(base, '/api/v1/stream?events=statement.created');
    expect(await live.opened).toBe(200);
    const first = [1, 2, 3].map((i) => mastodon.publish('mfa', { content: `<p>First batch ${i}.</p>` }));
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 });
    await waitFor('three events', async () => (live.events.length >= 3 ? true : undefined));
    live.close();
    const lastSeen = live.events[live.events.length - 1].id;

    const missed = [1, 2, 3, 4].map((i) => mastodon.publish('mfa', { content: `<p>While away ${i}.</p>` }));
    await waitFor('the missed posts stored', async () => {
      const rows: unknown[] = await app.db.query(`SELECT 1 FROM statements WHERE external_id = ANY($1)`, [
        missed.map((p) => p.id),
      ]);
      return rows.length === 4 ? true : undefined;
    });

    const resumed = openStream(base, '/api/v1/stream?events=statement.created', {
      'Last-Event-ID': lastSeen,
    });
    expect(await resumed.opened).toBe(200);
    const after = [1, 2].map((i) => mastodon.publish('mfa', { content: `<p>After resuming ${i}.</p>` }));
    await waitFor('the missed and the new events', async () =>
      resumed.events.length >= 6 ? true : undefined,
    );
    resumed.close();

    const urls = (events: StreamEvent[]) => events.map((e) => e.data.data.url);
    expect(urls(live.events).sort()).toEqual(first.map((p) => p.url).sort());
    expect(urls(resumed.events).slice(0, 4).sort()).toEqual(missed.map((p) => p.url).sort());
    expect(urls(resumed.events).slice(4).sort()).toEqual(after.map((p) => p.url).sort());
    const ids = [...live.events, ...resumed.events].map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(resumed.events.every((e) => e.event === 'statement.created')).toBe(true);
  });

  it('filters like a subscription and refuses a malformed Last-Event-ID', async () => {
    const filtered = openStream(base, '/api/v1/stream?keywords=sanctions&lastEventId=0');
    expect(await filtered.opened).toBe(200);
    const wanted = mastodon.publish('mfa', { content: '<p>New Sanctions announced.</p>' });
    mastodon.publish('mfa', { content: '<p>Nothing to see.</p>' });
    await waitFor('the matching event', async () =>
      filtered.events.some((e) => e.data.data.url === wanted.url) ? true : undefined,
    );
    filtered.close();
    expect(filtered.events.every((e) => /sanctions/i.test(e.data.data.text))).toBe(true);
    await app.http().get('/api/v1/stream').set('Last-Event-ID', 'abc').expect(400);
    // filters that could never match are refused, not streamed as silence
    for (const [query, message] of [
      [
        'events=statement.create',
        'events: "statement.create" is not an event; each must be one of statement.created',
      ],
      [`accountIds=${'-'.repeat(36)}`, `accountIds: "${'-'.repeat(36)}" is not an account id`],
      ['keywords=,', 'keywords: name at least one word, or leave keywords out'],
    ]) {
      const refused = await app.http().get(`/api/v1/stream?${query}`).expect(400);
      expect((refused.body as { message: string }).message).toContain(message);
    }
  });

  it('refuses keywords that could never match, as a subscription does', async () => {
    // an accepted stream never ends: the deadline turns that into a failure, not a hang
    const refusal = (query: string) => app.http().get(`/api/v1/stream?${query}`).timeout(5000).expect(400);
    // U+0301 and U+0308 are combining accents: they fold away, leaving nothing to match
    for (const keywords of ['%CC%81', '%20%CC%81%CC%88%20', 'sanctions,%CC%81']) {
      const refused = await refusal(`keywords=${keywords}`);
      expect((refused.body as { message: string }).message).toBe(
        'keywords: each needs a letter, digit or sign to match; spaces alone match nothing',
      );
    }
    // spaces alone, U+3000 ideographic space too, name no keyword at all
    for (const keywords of ['%20%20', '%E3%80%80', '%20,%20']) {
      const refused = await refusal(`keywords=${keywords}`);
      expect((refused.body as { message: string }).message).toBe(
        'keywords: name at least one word, or leave keywords out',
      );
    }
  });

  it('ends open streams when the app shuts down, so that shutdown does not wait for their clients', async () => {
    const stopping = await startTestApp(env.config(), { roles: { api: true, worker: false } });
    await stopping.app.listen(0, '127.0.0.1');
    const port = (stopping.app.getHttpServer().address() as AddressInfo).port;
    const live = openStream(`http://127.0.0.1:${port}`, '/api/v1/stream');
    expect(await live.opened).toBe(200);
    const closing = stopping.close().then(() => 'closed' as const);
    try {
      expect(await within(5000, closing)).toBe('closed');
      const clientSawTheEnd = live.ended.then(() => 'ended' as const);
      expect(await within(1000, clientSawTheEnd)).toBe('ended');
    } finally {
      // without the fix, only the client going away lets the app finish closing
      live.close();
      await closing;
    }
  });

  it('refuses a stream asked for once shutdown has begun, which would hold shutdown up again', async () => {
    const stopping = await startTestApp(env.config(), { roles: { api: true, worker: false } });
    try {
      // the hook shutdown runs first, called here so that the server still answers
      stopping.app.get(StreamController).beforeApplicationShutdown();
      const late = await stopping.http().get('/api/v1/stream').expect(503);
      expect(late.body.message).toBe('this server is shutting down; connect again');
    } finally {
      await stopping.close();
    }
  });
});
