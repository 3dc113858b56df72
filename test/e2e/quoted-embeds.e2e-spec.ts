import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { runVerify } from '@app/cli/commands/verify.command';
import { type EvidenceBundle } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeBluesky, type FakeBluesky, type FakeBlueskyPost } from '@app/testing/fake-bluesky';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startFakeTelegram, type FakeTelegram } from '@app/testing/fake-telegram';
import { startTestApp, waitFor, type TestApp } from './support/app';

const ORIGIN = 'embeds.test/verbatim';
const ARTICLE_URL = 'https://news.example/2024/03/01/grain-corridor';
const BSKY_TEXT = 'Statement on the grain corridor <img src=x onerror=alert(1)> & shipping.';
const TELEGRAM_TEXT = 'Air defence is working over Odesa tonight.';
const MAX_QUOTES = 5;

interface QuotedView {
  id: string;
  platform: string;
  claimedAuthor: { handle: string; name: string | null };
  claimedDate: string | null;
  text: string | null;
  linkOnly: boolean;
  sources: {
    id: string;
    foundIn: string;
    postId: string | null;
    postAccount: string | null;
    evidenceUrl: string;
  }[];
  original: { id: string; text: string; matchedBy: string } | null;
  captureRequested: string | null;
}
interface ExtractionView {
  format: string;
  quotedStatements: QuotedView[];
  found: number;
  limit: number;
  truncated: boolean;
}
interface QuotedPayload {
  type: string;
  data: {
    statementId: string | null;
    account: { handle: string; platform: string } | null;
    text: string | null;
    quotation: {
      id: string;
      quotedStatementId: string;
      platform: string;
      claimedHandle: string;
      sourceUrl: string | null;
      postUrl: string | null;
      foundIn: string;
      links: { quotedStatement: string; evidence: string };
    };
  };
}

/** A news page embedding a Bluesky post (Bluesky's embed code) and a Telegram post (the widget script). */
function articlePage(bsky: FakeBlueskyPost, channel: string, telegramId: number): string {
  const did = bsky.uri.split('/')[2];
  return `<!doctype html><html><head><title>Grain corridor</title></head><body><article>
    <p>The ministry said on Bluesky:</p>
    <blockquote class="bluesky-embed" data-bluesky-uri="${bsky.uri}" data-bluesky-cid="${bsky.cid}" data-bluesky-embed-color-mode="system">
      <p lang="en">Statement on the grain corridor &lt;img src=x onerror=alert(1)&gt; &amp; shipping.</p>&mdash; Ministry of Foreign Affairs
      (<a href="https://bsky.app/profile/${did}?ref_src=embed">@mfa.gov.example</a>)
      <a href="https://bsky.app/profile/${did}/post/${bsky.rkey}?ref_src=embed">March 1, 2024 at 9:15 AM</a></blockquote>
    <script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>
    <p>And on Telegram:</p>
    <script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="${channel}/${telegramId}" data-width="100%"></script>
    <p>Earlier: <a href="https://bsky.app/profile/${did}/post/${bsky.rkey}">the same post</a>.</p>
  </article></body></html>`;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
async function startReceiver(): Promise<{
  url: string;
  received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[];
  close: () => Promise<void>;
}> {
  const received: { path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/quoted`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Posts embedded in pages (Bluesky, Telegram) linked to originals captured from the fake platforms; the
 * quotation's evidence bundle verifying offline; the quoted statements' list and search; `statement.quoted`.
 */
describe('quoted statements from embeds', () => {
  let env: TestEnvironment;
  let bsky: FakeBluesky;
  let telegram: FakeTelegram;
  let mastodon: FakeMastodon;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: TestApp;
  let dir: string;
  let logKey: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'verbatim-embeds-'));
    bsky = await startFakeBluesky();
    await bsky.addAccount({ handle: 'mfa.gov.example', displayName: 'Ministry of Foreign Affairs' });
    telegram = await startFakeTelegram();
    telegram.addChannel({ username: 'mfa_ukraine', title: 'MFA of Ukraine' });
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'eu_commission', displayName: 'European Commission' });
    receiver = await startReceiver();
    app = await startTestApp(
      env.config({
        VERBATIM_BLUESKY_APPVIEW_URL: bsky.origin,
        VERBATIM_PLC_URL: bsky.origin,
        VERBATIM_TELEGRAM_BASE_URL: telegram.origin,
        VERBATIM_DATA_DIR: dir,
        VERBATIM_LOG_ORIGIN: ORIGIN,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_PUBLIC_URL: 'https://archive.example.org',
        VERBATIM_MAX_QUOTES_PER_DOCUMENT: String(MAX_QUOTES),
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await telegram?.close();
    await mastodon?.close();
    await bsky?.close();
    await env?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const capture = async (url: string): Promise<string> => {
    const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
    const done = await waitFor(`the capture of ${url}`, async () => {
      const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : res.body;
    });
    expect(done.state).toBe('completed');
    return done.statementIds[0] as string;
  };
  const statement = async (id: string) => (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body;

  let bskyOriginal: string;
  let telegramOriginal: string;
  let bskyQuote: QuotedView;
  let telegramQuote: QuotedView;
  let secret: string;

  it('links an embedded Bluesky post and an embedded Telegram post to the originals captured from the fakes', async () => {
    const subscription = await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: receiver.url, events: ['statement.quoted'] })
      .expect(201);
    secret = subscription.body.secret;

    const post = await bsky.publish('mfa.gov.example', { text: BSKY_TEXT });
    bskyOriginal = await capture(`https://bsky.app/profile/mfa.gov.example/post/${post.rkey}`);
    const telegramId = telegram.publish('mfa_ukraine', { text: TELEGRAM_TEXT });
    telegramOriginal = await capture(`https://t.me/mfa_ukraine/${telegramId}`);

    const res = await app
      .write('post', '/api/v1/extractions')
      .send({ text: articlePage(post, 'mfa_ukraine', telegramId), sourceUrl: ARTICLE_URL })
      .expect(201);
    const body = res.body as ExtractionView;
    expect(body).toMatchObject({ format: 'html', found: 2, limit: MAX_QUOTES, truncated: false });
    // the plain link to the embedded post adds nothing: the embed already names it
    expect(body.quotedStatements).toHaveLength(2);
    [bskyQuote, telegramQuote] = body.quotedStatements;

    const did = post.uri.split('/')[2];
    expect(bskyQuote).toMatchObject({
      platform: 'bluesky',
      claimedAuthor: { handle: 'mfa.gov.example', name: 'Ministry of Foreign Affairs' },
      claimedDate: '2024-03-01',
      text: BSKY_TEXT,
      linkOnly: false,
      captureRequested: null,
      original: { id: bskyOriginal, text: BSKY_TEXT, matchedBy: 'post-id' },
    });
    expect(bskyQuote.sources).toEqual([
      expect.objectContaining({ foundIn: 'embed', postId: post.rkey, postAccount: did }),
    ]);
    // the widget names the post and none of its words: a link-only quote, its words the captured original's
    expect(telegramQuote).toMatchObject({
      platform: 'telegram',
      claimedAuthor: { handle: 'mfa_ukraine', name: null },
      claimedDate: null,
      text: null,
      linkOnly: true,
      captureRequested: null,
      original: { id: telegramOriginal, text: TELEGRAM_TEXT, matchedBy: 'post-id' },
    });

    // seen from the originals
    expect((await statement(bskyOriginal)).quotedBy).toEqual([
      expect.objectContaining({ id: bskyQuote.id, sources: 1, text: BSKY_TEXT, sourceUrls: [ARTICLE_URL] }),
    ]);
    expect((await statement(telegramOriginal)).quotedBy).toEqual([
      expect.objectContaining({ id: telegramQuote.id, claimedHandle: 'mfa_ukraine', text: null }),
    ]);
  });

  it('shows who quoted it on the reading-room page of the original, escaped', async () => {
    const page = await app.http().get(`/statements/${bskyOriginal}`).expect(200);
    expect(page.text).toContain('id="quoted-by"');
    expect(page.text).toContain(`href="${ARTICLE_URL}"`);
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.text).not.toContain('<img src=x onerror');
    const telegramPage = await app.http().get(`/statements/${telegramOriginal}`).expect(200);
    expect(telegramPage.text).toContain('links to the post, without its words');
  });

  it('tells subscribers with a signed statement.quoted webhook naming the original and the quotation', async () => {
    const verifier = new Webhook(secret);
    const payloads = await waitFor('two statement.quoted webhooks', async () => {
      const got = receiver.received.map(
        (r) => verifier.verify(r.body, r.headers as Record<string, string>) as QuotedPayload,
      );
      return got.length >= 2 ? got : undefined;
    });
    expect(payloads.map((p) => p.type)).toEqual(['statement.quoted', 'statement.quoted']);
    const byQuote = new Map(payloads.map((p) => [p.data.quotation.quotedStatementId, p]));
    expect(byQuote.get(bskyQuote.id)!.data).toMatchObject({
      statementId: bskyOriginal,
      account: { handle: 'mfa.gov.example', platform: 'bluesky' },
      text: BSKY_TEXT,
      quotation: {
        platform: 'bluesky',
        claimedHandle: 'mfa.gov.example',
        sourceUrl: ARTICLE_URL,
        foundIn: 'embed',
        links: {
          quotedStatement: `https://archive.example.org/api/v1/quoted-statements/${bskyQuote.id}`,
          evidence: `https://archive.example.org${bskyQuote.sources[0].evidenceUrl}`,
        },
      },
    });
    expect(byQuote.get(telegramQuote.id)!.data).toMatchObject({
      statementId: telegramOriginal,
      // a link-only quote prints no words: the event carries the original's
      text: TELEGRAM_TEXT,
      quotation: {
        platform: 'telegram',
        postUrl: expect.stringMatching(/^https:\/\/t\.me\/mfa_ukraine\/\d+$/),
      },
    });
  });

  it('links a Mastodon embed (the newer card) and a plain link to the same post as one link-only quote of it', async () => {
    const status = mastodon.publish('eu_commission', { content: '<p>We stand with Ukraine.</p>' }) as {
      id: string;
      url: string;
    };
    const original = await capture(status.url);
    const host = new URL(mastodon.origin).host;
    const html = `<html><body><article>
      <blockquote class="mastodon-embed" data-embed-url="${status.url}/embed"><a href="${status.url}" target="_blank">
        <div>Post by @eu_commission@${host}</div><div>View on Mastodon</div></a></blockquote>
      <script data-allowed-prefixes="${mastodon.origin}/" async src="${mastodon.origin}/embed.js"></script>
    </article></body></html>`;
    const linked = `<p>As the Commission <a href="${status.url}">wrote</a>.</p>`;
    const first = await app.write('post', '/api/v1/extractions').send({ text: html }).expect(201);
    const second = await app.write('post', '/api/v1/extractions').send({ text: linked }).expect(201);
    const [embedded] = (first.body as ExtractionView).quotedStatements;
    const [link] = (second.body as ExtractionView).quotedStatements;
    expect(embedded).toMatchObject({
      platform: 'mastodon',
      claimedAuthor: { handle: `eu_commission@${host}` },
      linkOnly: true,
      original: { id: original, matchedBy: 'post-id', text: 'We stand with Ukraine.' },
    });
    // one post, two documents: one quoted statement with two sources
    expect(link.id).toBe(embedded.id);
    expect(link.sources.map((s) => s.foundIn)).toEqual(['embed', 'link']);
  });

  it('asks for a capture of an embedded Bluesky post it does not hold (named by DID) and links it once captured', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'A post nobody captured yet.' });
    const did = post.uri.split('/')[2];
    const html = `<blockquote class="bluesky-embed" data-bluesky-uri="${post.uri}" data-bluesky-cid="${post.cid}">
      <p>A post nobody captured yet.</p>&mdash; Ministry (<a href="https://bsky.app/profile/${did}">@mfa.gov.example</a>)
      <a href="https://bsky.app/profile/${did}/post/${post.rkey}">March 2, 2024 at 8:00 AM</a></blockquote>`;
    const res = await app.write('post', '/api/v1/extractions').send({ text: html }).expect(201);
    const [quoted] = (res.body as ExtractionView).quotedStatements;
    expect(quoted.original).toBeNull();
    expect(quoted.captureRequested).toEqual(expect.any(String));
    const readOriginal = async () =>
      ((await app.http().get(`/api/v1/quoted-statements/${quoted.id}`).expect(200)).body as QuotedView)
        .original ?? undefined;
    await waitFor('the captured original', readOriginal);
    // read again: the read that first saw the original may have looked for the post just before the capture
    // committed and for its text just after
    const linked = (await readOriginal())!;
    expect(linked).toMatchObject({ matchedBy: 'post-id', text: 'A post nobody captured yet.' });
    const [row]: { external_id: string }[] = await app.db.query(
      `SELECT external_id FROM statements WHERE id = $1`,
      [linked.id],
    );
    expect(row.external_id).toBe(post.uri);
  });

  async function bundleOf(url: string): Promise<EvidenceBundle> {
    return waitFor(`the evidence at ${url}`, async () => {
      const res = await app.http().get(url);
      if (res.status === 202) return undefined;
      expect(res.status).toBe(200);
      return JSON.parse(res.text) as EvidenceBundle;
    });
  }

  async function verify(bundle: EvidenceBundle, name: string) {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(bundle));
    const out: string[] = [];
    const code = await runVerify(path, { key: logKey }, { out: (t) => out.push(t), err: (t) => out.push(t) });
    return { code, text: out.join('\n') };
  }

  it('gives each quotation an evidence bundle that `verbatim verify` checks offline', async () => {
    const bundle = await bundleOf(bskyQuote.sources[0].evidenceUrl);
    expect(bundle.record).toMatchObject({
      kind: 'quotation',
      platform: 'bluesky',
      text: BSKY_TEXT,
      sourceUrl: ARTICLE_URL,
      postCid: expect.any(String),
    });
    // the article itself, byte for byte, as the artifact
    expect(bundle.artifacts).toEqual([
      expect.objectContaining({
        role: 'source-document',
        mediaType: 'text/html; charset=utf-8',
        body: expect.any(String),
      }),
    ]);
    const verified = await verify(bundle, 'bluesky-quote.json');
    expect(verified.code).toBe(0);
    expect(verified.text).toContain('claims that @mfa.gov.example on bluesky wrote on 2024-03-01');
    expect(verified.text).toContain('a quotation is what a secondary source claimed');

    // without a quotation id: the first source's bundle, the same entry
    const first = await bundleOf(`/api/v1/quoted-statements/${bskyQuote.id}/evidence`);
    expect(first.leaf).toBe(bundle.leaf);

    const linkOnly = await verify(
      await bundleOf(telegramQuote.sources[0].evidenceUrl),
      'telegram-quote.json',
    );
    expect(linkOnly.code).toBe(0);
    expect(linkOnly.text).toContain('prints none of its words (a link-only quote)');

    // a claim changed after the fact no longer hashes to what the log holds
    const forged = await verify({ ...bundle, record: { ...bundle.record!, text: 'Forged.' } }, 'forged.json');
    expect(forged.code).not.toBe(0);
    expect(forged.text).toContain('record-hash');
  });

  it('answers 404 for an unknown quotation and 400 for a malformed one', async () => {
    await app
      .http()
      .get(
        `/api/v1/quoted-statements/${bskyQuote.id}/evidence?quotation=00000000-0000-4000-8000-000000000000`,
      )
      .expect(404);
    const bad = await app
      .http()
      .get(`/api/v1/quoted-statements/${bskyQuote.id}/evidence?quotation=nope`)
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('quotation: must be the id of one of the sources');
    await app.http().get('/api/v1/quoted-statements/not-a-uuid').expect(400);
  });

  it('lists quoted statements by handle, pages them, and searches their text apart from the statements', async () => {
    const list = async (query: string) =>
      (await app.http().get(`/api/v1/quoted-statements${query}`).expect(200)).body as {
        items: { id: string; text: string | null; linkOnly: boolean; sources: number }[];
        nextCursor: string | null;
      };
    expect((await list('?platform=telegram')).items.map((q) => q.id)).toEqual([telegramQuote.id]);
    expect((await list('?handle=@MFA_Ukraine')).items).toEqual([
      expect.objectContaining({ id: telegramQuote.id, linkOnly: true, text: null, sources: 1 }),
    ]);
    // newest first: the post captured on request, then the first embed
    expect((await list('?platform=bluesky')).items.map((q) => q.id).slice(-1)).toEqual([bskyQuote.id]);
    expect((await list('?platform=bluesky')).items).toHaveLength(2);
    const all = (await list('')).items.map((q) => q.id);
    expect(all.slice(-2)).toEqual([telegramQuote.id, bskyQuote.id]); // newest first
    const paged: string[] = [];
    let cursor = '';
    for (let page = 0; page < all.length + 1; page++) {
      const got = await list(`?limit=1${cursor}`);
      paged.push(...got.items.map((q) => q.id));
      if (got.nextCursor === null) break;
      cursor = `&cursor=${got.nextCursor}`;
    }
    expect(paged).toEqual(all);

    expect((await list('?q=corridor')).items.map((q) => q.id)).toEqual([bskyQuote.id]);
    expect((await list('?q=shipp*')).items.map((q) => q.id)).toEqual([bskyQuote.id]);
    expect((await list('?q=odesa')).items).toEqual([]); // the link-only quote has no words of its own
    // the statement search is the captured statements' only
    const statements = await app.http().get('/api/v1/statements?q=corridor').expect(200);
    expect(statements.body.items.map((s: { id: string }) => s.id)).toEqual([bskyOriginal]);

    for (const [query, message] of [
      ['?handle=a%20b', 'handle: must be a handle'],
      ['?platform=myspace', 'platform: must be one of'],
      ['?limit=0', 'limit'],
      ['?cursor=abc', 'cursor: must be the nextCursor'],
      ['?q=-only', 'q: give at least one word that is not -excluded'],
    ]) {
      const res = await app.http().get(`/api/v1/quoted-statements${query}`).expect(400);
      expect(JSON.stringify(res.body)).toContain(message);
    }
  });

  it('records at most VERBATIM_MAX_QUOTES_PER_DOCUMENT quotes from a page of many links, and says so', async () => {
    const links = Array.from(
      { length: 40 },
      (_, i) => `<li><a href="https://t.me/mfa_ukraine/${9000 + i}">post ${i}</a></li>`,
    ).join('');
    const res = await app
      .write('post', '/api/v1/extractions')
      .send({ text: `<html><body><ul>${links}</ul></body></html>` })
      .expect(201);
    const body = res.body as ExtractionView;
    expect(body).toMatchObject({ found: 40, limit: MAX_QUOTES, truncated: true });
    expect(body.quotedStatements.map((q) => q.sources[0].postId)).toEqual([
      '9000',
      '9001',
      '9002',
      '9003',
      '9004',
    ]);
    const [{ count }]: { count: number }[] = await app.db.query(
      `SELECT count(*)::int AS count FROM quotations WHERE found_in = 'link' AND post_account = 'mfa_ukraine'`,
    );
    expect(count).toBe(MAX_QUOTES);
  });

  it('finds the newest matches of a common word and of a rare one among thousands of quoted statements', async () => {
    // more matches than the search collects at once (it then walks newest first), and one it collects
    await app.db.query(
      `INSERT INTO quoted_statements (platform, handle, handle_key, text, normalized_text, text_sha256)
       SELECT 'x', 'bulk', 'bulk', t, t, encode(sha256(convert_to(t, 'UTF8')), 'hex')
       FROM (SELECT 'Bulk corridor number ' || n AS t FROM generate_series(1, 2500) AS n) AS g`,
    );
    const texts = async (query: string) =>
      (
        (await app.http().get(`/api/v1/quoted-statements${query}`).expect(200)).body.items as {
          text: string;
        }[]
      ).map((q) => q.text);
    expect(await texts('?q=corridor&limit=3')).toEqual([
      'Bulk corridor number 2500',
      'Bulk corridor number 2499',
      'Bulk corridor number 2498',
    ]);
    expect(await texts('?q=number%2017')).toEqual(['Bulk corridor number 17']);
    expect(await texts('?q=zqxwvortel')).toEqual([]);
    expect(await texts('?q=corridor%20-bulk')).toEqual([BSKY_TEXT]);
  });
});
