import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseLogEntry } from '@app/ledger';
import { auditLog } from '@app/log/audit';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import {
  type FakeX,
  KULEBA_STATEMENT_TEXT,
  KULEBA_X_USER,
  kulebaXPost,
  startFakeX,
} from '@app/testing/fake-x';
import { getBytes, startTestApp, waitFor, type TestApp } from './support/app';
import { startCli, waitForExit } from './support/processes';

/** The 27 February 2022 news article quoting Dmytro Kuleba's call for the International Legion. */
const ARTICLE_FILE = resolve(__dirname, '../../libs/core/src/quotes/testdata/kuleba-article.txt');
const ARTICLE_URL = 'https://news.example/2022/02/27/kuleba-legion';
const ORIGIN = 'quotes.test/verbatim';

interface QuotedView {
  id: string;
  kind: string;
  evidenceLevel: string;
  platform: string;
  claimedAuthor: { handle: string; name: string | null };
  claimedDate: string | null;
  text: string;
  sources: {
    url: string | null;
    foundIn: string;
    text: string;
    postId: string | null;
    recordSha256: string;
    leafIndex: number | null;
    document: { sha256: string; mediaType: string; url: string };
  }[];
  original: { id: string; matchedBy: string } | null;
}
interface ExtractionView {
  format: string;
  quotedStatements: (QuotedView & { recorded: boolean; captureRequested: string | null })[];
}

/** An article page embedding a post with X's embed code (before its script runs). */
function embedPage(postId: string, text: string): string {
  return `<!doctype html><html><head><title>Kuleba calls on foreigners</title></head><body><article>
    <p>Ukraine's Foreign Minister urged foreign nationals to join the defence.</p>
    <blockquote class="twitter-tweet"><p lang="en" dir="ltr">${text}</p>&mdash; Dmytro Kuleba (@DmytroKuleba)
    <a href="https://twitter.com/DmytroKuleba/status/${postId}?ref_src=twsrc%5Etfw">February 27, 2022</a></blockquote>
    <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>
  </article></body></html>`;
}

describe('quoted statements', () => {
  let env: TestEnvironment;
  let x: FakeX;
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    x = await startFakeX();
    dir = mkdtempSync(join(tmpdir(), 'verbatim-quotes-'));
    app = await startTestApp(
      env.config({
        VERBATIM_X_API_BASE_URL: x.origin,
        VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
        VERBATIM_X_OEMBED_BASE_URL: x.origin,
        VERBATIM_LOG_ORIGIN: ORIGIN,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await x?.close();
    await env?.destroy();
  });

  const cli = async (args: string[]) => {
    const proc = startCli(['extract', ...args], env.env({ VERBATIM_LOG_ORIGIN: ORIGIN }));
    const exit = await waitForExit(proc, 30_000);
    return { code: exit.code, output: proc.output() };
  };
  const view = async (id: string) => (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body;
  const quotedIds = async () =>
    ((await app.db.query(`SELECT id FROM quoted_statements ORDER BY seq`)) as { id: string }[]).map(
      (r) => r.id,
    );
  const capture = async (url: string): Promise<string> => {
    const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
    const done = await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : res.body;
    });
    expect(done.state).toBe('completed');
    return done.statementIds[0] as string;
  };

  let kulebaQuoteId: string;

  it('`verbatim extract --dry-run` prints the one quote of the Kuleba article and records nothing', async () => {
    const run = await cli(['--dry-run', '--json', ARTICLE_FILE]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.output.slice(run.output.indexOf('{')));
    expect(printed.quotes).toEqual([
      expect.objectContaining({ handle: 'DmytroKuleba', date: '2022-02-27', text: KULEBA_STATEMENT_TEXT }),
    ]);
    expect(await quotedIds()).toEqual([]);
  });

  it('`verbatim extract` records exactly one quoted statement: @DmytroKuleba, 2022-02-27, the exact text', async () => {
    const run = await cli(['--source-url', ARTICLE_URL, ARTICLE_FILE]);
    expect(run.code).toBe(0);
    expect(run.output).toContain('1 quoted statement(s)');
    const ids = await quotedIds();
    expect(ids).toHaveLength(1);
    kulebaQuoteId = ids[0];
    const quoted = (await view(kulebaQuoteId)) as QuotedView;
    expect(quoted).toMatchObject({
      kind: 'quoted',
      evidenceLevel: 'quoted',
      platform: 'x',
      claimedAuthor: { handle: 'DmytroKuleba', name: 'Dmytro Kuleba' },
      claimedDate: '2022-02-27',
      text: KULEBA_STATEMENT_TEXT,
      original: null,
    });
    expect(quoted.sources).toHaveLength(1);
    expect(quoted.sources[0]).toMatchObject({
      url: ARTICLE_URL,
      foundIn: 'text',
      text: KULEBA_STATEMENT_TEXT,
    });
    // the article is kept byte for byte as the artifact the quote was read from
    const document = await getBytes(app, quoted.sources[0].document.url);
    expect(Buffer.compare(document.body, readFileSync(ARTICLE_FILE))).toBe(0);

    const again = await cli(['--source-url', ARTICLE_URL, ARTICLE_FILE]);
    expect(again.output).toContain('already recorded from this document');
    expect(((await view(kulebaQuoteId)) as QuotedView).sources).toHaveLength(1);
  });

  it('enters the transparency log as a quotation entry naming the claim and the article', async () => {
    const source = await waitFor('the quotation in the log', async () => {
      const s = ((await view(kulebaQuoteId)) as QuotedView).sources[0];
      return s.leafIndex === null ? undefined : s;
    });
    const [row]: { entry: Buffer }[] = await app.db.query(`SELECT entry FROM log_entries WHERE idx = $1`, [
      source.leafIndex,
    ]);
    const entry = parseLogEntry(row.entry);
    expect(entry).toMatchObject({
      type: 'quotation',
      statementId: kulebaQuoteId,
      recordSha256: source.recordSha256,
      origin: ORIGIN,
      artifacts: [expect.objectContaining({ role: 'source-document', sha256: source.document.sha256 })],
    });
    expect(entry).not.toHaveProperty('version');
    // the audit recomputes the log with the quotation in it and finds nothing wrong
    const logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    const report = await auditLog(app.db, { logKey });
    expect(report).toMatchObject({ ok: true, problems: [] });
    // quotations are append-only, like the captures
    await expect(app.db.query(`UPDATE quotations SET source_url = NULL`)).rejects.toThrow('append-only');
    await expect(app.db.query(`DELETE FROM quoted_statements`)).rejects.toThrow('append-only');
  });

  it('finds the embed in an HTML page, links it to the captured X post, and joins the earlier quote', async () => {
    const post = kulebaXPost(x);
    const originalId = await capture(`https://x.com/${KULEBA_X_USER.username}/status/${post.id}`);
    // the embed prints the text over several lines: the same text, white space aside
    const html = embedPage(post.id, KULEBA_STATEMENT_TEXT.replace('. Together', '.\n    Together'));
    const res = await app
      .write('post', '/api/v1/extractions')
      .send({ text: html, sourceUrl: 'https://other-news.example/kuleba' })
      .expect(201);
    const body = res.body as ExtractionView;
    expect(body.format).toBe('html');
    expect(body.quotedStatements).toHaveLength(1);
    const [quoted] = body.quotedStatements;
    expect(quoted).toMatchObject({
      id: kulebaQuoteId,
      recorded: true,
      captureRequested: null,
      original: { id: originalId, matchedBy: 'post-id' },
    });
    expect(quoted.sources.map((s) => [s.url, s.foundIn, s.postId])).toEqual([
      [ARTICLE_URL, 'text', null],
      ['https://other-news.example/kuleba', 'embed', post.id],
    ]);
    const original = await view(originalId);
    expect(original.kind).toBe('captured');
    expect(original.quotedBy).toEqual([
      {
        id: kulebaQuoteId,
        sources: 2,
        url: `/api/v1/statements/${kulebaQuoteId}`,
        claimedHandle: 'DmytroKuleba',
        text: KULEBA_STATEMENT_TEXT,
        sourceUrls: [ARTICLE_URL, 'https://other-news.example/kuleba'],
      },
    ]);
  });

  it('links a quote printed as text to the captured post of the same handle and text, and two articles together', async () => {
    const text = 'The Russian army shelled a kindergarten in Okhtyrka. This is a war crime.';
    const post = x.publish(KULEBA_X_USER.username, { text });
    const originalId = await capture(`https://x.com/${KULEBA_X_USER.username}/status/${post.id}`);
    const quote = (spacing: string) =>
      `Kuleba wrote:\n\n${text.replace(/ /g, spacing)} — Dmytro Kuleba (@dmytrokuleba) February 26, 2022\n\nMore.`;
    const first = await app
      .write('post', '/api/v1/extractions')
      .send({ text: quote(' ') })
      .expect(201);
    const second = await app
      .write('post', '/api/v1/extractions')
      .send({ text: quote('  '), sourceUrl: 'https://third.example/a', format: 'text' })
      .expect(201);
    const [a] = (first.body as ExtractionView).quotedStatements;
    const [b] = (second.body as ExtractionView).quotedStatements;
    expect(b.id).toBe(a.id);
    expect(b.original).toEqual({ id: originalId, url: expect.any(String), text, matchedBy: 'text' });
    expect(b.sources.map((s) => s.url)).toEqual([null, 'https://third.example/a']);
    expect(b.claimedDate).toBe('2022-02-26');
    expect((await view(originalId)).quotedBy.map((q: { id: string }) => q.id)).toEqual([a.id]);
    // a different text by the same person is another quoted statement, not linked
    const other = await app
      .write('post', '/api/v1/extractions')
      .send({ text: `${text} Really. — Dmytro Kuleba (@DmytroKuleba) February 26, 2022` })
      .expect(201);
    expect((other.body as ExtractionView).quotedStatements[0]).toMatchObject({ original: null });
    expect((other.body as ExtractionView).quotedStatements[0].id).not.toBe(a.id);
  });

  it('asks for a capture of an embedded post it does not hold, and links it once captured', async () => {
    const post = x.publish(KULEBA_X_USER.username, { text: 'Ukraine will never surrender.' });
    const res = await app
      .write('post', '/api/v1/extractions')
      .send({ text: embedPage(post.id, 'Ukraine will never surrender.') })
      .expect(201);
    const [quoted] = (res.body as ExtractionView).quotedStatements;
    expect(quoted.original).toBeNull();
    expect(quoted.captureRequested).toEqual(expect.any(String));
    const linked = await waitFor('the original', async () => {
      const v = (await view(quoted.id)) as QuotedView;
      return v.original ?? undefined;
    });
    expect(linked.matchedBy).toBe('post-id');
    const [row]: { external_id: string }[] = await app.db.query(
      `SELECT external_id FROM statements WHERE id = $1`,
      [linked.id],
    );
    expect(row.external_id).toBe(post.id);
  });

  it('answers 400 with what to fix for bad bodies, 401 without a token, 413 for a body too large', async () => {
    // every refused body but the first ones quotes a statement: refused, it must record nothing
    const text = 'Hello. \u2014 A Person (@a_person) May 1, 2020';
    const cases: [unknown, string][] = [
      [{}, 'text: is empty'],
      [{ text: '' }, 'text: is empty'],
      [{ text: 42 }, 'text: must be the article as a string'],
      [{ text: 'a'.repeat(200_001) }, 'text: is longer than 200000 characters'],
      [{ text, sourceUrl: 'javascript:alert(1)' }, 'sourceUrl: must be an http(s) URL'],
      [
        { text, sourceUrl: 'https://user:secret@news.example/article' },
        'URLs with a user name or password are not accepted: https://news.example/article',
      ],
      [{ text, format: 'pdf' }, 'format: must be "text" or "html"'],
      [{ text, extra: 1 }, 'extra: unknown field; remove it'],
    ];
    const count = () => app.db.query(`SELECT count(*)::int AS n FROM quotations`);
    const before = await count();
    for (const [body, message] of cases) {
      const res = await app
        .write('post', '/api/v1/extractions')
        .send(body as object)
        .expect(400);
      expect([res.body.message].flat().join('\n')).toContain(message);
    }
    await app.http().post('/api/v1/extractions').send({ text }).expect(401);
    await app
      .write('post', '/api/v1/extractions')
      .send({ text: 'a'.repeat(300_000) })
      .expect(413);
    // nothing was recorded by any of them
    expect(await count()).toEqual(before);
  });

  it('keeps a quote holding U+0000 (PostgreSQL text cannot) with U+FFFD in its place', async () => {
    const res = await app
      .write('post', '/api/v1/extractions')
      .send({ text: 'Null\u0000 byte. \u2014 Someone (@someone) March 1, 2024' })
      .expect(201);
    expect((res.body as ExtractionView).quotedStatements[0].text).toBe('Null\ufffd byte.');
  });

  it('`verbatim extract` says what is wrong with an unreadable file, a bad source URL or option (exit 2)', async () => {
    const file = join(dir, 'empty.txt');
    writeFileSync(file, 'No quotes here.');
    expect(await cli(['--dry-run', join(dir, 'missing.txt')])).toMatchObject({ code: 2 });
    const bad = await cli(['--source-url', 'not a url', file]);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--source-url must be an http(s) URL');
    // refused by the option parser (commander), which exits 1 unless told otherwise
    const format = await cli(['--dry-run', '--format', 'pdf', file]);
    expect(format.code).toBe(2);
    expect(format.output).toContain("error: option '--format <format>' argument 'pdf' is invalid");
    expect(await cli(['--dry-run', '--bogus', file])).toMatchObject({ code: 2 });
    expect(await cli([file])).toMatchObject({
      code: 0,
      output: expect.stringContaining('0 quoted statement(s)'),
    });
  });

  // last, as it forges a stored claim (as the database owner, behind the append-only triggers)
  it('the audit finds a quotation whose stored claim no longer hashes to its log entry', async () => {
    const [quotation]: { record_sha256: string }[] = await app.db.query(
      `SELECT record_sha256 FROM quotations WHERE quoted_statement_id = $1 ORDER BY seq LIMIT 1`,
      [kulebaQuoteId],
    );
    await app.db.query('ALTER TABLE quotations DISABLE TRIGGER ALL');
    await app.db.query(
      `UPDATE quotations SET record = jsonb_set(record, '{text}', '"Forged."') WHERE record_sha256 = $1`,
      [quotation.record_sha256],
    );
    await app.db.query('ALTER TABLE quotations ENABLE ALWAYS TRIGGER quotations_no_change');
    const logKey = (await app.http().get('/log/key').expect(200)).text.trim();
    const report = await auditLog(app.db, { logKey });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringContaining(`the claim of quotation ${quotation.record_sha256} now hashes to`),
    ]);
  });
});
