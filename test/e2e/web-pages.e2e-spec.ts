import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runVerify } from '@app/cli/commands/verify.command';
import { type EvidenceBundle } from '@app/ledger';
import { startMinistrySite, type MinistrySite, type Release } from '@app/testing/fake-web';
import { type FakeX, KULEBA_STATEMENT_TEXT, kulebaXPost, startFakeX } from '@app/testing/fake-x';
import { hostileWebCorpus, manyLinksPage } from '@app/testing/hostile/web-corpus';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { getBytes, startTestApp, waitFor, type TestApp } from './support/app';

const MAX_BYTES = 10 * 1024 * 1024;
const RELEASES_PER_POLL = 3;
const ORIGIN = 'web.test/verbatim';

interface VersionView {
  number: number;
  text: string;
  record: Record<string, unknown>;
  artifacts: { role: string; sha256: string; mediaType: string; size: number }[];
}
interface StatementView {
  id: string;
  platform: string;
  url: string;
  status: string;
  versions: VersionView[];
  observations: { status: string; httpStatus: number | null }[];
}
interface CaptureView {
  state: string;
  statementIds: string[];
  error: string | null;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const release = (n: number, extra: Partial<Release> = {}): Release => ({
  slug: `${4200 + n}-statement-${n}`,
  title: `Statement ${n} of the Ministry of Foreign Affairs of Ukraine`,
  paragraphs: [
    `Statement ${n}: Ukraine calls on the international community to strengthen sanctions against the aggressor.`,
    'Every crime committed against civilians will be documented, and those responsible will be held to account.',
    'We thank our partners for their steadfast support of Ukraine’s sovereignty and territorial integrity.',
  ],
  // recent, as a release is when it is captured: rechecks stop a year after publication
  published: new Date(Date.now() - n * 3_600_000).toISOString(),
  author: 'MFA Press Service',
  ...extra,
});

/** X's embed code for a post, as a news site or ministry pastes it (before X's script runs). */
const tweetEmbed = (
  postId: string,
) => `<blockquote class="twitter-tweet"><p lang="en" dir="ltr">${KULEBA_STATEMENT_TEXT}</p>&mdash; Dmytro Kuleba (@DmytroKuleba)
  <a href="https://twitter.com/DmytroKuleba/status/${postId}?ref_src=twsrc%5Etfw">February 27, 2022</a></blockquote>
  <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>`;

describe('web pages and press releases', () => {
  let env: TestEnvironment;
  let site: MinistrySite;
  let x: FakeX;
  let app: TestApp;
  let dir: string;
  let logKey: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    site = await startMinistrySite();
    x = await startFakeX();
    dir = mkdtempSync(join(tmpdir(), 'verbatim-web-'));
    app = await startTestApp(
      env.config({
        VERBATIM_X_API_BASE_URL: x.origin,
        VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
        VERBATIM_X_OEMBED_BASE_URL: x.origin,
        VERBATIM_LOG_ORIGIN: ORIGIN,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '2',
        VERBATIM_WEB_RELEASES_PER_POLL: String(RELEASES_PER_POLL),
        VERBATIM_HTTP_MAX_BYTES: String(MAX_BYTES),
        VERBATIM_DATA_DIR: dir,
      }),
    );
    logKey = (await app.http().get('/log/key').expect(200)).text.trim();
  });

  afterAll(async () => {
    await app?.close();
    await site?.close();
    await x?.close();
    await env?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const statement = async (id: string) =>
    (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as StatementView;
  const capture = async (url: string): Promise<CaptureView> => {
    const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
    return waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : (res.body as CaptureView);
    });
  };
  const statementsOf = async (accountId: string): Promise<{ id: string; external_id: string }[]> =>
    app.db.query(`SELECT id, external_id FROM statements WHERE account_id = $1 ORDER BY external_id`, [
      accountId,
    ]);
  const statementsWithUrl = async (url: string): Promise<{ id: string; account_id: string }[]> =>
    app.db.query(`SELECT id, account_id FROM statements WHERE platform = 'web' AND external_id = $1`, [url]);
  const eventsOf = async (
    id: string,
  ): Promise<{ type: string; account_id: string; version_number: number }[]> =>
    app.db.query(
      `SELECT type, account_id, version_number FROM events WHERE statement_id = $1 AND type LIKE 'statement.%' ORDER BY id`,
      [id],
    );
  const runsOf = async (accountId: string): Promise<number> =>
    Number(
      (
        (await app.db.query(`SELECT coalesce(sum(polls), 0) AS n FROM capture_runs WHERE account_id = $1`, [
          accountId,
        ])) as { n: string }[]
      )[0].n,
    );

  it('captures an article page: main text, title, byline, date, language, raw HTML byte-exact, a bundle that verifies', async () => {
    site.publish(release(1, { published: '2022-02-11T09:00:00.000Z' }));
    const done = await capture(`${site.releaseUrl(release(1).slug)}?utm_source=x&utm_medium=social#top`);
    expect(done).toMatchObject({ state: 'completed', error: null });
    const view = await statement(done.statementIds[0]);
    expect(view).toMatchObject({ platform: 'web', url: site.releaseUrl(release(1).slug), status: 'active' });
    const [version] = view.versions;
    for (const paragraph of release(1).paragraphs) expect(version.text).toContain(paragraph);
    expect(version.text).not.toMatch(/Privacy policy|Consular issues|Visa information/);
    expect(version.record).toMatchObject({
      platform: 'web',
      postId: site.releaseUrl(release(1).slug),
      title: release(1).title,
      byline: expect.stringContaining('MFA Press Service'),
      authoredAt: '2022-02-11T09:00:00.000Z',
      language: 'en',
    });

    const page = version.artifacts.find((a) => a.role === 'page')!;
    expect(page.sha256).toBe(sha256(site.releaseBytes(release(1).slug)));
    const served = await app
      .http()
      .get(`/api/v1/artifacts/${page.sha256}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((served.body as Buffer).equals(site.releaseBytes(release(1).slug))).toBe(true);
    expect(version.artifacts.map((a) => a.role).sort()).toEqual(['page', 'response-head']);

    const bundle = await waitFor('the evidence bundle', async () => {
      const res = await app.http().get(`/api/v1/statements/${view.id}/evidence?version=1`);
      return res.status === 200 ? (JSON.parse(res.text) as EvidenceBundle) : undefined;
    });
    const path = join(dir, 'page.json');
    writeFileSync(path, JSON.stringify(bundle));
    const out: string[] = [];
    const code = await runVerify(path, { key: logKey }, { out: (t) => out.push(t), err: (t) => out.push(t) });
    expect(out.join('\n')).not.toContain('FAIL');
    expect(code).toBe(0);
  });

  let listAccountId: string;
  const releaseStatementId = async (n: number) => {
    const rows = await statementsOf(listAccountId);
    return rows.find((r) => r.external_id === site.releaseUrl(release(n).slug))?.id;
  };

  it('tracks a press-release list page and captures each linked release once', async () => {
    site.publish(release(2));
    site.publish(release(3));
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: site.listUrl, pollIntervalSeconds: 1 })
      .expect(201);
    expect(res.body).toMatchObject({ platform: 'web' });
    listAccountId = res.body.id;
    // the same page with a fragment or tracking tags is the page already tracked
    for (const variant of [`${site.listUrl}#latest`, `${site.listUrl}?utm_source=newsletter`]) {
      await app.write('post', '/api/v1/accounts').send({ url: variant }).expect(409);
    }
    await waitFor('releases 2 and 3', async () =>
      (await statementsOf(listAccountId)).length === 2 ? true : undefined,
    );
    // a few more polls: the list is the same, nothing is fetched or stored again
    const runs = await runsOf(listAccountId);
    await waitFor('two more polls', async () =>
      (await runsOf(listAccountId)) >= runs + 2 ? true : undefined,
    );
    // release 1, captured on demand before, stays the one statement it was (under its site's account)
    expect((await statementsOf(listAccountId)).map((r) => r.external_id).sort()).toEqual(
      [2, 3].map((n) => site.releaseUrl(release(n).slug)).sort(),
    );
    expect(await statementsWithUrl(site.releaseUrl(release(1).slug))).toHaveLength(1);
    // polls handed over each release once (re-reads of the pages are rechecks, which record no poll runs)
    const [{ seen }]: { seen: string }[] = await app.db.query(
      `SELECT sum(posts_seen) AS seen FROM capture_runs WHERE account_id = $1`,
      [listAccountId],
    );
    expect(Number(seen)).toBe(3);
    const view = await statement((await releaseStatementId(2))!);
    expect(view.versions).toHaveLength(1);
    // the list page's bytes are kept with the releases it led to
    expect(view.versions[0].artifacts.map((a) => a.role)).toContain('list-page');
  });

  it('makes a changed release a new version, and leaves an unchanged one alone', async () => {
    site.edit(
      release(2, {
        paragraphs: [
          'Statement 2, amended: Ukraine calls for a special tribunal for the crime of aggression.',
          'Every crime committed against civilians will be documented, and those responsible will be held to account.',
        ],
      }),
    );
    const id = (await releaseStatementId(2))!;
    const view = await waitFor('the new version', async () => {
      const view = await statement(id);
      return view.versions.length === 2 ? view : undefined;
    });
    expect(view.versions[1].text).toContain('special tribunal');
    // release 3 was re-read as often, with the same bytes: still one version
    const unchanged = await statement((await releaseStatementId(3))!);
    expect(unchanged.versions).toHaveLength(1);
  });

  it('reports a removed release (404) deleted after the confirming recheck', async () => {
    const id = (await releaseStatementId(3))!;
    site.remove(release(3).slug);
    const view = await waitFor(
      'deleted',
      async () => {
        const view = await statement(id);
        return view.status === 'deleted' ? view : undefined;
      },
      20_000,
    );
    expect(view.observations.map((o) => [o.status, o.httpStatus])).toEqual([
      ['missing', 404],
      ['deleted', 404],
    ]);
  });

  it('turns a tweet embedded in a release into a quoted statement linked to the page, and captures the original', async () => {
    const tweet = kulebaXPost(x);
    site.publish(release(4, { embed: tweetEmbed(tweet.id) }));
    const id = await waitFor('release 4', () => releaseStatementId(4));
    const page = (await statement(id)).versions[0].artifacts.find((a) => a.role === 'page')!;
    const quoted = await waitFor('the quoted statement with its original', async () => {
      const [row]: { id: string }[] = await app.db.query(`SELECT id FROM quoted_statements`);
      if (!row) return undefined;
      const view = (await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body;
      return view.original ? view : undefined;
    });
    expect(quoted).toMatchObject({
      kind: 'quoted',
      platform: 'x',
      claimedAuthor: { handle: 'DmytroKuleba' },
      text: KULEBA_STATEMENT_TEXT,
    });
    expect(quoted.sources).toEqual([
      expect.objectContaining({
        url: site.releaseUrl(release(4).slug),
        document: expect.objectContaining({ sha256: page.sha256 }),
      }),
    ]);
    const original = await statement(quoted.original.id);
    expect(original.platform).toBe('x');
    // the release's page in the reading room shows the captured text, never the captured markup
    const shown = await app.http().get(`/statements/${id}`).expect(200);
    expect(shown.text).toContain('Statement 4');
    expect(shown.text).not.toContain('platform.twitter.com/widgets.js');
    expect(shown.text).not.toContain('<blockquote class="twitter-tweet"');
  });

  it('finds in Memento a page or an X post from the link as people share it: tracking tags, a fragment, a dot after the host', async () => {
    const page = site.releaseUrl(release(1).slug);
    const [{ url: post }]: { url: string }[] = await app.db.query(
      `SELECT url FROM statements WHERE platform = 'x'`,
    );
    expect(post).toMatch(/^https:\/\/x\.com\/DmytroKuleba\/status\/[0-9]+$/);
    const [{ id: pageId }]: { id: string }[] = await app.db.query(
      `SELECT id FROM statements WHERE url = $1`,
      [page],
    );
    const shared: [string, string][] = [
      [`${page}?utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc`, page],
      [encodeURIComponent(`${page}?gclid=xyz#top`), page],
      [page.replace('127.0.0.1', '127.0.0.1.'), page],
      [`${post}?s=20`, post],
      [`${post}?t=3vZ_Qx-abc123&s=19`, post],
      [`${post.replace('x.com', 'x.com.')}?s=46&utm_source=share`, post],
    ];
    for (const [asked, original] of shared) {
      const gate = await app.http().get(`/timegate/${asked}`);
      expect([asked, gate.status]).toEqual([asked, 302]);
      // the original in every link is the URL the statement is held under, not the one asked
      expect(gate.headers.link).toContain(`<${original}>; rel="original"`);
      const map = await app.http().get(`/timemap/link/${asked}`).expect(200);
      expect(map.text).toContain(`<${original}>; rel="original"`);
      expect(map.text).toMatch(/rel="first (last )?memento"/);
    }
    expect((await app.http().get(`/timegate/${page}?utm_campaign=x`).expect(302)).headers.location).toContain(
      `/statements/${pageId}?version=`,
    );
    // a parameter that may pick what the page shows is no tracking tag: that is a page we do not hold
    const other = await app.http().get(`/timegate/${page}?page=2`).expect(404);
    expect(JSON.stringify(other.body)).toContain('tracking tags');
    await app.http().get(`/timegate/${post}?lang=en`).expect(404);
  });

  it('reads a release that changed to embed a post for quotes again: the quoted statement gains the page as a source', async () => {
    const [{ id: quotedId }]: { id: string }[] = await app.db.query(`SELECT id FROM quoted_statements`);
    const postId = (
      (await app.http().get(`/api/v1/statements/${quotedId}`).expect(200)).body as {
        sources: { postId: string }[];
      }
    ).sources[0].postId;
    site.edit(release(2, { embed: tweetEmbed(postId) }));
    const view = await waitFor('the second source', async () => {
      const view = (await app.http().get(`/api/v1/statements/${quotedId}`).expect(200)).body as {
        sources: { url: string }[];
      };
      return view.sources.length === 2 ? view : undefined;
    });
    expect(view.sources.map((s) => s.url)).toEqual([
      site.releaseUrl(release(4).slug),
      site.releaseUrl(release(2).slug),
    ]);
  });

  it('keeps a release captured by a list poll one statement when it is captured on demand: same id, an edit a version of it', async () => {
    site.publish(release(5));
    const url = site.releaseUrl(release(5).slug);
    const id = await waitFor('release 5', () => releaseStatementId(5));

    // unchanged: the capture names the statement the list poll made, and adds nothing to it
    const same = await capture(`${url}?utm_source=newsletter`);
    expect(same).toMatchObject({ state: 'completed', statementIds: [id] });
    expect((await statement(id)).versions).toHaveLength(1);

    site.edit(
      release(5, {
        paragraphs: ['Statement 5, corrected: the meeting will take place in Kyiv on Monday.'],
      }),
    );
    const edited = await capture(url);
    expect(edited).toMatchObject({ state: 'completed', statementIds: [id] });
    const view = await statement(id);
    expect(view.versions).toHaveLength(2);
    expect(view.versions[1].text).toContain('corrected');
    // the record names the statement's account, as its first version does
    expect(view.versions[1].record.account).toBe(view.versions[0].record.account);
    expect(await statementsWithUrl(url)).toEqual([{ id, account_id: listAccountId }]);
    // one created, one edited (by this capture or a recheck that read the edit first), both of the list's account
    expect(await eventsOf(id)).toEqual([
      { type: 'statement.created', account_id: listAccountId, version_number: 1 },
      { type: 'statement.edited', account_id: listAccountId, version_number: 2 },
    ]);
  });

  it('keeps a release linked by two tracked list pages one statement', async () => {
    const urls = [2, 5].map((n) => site.releaseUrl(release(n).slug));
    site.server.setFeed('/en/press-service/highlights', {
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><title>Highlights</title></head><body><main><ul>
        ${urls.map((u) => `<li class="item"><a href="${new URL(u).pathname}#more">Read</a></li>`).join('\n')}
      </ul></main></body></html>`,
    });
    const held = await Promise.all(urls.map(async (u) => (await statementsWithUrl(u))[0].id));
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: site.server.url('/en/press-service/highlights'), pollIntervalSeconds: 1 })
      .expect(201);
    await waitFor('a poll of the second list', async () =>
      (await runsOf(res.body.id)) > 0 ? true : undefined,
    );
    await app.write('patch', `/api/v1/accounts/${res.body.id}`).send({ paused: true }).expect(200);
    const [{ seen }]: { seen: string }[] = await app.db.query(
      `SELECT sum(posts_seen) AS seen FROM capture_runs WHERE account_id = $1`,
      [res.body.id],
    );
    expect(Number(seen)).toBe(2);
    expect(await statementsOf(res.body.id)).toEqual([]);
    for (const [i, u] of urls.entries())
      expect(await statementsWithUrl(u)).toEqual([{ id: held[i], account_id: listAccountId }]);

    // listed under the second list too, newest captured first, under the account that holds them
    const second = res.body.id as string;
    const newestFirst = [...held].reverse();
    const listed = await app.http().get(`/api/v1/statements?accountId=${second}`).expect(200);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual(newestFirst);
    expect(listed.body.items.map((i: { account: { id: string } }) => i.account.id)).toEqual([
      listAccountId,
      listAccountId,
    ]);
    const firstPage = await app.http().get(`/api/v1/statements?accountId=${second}&limit=1`).expect(200);
    expect(firstPage.body.items.map((i: { id: string }) => i.id)).toEqual([newestFirst[0]]);
    const nextPage = await app
      .http()
      .get(`/api/v1/statements?accountId=${second}&limit=1&cursor=${firstPage.body.nextCursor}`)
      .expect(200);
    expect(nextPage.body.items.map((i: { id: string }) => i.id)).toEqual([newestFirst[1]]);
    const feed = (await app.http().get(`/feeds/accounts/${second}.atom`).expect(200)).text;
    for (const id of held) expect(feed).toContain(id);
    // and the second list's WARC holds their captures
    const warc = gunzipSync((await getBytes(app, `/accounts/${second}.warc.gz`)).body).toString('latin1');
    for (const id of held) expect(warc).toContain(`statement-id: ${id}`);
    // the holder's own list still lists them, once each
    const own = await app.http().get(`/api/v1/statements?accountId=${listAccountId}&limit=200`).expect(200);
    for (const id of held) expect(own.body.items.filter((i: { id: string }) => i.id === id)).toHaveLength(1);

    // a subscription to the second list hears of an edit to a page it saw, with the list named in seenBy
    const subscription = await app
      .write('post', '/api/v1/subscriptions')
      .send({
        url: site.server.url('/hooks/second-list'),
        events: ['statement.edited'],
        accountIds: [second],
      })
      .expect(201);
    site.edit(release(5, { paragraphs: ['Statement 5, corrected twice: the meeting moves to Tuesday.'] }));
    const payload = await waitFor('a delivery of the edit to the second list', async () => {
      const rows: { payload: { data: { statementId: string; seenBy?: string[] } } }[] = await app.db.query(
        `SELECT convert_from(o.payload, 'UTF8')::jsonb AS payload
         FROM deliveries d JOIN event_outbox o ON o.position = d.position WHERE d.subscription_id = $1`,
        [subscription.body.id],
      );
      return rows[0]?.payload;
    });
    // (the site account of the earlier on-demand capture of release 5 saw it too)
    expect(payload.data.statementId).toBe(held[1]);
    expect(payload.data.seenBy).toContain(second);

    // a search narrowed to the second list finds the pages it saw, a page at a time in capture order
    const ids = async (path: string) =>
      (await app.http().get(path).expect(200)).body as { items: { id: string }[]; nextCursor: string | null };
    expect((await ids(`/api/v1/statements?accountId=${second}&q=Tuesday`)).items.map((i) => i.id)).toEqual([
      held[1],
    ]);
    const searched = await ids(`/api/v1/statements?accountId=${second}&q=statement&limit=1`);
    expect(searched.items.map((i) => i.id)).toEqual([held[1]]);
    const searchedNext = await ids(
      `/api/v1/statements?accountId=${second}&q=statement&limit=1&cursor=${searched.nextCursor}`,
    );
    expect(searchedNext.items.map((i) => i.id)).toEqual([held[0]]);
    expect(searchedNext.nextCursor).toBeNull();
  });

  it('refuses to track an article page, which lists no releases, and says to capture it instead', async () => {
    const url = site.releaseUrl(release(5).slug);
    const res = await app.write('post', '/api/v1/accounts').send({ url, pollIntervalSeconds: 1 }).expect(400);
    expect(res.body).toMatchObject({ error: 'unsupported-url' });
    expect(res.body.message).toContain('lists no releases');
    expect(res.body.message).toContain('POST /api/v1/captures');
    const [{ n }]: { n: string }[] = await app.db.query(
      `SELECT count(*) AS n FROM accounts WHERE handle = $1 AND tracking`,
      [url],
    );
    expect(Number(n)).toBe(0);
  });

  describe.each(hostileWebCorpus(MAX_BYTES))('a hostile page: $name', ({ name, body, outcome }) => {
    it(`ends as ${outcome.kind === 'captured' ? 'a captured page' : 'a recorded failure'}`, async () => {
      const path = `/hostile/${name.replace(/\W+/g, '-')}`;
      site.server.setFeed(path, { body, contentType: 'text/html; charset=utf-8' });
      const done = await capture(site.server.url(path));
      if (outcome.kind === 'captured') {
        expect(done.state).toBe('completed');
        const view = await statement(done.statementIds[0]);
        expect(view.versions[0].text).toContain(outcome.textContains);
      } else {
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(outcome.reason);
      }
    });
  });

  it('reads a bounded number of releases per poll from a list of 100,000 links', async () => {
    site.server.setFeed('/hostile/list', { body: manyLinksPage(100_000), contentType: 'text/html' });
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: site.server.url('/hostile/list'), pollIntervalSeconds: 1 })
      .expect(201);
    await waitFor('two polls', async () => ((await runsOf(res.body.id)) >= 2 ? true : undefined));
    const polls = await runsOf(res.body.id);
    await app.write('patch', `/api/v1/accounts/${res.body.id}`).send({ paused: true }).expect(200);
    let read = 0;
    for (let i = 0; i < 200; i++) read += site.requestCount(`/r/${i}`);
    // every poll reads at most RELEASES_PER_POLL links (the one under way may have started its reads)
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThanOrEqual(RELEASES_PER_POLL * (polls + 1));
    // the links are taken in list order: nothing past what the polls could reach was asked for
    expect(site.requestCount(`/r/${RELEASES_PER_POLL * (polls + 1)}`)).toBe(0);
  });
});
