import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { OutboxSequencer, WebhookDeliverer } from '@app/alerts';
import { hasClaimableDeliveries, insertSubscription } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, tick, waitFor, type TestApp } from './support/app';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

interface Payload {
  type: string;
  timestamp: string;
  data: {
    statementId: string;
    url: string;
    account: { id: string; handle: string; platform: string };
    text: string;
    previousText?: string;
    version: number;
    recordSha256: string;
    status: string;
    previousStatus?: string;
    observedAt: string;
    lastSeenAt?: string;
    missingSince?: string;
    links: { statement: string; evidence: string; page: string };
  };
}

/** A webhook receiver on 127.0.0.1 that records every request and answers what `answer` says. */
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  answer: (status: number) => void;
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer: (next) => (status = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('webhooks', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    receiver = await startReceiver();
    app = await startTestApp(
      env.config({
        VERBATIM_WEBHOOK_RETRY_BASE_SECONDS: '1',
        VERBATIM_PUBLIC_URL: 'https://archive.example.org',
        // rechecks every second and deletions confirmed after two, for the deletion and restore webhooks
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '2',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  let subscriptions = 0;
  interface Subscribed {
    id: string;
    secret: string;
    path: string;
  }

  /** A subscription with its own path on the receiver, so each test reads only its own deliveries. */
  async function subscribe(body: Record<string, unknown>): Promise<Subscribed> {
    const path = `/hooks/${++subscriptions}`;
    const res = await app
      .write('post', '/api/v1/subscriptions')
      .send({ ...body, url: `${new URL(receiver.url).origin}${path}` })
      .expect(201);
    return { ...(res.body as { id: string; secret: string }), path };
  }

  /** Requests the receiver accepted (2xx) on a path, verified with an independent Standard Webhooks implementation. */
  function accepted({ secret, path }: Subscribed): Payload[] {
    const verifier = new Webhook(secret);
    return receiver.received
      .filter((r) => r.status < 300 && r.path === path)
      .map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as Payload);
  }

  it('signs a statement.created webhook that an independent Standard Webhooks implementation verifies', async () => {
    const subscription = await subscribe({ events: ['statement.created', 'statement.edited'] });
    const { secret } = subscription;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const post = mastodon.publish('mfa', { content: '<p>Foreigners willing to defend Ukraine: apply.</p>' });
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 });

    const [created] = await waitFor('the webhook', async () => {
      const got = accepted(subscription);
      return got.length > 0 ? got : undefined;
    });
    expect(created.type).toBe('statement.created');
    expect(created.data).toMatchObject({
      url: post.url,
      text: 'Foreigners willing to defend Ukraine: apply.',
      version: 1,
      status: 'active',
      account: { handle: `mfa@${mastodon.host}`, platform: 'mastodon' },
    });
    expect(created.data.recordSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(created.data.links.statement).toBe(
      `https://archive.example.org/api/v1/statements/${created.data.statementId}`,
    );
    expect(created.data.links.evidence).toBe(`${created.data.links.statement}/evidence?version=1`);

    // a tampered body fails the independent verification
    const last = receiver.received.filter((r) => r.path === subscription.path)[0];
    const tampered = Buffer.from(last.body.toString('utf8').replace('apply', 'appla'));
    expect(() => new Webhook(secret).verify(tampered, last.headers as Record<string, string>)).toThrow();
  });

  it('tells of an edit with the previous text', async () => {
    const subscription = await subscribe({ events: ['statement.edited'] });
    const post = mastodon.publish('mfa', { content: '<p>Original wording.</p>' });
    await waitFor('the post', async () => {
      const rows: unknown[] = await app.db.query(`SELECT 1 FROM statements WHERE external_id = $1`, [
        post.id,
      ]);
      return rows.length ? true : undefined;
    });
    mastodon.edit(post.id, '<p>Corrected wording.</p>');
    await app.write('post', '/api/v1/captures').send({ url: post.url }).expect(202);
    const [edited] = await waitFor('the edit webhook', async () => {
      const got = accepted(subscription).filter((p) => p.data.url === post.url);
      return got.length > 0 ? got : undefined;
    });
    expect(edited).toMatchObject({
      type: 'statement.edited',
      data: { text: 'Corrected wording.', previousText: 'Original wording.', version: 2 },
    });
  });

  it('filters by keyword on word boundaries, in any script, ignoring case and accents', async () => {
    const subscription = await subscribe({ events: ['statement.created'], keywords: ['санкції', 'kyiv'] });
    const wanted = [
      mastodon.publish('mfa', { content: '<p>Нові САНКЦІЇ проти агресора.</p>' }),
      mastodon.publish('mfa', { content: '<p>Talks in Kýiv today.</p>' }),
    ];
    const unwanted = [
      mastodon.publish('mfa', { content: '<p>Санкційний режим.</p>' }),
      mastodon.publish('mfa', { content: '<p>Kyivstar network outage.</p>' }),
    ];
    await waitFor('all four posts stored', async () => {
      const rows: unknown[] = await app.db.query(`SELECT 1 FROM statements WHERE external_id = ANY($1)`, [
        [...wanted, ...unwanted].map((p) => p.id),
      ]);
      return rows.length === 4 ? true : undefined;
    });
    const got = await waitFor('the two matching webhooks', async () => {
      const mine = accepted(subscription);
      return mine.length >= 2 ? mine : undefined;
    });
    // once every event is positioned and due deliveries sent, nothing else comes for this subscription
    await waitFor('an empty outbox', async () => {
      const [{ waiting }]: { waiting: boolean }[] = await app.db.query(
        `SELECT EXISTS (SELECT 1 FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_outbox o WHERE o.event_id = e.id))
           OR EXISTS (SELECT 1 FROM deliveries WHERE state = 'pending' AND subscription_id = $1) AS waiting`,
        [subscription.id],
      );
      return waiting ? undefined : true;
    });
    expect(accepted(subscription).length).toBe(2);
    expect(got.map((p) => p.data.url).sort()).toEqual(wanted.map((p) => p.url).sort());
  });

  it('retries a receiver that is down, records every attempt, and delivers each event once by webhook-id, in order', async () => {
    receiver.answer(503);
    const subscription = await subscribe({ events: ['statement.created', 'statement.edited'] });
    const { id } = subscription;
    const post = mastodon.publish('mfa', { content: '<p>First words.</p>' });
    await waitFor(
      'failed attempts',
      async () => {
        const res = await app
          .http()
          .get(`/api/v1/subscriptions/${id}/deliveries`)
          .set('Authorization', `Bearer ${app.token}`);
        const items = (res.body as { items: { attempts: unknown[] }[] }).items;
        return items.length > 0 && items[0].attempts.length >= 2 ? true : undefined;
      },
      20_000,
    );
    mastodon.edit(post.id, '<p>Second words.</p>');
    await app.write('post', '/api/v1/captures').send({ url: post.url }).expect(202);
    await waitFor('the edit stored', async () => {
      const rows: unknown[] = await app.db.query(
        `SELECT 1 FROM versions v JOIN statements s ON s.id = v.statement_id WHERE s.external_id = $1 AND v.number = 2`,
        [post.id],
      );
      return rows.length ? true : undefined;
    });
    receiver.answer(200);

    const mine = await waitFor(
      'both events after recovery',
      async () => {
        const got = accepted(subscription).filter((p) => p.data.url === post.url);
        return got.length >= 2 ? got : undefined;
      },
      30_000,
    );
    expect(mine.map((p) => p.type)).toEqual(['statement.created', 'statement.edited']);
    const ids = receiver.received
      .filter((r) => r.status < 300 && r.path === subscription.path)
      .map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);

    const res = await app
      .http()
      .get(`/api/v1/subscriptions/${id}/deliveries`)
      .set('Authorization', `Bearer ${app.token}`);
    const deliveries = (
      res.body as {
        items: {
          id: string;
          state: string;
          deliveredAt: string | null;
          webhookId: string;
          attempts: { statusCode: number; latencyMs: number }[];
        }[];
      }
    ).items;
    const first = deliveries[deliveries.length - 1];
    expect(first.state).toBe('delivered');
    expect(first.attempts.slice(0, -1).every((a) => a.statusCode === 503)).toBe(true);
    expect(first.attempts[first.attempts.length - 1].statusCode).toBe(200);
    expect(first.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
    // every retry of one event carried the same webhook-id
    const retried = receiver.received.filter(
      (r) => r.path === subscription.path && r.headers['webhook-id'] === first.webhookId,
    );
    expect(retried.length).toBe(first.attempts.length);
    // a delivery id is read as written: not as hex, not rounded to a double
    const hex = await app.write('post', `/api/v1/subscriptions/${id}/deliveries/0x10/retry`).expect(400);
    expect((hex.body as { message: string }).message).toBe(
      'deliveryId: a delivery id such as 42, not "0x10"',
    );
    const big = await app
      .write('post', `/api/v1/subscriptions/${id}/deliveries/9007199254740993/retry`)
      .expect(404);
    expect((big.body as { message: string }).message).toBe(
      `subscription ${id} has no delivery 9007199254740993`,
    );

    // the list in pages, newest first, each page from where the last ended
    const list = (query: string) =>
      app
        .http()
        .get(`/api/v1/subscriptions/${id}/deliveries${query}`)
        .set('Authorization', `Bearer ${app.token}`);
    const pageOne = (await list('?limit=1').expect(200)).body as {
      items: { id: string }[];
      nextCursor: string;
    };
    expect(pageOne.items.map((d) => d.id)).toEqual([deliveries[0].id]);
    const pageTwo = (await list(`?limit=1&cursor=${pageOne.nextCursor}`).expect(200)).body as {
      items: { id: string }[];
      nextCursor: string | null;
    };
    expect(pageTwo.items.map((d) => d.id)).toEqual([deliveries[1].id]);
    expect(deliveries).toHaveLength(2);
    expect(pageTwo.nextCursor).toBeNull();
    expect(((await list('?limit=abc').expect(400)).body as { message: string[] }).message).toEqual([
      'limit: must be a whole number',
    ]);

    // sent again by hand: pending and no longer delivered until it is, its first success kept among its attempts
    await app.write('patch', `/api/v1/subscriptions/${id}`).send({ enabled: false }).expect(200);
    await app.write('post', `/api/v1/subscriptions/${id}/deliveries/${first.id}/retry`).expect(202);
    const again = ((await list('').expect(200)).body as { items: typeof deliveries }).items.find(
      (d) => d.id === first.id,
    )!;
    expect(again).toMatchObject({ state: 'pending', deliveredAt: null });
    expect(again.attempts).toHaveLength(first.attempts.length);
    await app.write('patch', `/api/v1/subscriptions/${id}`).send({ enabled: true }).expect(200);
    await waitFor('the delivery sent again', async () => {
      const items = ((await list('')).body as { items: typeof deliveries }).items;
      const resent = items.find((d) => d.id === first.id)!;
      return resent.state === 'delivered' && resent.attempts.length === first.attempts.length + 1
        ? true
        : undefined;
    });
  });

  it('tells of a deletion only once it is confirmed, with its observation evidence, and of a reappearance', async () => {
    // a server of its own: the shared one has spent its rate budget on one-second polls by now
    const platform = await startFakeMastodon();
    platform.addAccount({ username: 'gov', displayName: 'Government' });
    const post = platform.publish('gov', { content: '<p>Words that will be withdrawn.</p>' });
    const subscription = await subscribe({ events: ['statement.deleted', 'statement.restored'] });
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${platform.origin}/@gov`, pollIntervalSeconds: 3600 })
      .expect(201);
    await waitFor('the post', async () => {
      const rows: unknown[] = await app.db.query(`SELECT 1 FROM statements WHERE external_id = $1`, [
        post.id,
      ]);
      return rows.length ? true : undefined;
    });
    platform.remove(post.id);
    const missingAt = await waitFor(
      'the post seen missing',
      async () => {
        const [row]: { status: string }[] = await app.db.query(
          `SELECT status FROM statements WHERE external_id = $1`,
          [post.id],
        );
        return row?.status === 'missing' ? Date.now() : undefined;
      },
      20_000,
    );
    expect(accepted(subscription)).toHaveLength(0);

    const [deleted] = await waitFor(
      'the deletion webhook',
      async () => {
        const got = accepted(subscription);
        return got.length > 0 ? got : undefined;
      },
      20_000,
    );
    expect(Date.now() - missingAt).toBeGreaterThanOrEqual(1500);
    expect(deleted.type).toBe('statement.deleted');
    expect(deleted.data).toMatchObject({ url: post.url, status: 'deleted', previousStatus: 'missing' });
    expect(deleted.data.links.evidence).toMatch(/\/evidence\?observation=[0-9a-f-]{36}$/);
    // when it went: last seen present, first found missing, then confirmed (observedAt), each from the archive
    const { statementId } = deleted.data;
    const { observations } = (await app.http().get(`/api/v1/statements/${statementId}`).expect(200)).body as {
      observations: { id: string; status: string; observedAt: string }[];
    };
    const [seenMissing, confirmed] = observations;
    expect(seenMissing.status).toBe('missing');
    expect(confirmed.status).toBe('deleted');
    const [{ last_seen_at }]: { last_seen_at: Date }[] = await app.db.query(
      `SELECT last_seen_at FROM statements WHERE id = $1`,
      [statementId],
    );
    expect(deleted.data).toMatchObject({
      observedAt: confirmed.observedAt,
      missingSince: seenMissing.observedAt,
      lastSeenAt: last_seen_at.toISOString(),
      // a deletion has no version of its own: these stay, null
      version: null,
      recordSha256: null,
      links: {
        statement: `https://archive.example.org/api/v1/statements/${statementId}`,
        evidence: `https://archive.example.org/api/v1/statements/${statementId}/evidence?observation=${confirmed.id}`,
        page: `https://archive.example.org/statements/${statementId}`,
      },
    });
    expect(Date.parse(deleted.data.lastSeenAt!)).toBeLessThan(Date.parse(deleted.data.missingSince!));
    // the internal statement.missing event is stored with the same fields, and sent to no one
    const stored: { type: string; payload: Buffer }[] = await app.db.query(
      `SELECT e.type, o.payload FROM events e JOIN event_outbox o ON o.event_id = e.id
       WHERE e.statement_id = $1 AND e.type = 'statement.missing'`,
      [statementId],
    );
    expect(stored).toHaveLength(1);
    expect((JSON.parse(stored[0].payload.toString('utf8')) as Payload).data).toMatchObject({
      observedAt: seenMissing.observedAt,
      missingSince: seenMissing.observedAt,
      lastSeenAt: deleted.data.lastSeenAt,
    });

    platform.restore(post.id);
    const got = await waitFor(
      'the restore webhook',
      async () => {
        const mine = accepted(subscription);
        return mine.length > 1 ? mine : undefined;
      },
      20_000,
    );
    expect(got.map((p) => p.type)).toEqual(['statement.deleted', 'statement.restored']);
    expect(got[1].data).toMatchObject({
      status: 'active',
      previousStatus: 'deleted',
      // the spell it ended began when it was first found missing
      missingSince: deleted.data.missingSince,
      links: { page: deleted.data.links.page },
    });
    // the check that found it back is observedAt: no lastSeenAt to repeat it
    expect(got[1].data.lastSeenAt).toBeUndefined();
    await platform.close();
  });

  it('keeps subscriptions private and refuses endpoints it must not call', async () => {
    await app.http().get('/api/v1/subscriptions').expect(401);
    // Express routes a path in any letter case to the same handlers: the token is still needed
    await app.http().get('/API/V1/Subscriptions').expect(401);
    await app.http().get(`/Api/v1/subscriptions/${randomUUID()}/deliveries`).expect(401);
    const bad = await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: 'https://user:pw@example.org/hook', events: ['statement.created'] })
      .expect(400);
    expect((bad.body as { message: string }).message).toMatch(/user name or password/);
    await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: 'https://example.org/hook', events: ['statement.exploded'] })
      .expect(400);
  });

  it('refuses an account filter naming an account the archive does not have', async () => {
    const missing = randomUUID();
    const res = await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: 'https://example.org/hook', events: ['statement.created'], accountIds: [missing] })
      .expect(400);
    expect((res.body as { message: string }).message).toBe(`accountIds: no account has the id ${missing}`);
    const made = await subscribe({ events: ['statement.created'] });
    await app
      .write('patch', `/api/v1/subscriptions/${made.id}`)
      .send({ accountIds: [missing] })
      .expect(400);
    // the first test tracks the ministry's account
    const { items: accounts } = (await app.http().get('/api/v1/accounts').expect(200)).body as {
      items: { id: string }[];
    };
    expect(accounts.length).toBeGreaterThan(0);
    await app
      .write('patch', `/api/v1/subscriptions/${made.id}`)
      .send({ accountIds: [accounts[0].id] })
      .expect(200);
  });

  it('refuses a webhook URL on a private network unless private networks are allowed', async () => {
    const guarded = await startTestApp(env.config({ VERBATIM_ALLOW_PRIVATE_NETWORKS: 'false' }), {
      roles: { api: true, worker: false },
    });
    try {
      const res = await guarded
        .write('post', '/api/v1/subscriptions')
        .send({ url: 'http://127.0.0.1:9/hook', events: ['statement.created'] })
        .expect(400);
      expect((res.body as { message: string }).message).toMatch(/private or loopback/);
    } finally {
      await guarded.close();
    }
  });
});

describe('the outbox', () => {
  let env: TestEnvironment;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(env.config(), { roles: { api: true, worker: false } });
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  it('positions an event only when every older transaction has finished, so a late commit is never skipped', async () => {
    const [{ account }]: { account: string }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, poll_interval_seconds)
       VALUES ('feed', 'h', 'x', 'https://e.org', 'https://e.org', 60) RETURNING id AS account`,
    );
    const statement = async (db: { query: typeof app.db.query }, id: string) => {
      const [{ sid }]: { sid: string }[] = await db.query(
        `INSERT INTO statements (platform, external_id, account_id, url, first_captured_at, last_seen_at, latest_version, latest_text)
         VALUES ('feed', $1, $2, 'https://e.org/' || $1, now(), now(), 0, '') RETURNING id AS sid`,
        [id, account],
      );
      await db.query(
        `INSERT INTO events (type, statement_id, account_id) VALUES ('statement.created', $1, $2)`,
        [sid, account],
      );
    };
    await insertSubscription(app.db.manager, {
      url: 'https://hooks.example.org/outbox',
      events: ['statement.created'],
      accountIds: null,
      keywords: null,
      secret: 'whsec_dGVzdA==',
    });
    const sequencer = new OutboxSequencer(app.db, env.config());
    const slow = app.db.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      await statement(slow.manager, 'early'); // takes the lower event id, commits last
      await statement(app.db.manager, 'late');
      await sequencer.sequenceOnce();
      const before: unknown[] = await app.db.query(`SELECT 1 FROM event_outbox`);
      expect(before).toHaveLength(0); // 'late' waits: an older transaction is still open
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    // other databases' writers on the same server also hold the horizon back for a moment: wait them out
    let deliveriesMade = 0;
    await waitFor('both events positioned', async () => {
      deliveriesMade += (await sequencer.sequenceOnce()).deliveries;
      const positioned: unknown[] = await app.db.query(`SELECT 1 FROM event_outbox`);
      return positioned.length === 2 ? true : undefined;
    });
    // the round reports the deliveries it made: it is what makes the sequencer ask for a delivery round at once
    expect(deliveriesMade).toBe(2);
    const rows: { position: string; external_id: string }[] = await app.db.query(
      `SELECT o.position, s.external_id FROM event_outbox o JOIN events e ON e.id = o.event_id
       JOIN statements s ON s.id = e.statement_id ORDER BY o.position`,
    );
    expect(rows.map((r) => r.external_id)).toEqual(['early', 'late']);
    await sequencer.sequenceOnce();
    const again: unknown[] = await app.db.query(`SELECT 1 FROM event_outbox`);
    expect(again).toHaveLength(2);
  });

  it("positions a version's event once, with its own log entry, when its media's entries are in the log too", async () => {
    const [{ account }]: { account: string }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, poll_interval_seconds)
       VALUES ('feed', 'm', 'm', 'https://m.org', 'https://m.org', 60) RETURNING id AS account`,
    );
    const [{ sid }]: { sid: string }[] = await app.db.query(
      `INSERT INTO statements (platform, external_id, account_id, url, first_captured_at, last_seen_at, latest_version, latest_text)
       VALUES ('feed', 'with-media', $1, 'https://m.org/with-media', now(), now(), 1, '') RETURNING id AS sid`,
      [account],
    );
    // the version's entry first, then two of its media's, all integrated before the event is positioned
    const [{ next }]: { next: string }[] = await app.db.query(
      `SELECT coalesce(max(idx) + 1, 0)::text AS next FROM log_entries`,
    );
    for (const [offset, kind] of ['version', 'media 1', 'media 2'].entries()) {
      await app.db.query(
        `INSERT INTO log_entries (idx, entry, leaf_hash, statement_id, version_number, queued_at)
         VALUES ($1, convert_to($2, 'UTF8'), sha256('\\x00'::bytea || convert_to($2, 'UTF8')), $3, 1, now())`,
        [String(BigInt(next) + BigInt(offset)), kind, sid],
      );
    }
    await app.db.query(
      `INSERT INTO events (type, statement_id, account_id, version_number) VALUES ('statement.created', $1, $2, 1)`,
      [sid, account],
    );
    const sequencer = new OutboxSequencer(app.db, env.config());
    await waitFor('the event positioned', async () => {
      await sequencer.sequenceOnce();
      const rows: unknown[] = await app.db.query(
        `SELECT 1 FROM event_outbox o JOIN events e ON e.id = o.event_id WHERE e.statement_id = $1`,
        [sid],
      );
      return rows.length > 0 ? true : undefined;
    });
    const positioned: { payload: string }[] = await app.db.query(
      `SELECT convert_from(o.payload, 'UTF8') AS payload FROM event_outbox o
       JOIN events e ON e.id = o.event_id WHERE e.statement_id = $1`,
      [sid],
    );
    expect(positioned).toHaveLength(1);
    expect(JSON.parse(positioned[0].payload)).toMatchObject({ data: { leafIndex: Number(next) } });
  });
});

describe('a webhook whose endpoint keeps failing', () => {
  /** README: "one failing for a day has its subscription disabled" */
  const DAY_MS = 24 * 3600 * 1000;
  /** VERBATIM_WEBHOOK_RETRY_BASE_SECONDS as README gives its default: ×5 each time, at most 12 h */
  const BASE_SECONDS = 5;
  const LONGEST_WAIT_MS = 12 * 3600 * 1000;
  /** an event waits for every older transaction on the server, other test databases' too, before it is sent */
  const OUTBOX_WAIT_MS = 30_000;

  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    receiver = await startReceiver();
    receiver.answer(500);
    app = await startTestApp(
      env.config({
        VERBATIM_WEBHOOK_RETRY_BASE_SECONDS: String(BASE_SECONDS),
        VERBATIM_PUBLIC_URL: 'https://archive.example.org',
        // the failing deliveries are expected: keep their warnings out of the test output
        LOG_LEVEL: 'error',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  interface SubscriptionView {
    id: string;
    enabled: boolean;
    disabledAt: string | null;
    disabledReason: string | null;
    failingSince: string | null;
  }
  interface DeliveryView {
    id: string;
    webhookId: string;
    eventType: string;
    state: string;
    nextAttemptAt: string | null;
    deliveredAt: string | null;
    attempts: { attemptedAt: string; statusCode: number | null; error: string | null }[];
  }

  const subscriptionOf = async (id: string) =>
    (
      await app
        .http()
        .get(`/api/v1/subscriptions/${id}`)
        .set('Authorization', `Bearer ${app.token}`)
        .expect(200)
    ).body as SubscriptionView;
  /** the subscription's deliveries, oldest first */
  const deliveriesOf = async (id: string) =>
    (
      (
        await app
          .http()
          .get(`/api/v1/subscriptions/${id}/deliveries`)
          .set('Authorization', `Bearer ${app.token}`)
          .expect(200)
      ).body as { items: DeliveryView[] }
    ).items.reverse();

  /**
   * Lets the wait the deliverer chose before its next attempt pass, without waiting it out: the subscription's
   * failing streak and its pending deliveries' due times move back by that wait, so the next attempt is due now
   * and finds the streak as old as it would be then. The deliverer judges the streak by its own clock against
   * `failing_since`, and takes what `next_attempt_at <= now()` says is due: these are the times it reads.
   */
  async function letRetryWaitPass(subscriptionId: string): Promise<void> {
    await app.db.query(
      `WITH wait AS (
         SELECT GREATEST(min(next_attempt_at) - now(), interval '0') AS span FROM deliveries
         WHERE subscription_id = $1 AND state = 'pending'
       ), streak AS (
         UPDATE subscriptions s SET failing_since = s.failing_since - wait.span FROM wait WHERE s.id = $1
       )
       UPDATE deliveries d SET next_attempt_at = d.next_attempt_at - wait.span FROM wait
       WHERE d.subscription_id = $1 AND d.state = 'pending'`,
      [subscriptionId],
    );
  }

  it('is disabled after a day of failures with its reason shown, is sent nothing more, keeps what comes meanwhile, and resumes', async () => {
    const created = await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: receiver.url, events: ['statement.created'] })
      .expect(201);
    const { id, secret } = created.body as { id: string; secret: string };
    const first = mastodon.publish('mfa', { content: '<p>Said while the receiver was down.</p>' });
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
      .expect(201);

    // attempt after attempt, each retry's wait let pass, until the subscription is disabled
    const steps: { delayMs: number | null; sinceFirstMs: number }[] = [];
    let disabled: SubscriptionView | undefined;
    for (let n = 1; n <= 12 && !disabled; n++) {
      const delivery = await waitFor(
        `attempt ${n}`,
        async () => {
          const [d] = await deliveriesOf(id);
          return d && d.attempts.length >= n ? d : undefined;
        },
        OUTBOX_WAIT_MS,
      );
      expect(delivery.attempts).toHaveLength(n);
      expect(delivery.state).toBe('pending');
      const subscription = await subscriptionOf(id);
      const last = Date.parse(delivery.attempts[n - 1].attemptedAt);
      steps.push({
        delayMs: delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) - last : null,
        sinceFirstMs: last - Date.parse(subscription.failingSince!),
      });
      if (subscription.enabled) await letRetryWaitPass(id);
      else disabled = subscription;
    }
    expect(disabled).toBeDefined();

    // each wait was the base ×5 per failure, at most 12 h, within the ±20% jitter
    steps.slice(0, -1).forEach(({ delayMs }, k) => {
      const planned = Math.min(LONGEST_WAIT_MS, BASE_SECONDS * 1000 * 5 ** k);
      expect(delayMs).toBeGreaterThanOrEqual(Math.floor(planned * 0.8));
      expect(delayMs).toBeLessThanOrEqual(Math.ceil(planned * 1.2));
    });
    // disabled by the first failure a day or more after the first one, not before: about a day, not two
    const before = steps.slice(0, -1).map((s) => s.sinceFirstMs);
    const atDisable = steps[steps.length - 1].sinceFirstMs;
    expect(Math.max(...before)).toBeLessThan(DAY_MS);
    expect(atDisable).toBeGreaterThanOrEqual(DAY_MS);
    expect(atDisable).toBeLessThan(DAY_MS + LONGEST_WAIT_MS * 1.2);
    // with a 5 s base the ninth attempt lands a day or so after the first (the tenth, if the jitter fell short)
    expect(steps.length).toBeGreaterThanOrEqual(9);
    expect(steps.length).toBeLessThanOrEqual(10);

    // the reason, through the API: since when it failed, and how
    const [failed] = await deliveriesOf(id);
    expect(disabled).toMatchObject({
      enabled: false,
      disabledAt: failed.attempts[failed.attempts.length - 1].attemptedAt,
      disabledReason: `the endpoint has failed since ${disabled!.failingSince}: the endpoint answered HTTP 500`,
    });
    const { items: listed } = (
      await app.http().get('/api/v1/subscriptions').set('Authorization', `Bearer ${app.token}`).expect(200)
    ).body as { items: SubscriptionView[] };
    expect(listed.find((s) => s.id === id)).toMatchObject({ enabled: false });
    // every attempt reached the receiver, answered 500, under the same webhook-id, and none was given up
    expect(failed.state).toBe('pending');
    expect(failed.attempts.every((a) => a.statusCode === 500)).toBe(true);
    const tried = receiver.received.filter((r) => r.path === '/hooks');
    expect(tried).toHaveLength(steps.length);
    expect(new Set(tried.map((r) => r.headers['webhook-id']))).toEqual(new Set([failed.webhookId]));

    // a statement captured while disabled is queued for the subscription, not dropped
    const second = mastodon.publish('mfa', { content: '<p>Said while the subscription was disabled.</p>' });
    await app.write('post', '/api/v1/captures').send({ url: second.url }).expect(202);
    const queued = await waitFor(
      'the delivery made while disabled',
      async () => {
        const all = await deliveriesOf(id);
        return all.length === 2 ? all[1] : undefined;
      },
      OUTBOX_WAIT_MS,
    );
    expect(queued).toMatchObject({ eventType: 'statement.created', state: 'pending', attempts: [] });

    // and nothing is attempted while disabled: the new delivery is due, yet no round takes it
    expect(Date.parse(queued.nextAttemptAt!)).toBeLessThanOrEqual(Date.now());
    await tick(app);
    expect(await hasClaimableDeliveries(app.db.manager)).toBe(false);
    expect(await app.app.get(WebhookDeliverer).deliverOnce()).toEqual({ attempted: 0, more: false });
    expect(receiver.received.filter((r) => r.path === '/hooks')).toHaveLength(steps.length);
    expect((await deliveriesOf(id)).map((d) => d.attempts.length)).toEqual([steps.length, 0]);

    // resumed: the streak starts over and what waited is sent at once, the first event (its retry still hours
    // away) under its same webhook-id
    expect(Date.parse(failed.nextAttemptAt!) - Date.now()).toBeGreaterThan(3600 * 1000);
    receiver.answer(200);
    const resumed = await app
      .write('patch', `/api/v1/subscriptions/${id}`)
      .send({ enabled: true })
      .expect(200);
    expect(resumed.body).toMatchObject({
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      failingSince: null,
    });
    const sent = await waitFor(
      'both events delivered',
      async () => {
        const all = await deliveriesOf(id);
        return all.every((d) => d.state === 'delivered') ? all : undefined;
      },
      OUTBOX_WAIT_MS,
    );
    expect(sent.map((d) => d.attempts.length)).toEqual([steps.length + 1, 1]);
    const verifier = new Webhook(secret);
    const accepted = receiver.received.filter((r) => r.path === '/hooks' && r.status === 200);
    const payloads = accepted.map(
      (r) => verifier.verify(r.body, r.headers as Record<string, string>) as Payload,
    );
    expect(payloads.map((p) => p.data.url).sort()).toEqual([first.url, second.url].sort());
    expect(accepted.find((r) => r.headers['webhook-id'] === failed.webhookId)).toBeDefined();
    expect(await subscriptionOf(id)).toMatchObject({ enabled: true, failingSince: null });
  });
});
