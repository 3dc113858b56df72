import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Page } from 'playwright-core';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { launchBrowser, type TestBrowser } from './support/browser';
import { startTestApp, waitFor, type TestApp } from './support/app';

const PUBLIC_URL = 'https://archive.test';
const CYRILLIC = 'Міністерство закордонних справ України засуджує обстріл Одеси.';
/** Russian has a stemmer: "министр" finds "министра" */
const RUSSIAN = 'Заявление министра иностранных дел о переговорах.';
const CYRILLIC_EDITED = 'Міністерство закордонних справ України рішуче засуджує нічний обстріл Одеси.';
const HOSTILE =
  '<p>Notice <script>window.__pwned = "script"; alert("pwned")</script>' +
  '<img src="x" onerror="window.__pwned = \'img\'; alert(\'pwned\')"> ends here.</p>';
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface VersionView {
  number: number;
  text: string;
  recordSha256: string;
  record: { editedAt: string | null };
}
interface StatementView {
  id: string;
  url: string;
  account: { id: string };
  versions: VersionView[];
}

/**
 * The reading room in a real browser: statements captured from a fake Mastodon through the real pipeline,
 * then searched, read, cited and scanned for accessibility in headless Chromium.
 */
describe('reading room', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let base: string;
  let browser: TestBrowser;
  let cyrillicId: string;
  let hostileId: string;
  let russianId: string;

  const statementOf = async (externalId: string) =>
    waitFor(`the statement of post ${externalId}`, async () => {
      const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
        externalId,
      ]);
      return row?.id;
    });
  const view = async (id: string) =>
    (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as StatementView;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-reading-room-'));
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa_ukraine', displayName: 'МЗС України' });
    const cyrillicPost = mastodon.publish('mfa_ukraine', { content: CYRILLIC, language: 'uk' }).id;
    const hostilePost = mastodon.publish('mfa_ukraine', { content: HOSTILE, language: 'en' }).id;
    const russianPost = mastodon.publish('mfa_ukraine', { content: RUSSIAN, language: 'ru' }).id;
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_PUBLIC_URL: PUBLIC_URL,
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
      }),
    );
    await app.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa_ukraine`, pollIntervalSeconds: 3600 })
      .expect(201);
    cyrillicId = await statementOf(cyrillicPost);
    hostileId = await statementOf(hostilePost);
    russianId = await statementOf(russianPost);
    mastodon.edit(cyrillicPost, CYRILLIC_EDITED);
    await waitFor('the edit', async () =>
      (await view(cyrillicId)).versions.length === 2 ? true : undefined,
    );
    await waitFor('the log entry of the edit', async () => {
      const rows: unknown[] = await app.db.query(
        `SELECT 1 FROM log_entries WHERE statement_id = $1 AND version_number = 2`,
        [cyrillicId],
      );
      return rows.length ? true : undefined;
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async (path: string): Promise<Page> => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${base}${path}`);
    expect(response?.status()).toBe(200);
    return page;
  };

  it('finds Cyrillic statements by another form of the word: Russian by its stem, Ukrainian by a prefix', async () => {
    const page = await open('/');
    await page.getByLabel('Search statements').fill('министр');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/search\?q=/);
    const russian = page.locator('ol.statements > li');
    await expect(russian.count()).resolves.toBe(1);
    await expect(russian.first().textContent()).resolves.toContain('Заявление министра');
    await expect(russian.first().locator(`a[href="/statements/${russianId}"]`).count()).resolves.toBe(1);
    // Ukrainian has no stemmer in PostgreSQL: the nominative "Одеса" is found by the prefix of its forms
    await page.close();
    const prefixed = await open(`/search?q=${encodeURIComponent('Одес*')}`);
    const ukrainian = prefixed.locator('ol.statements > li');
    await expect(ukrainian.count()).resolves.toBe(1);
    await expect(ukrainian.first().locator(`a[href="/statements/${cyrillicId}"]`).count()).resolves.toBe(1);
    await prefixed.close();
  });

  it('finds a Cyrillic statement through the search form, and the language filter narrows it', async () => {
    const page = await open('/');
    await page.getByLabel('Search statements').fill('Одеси');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/search\?q=/);
    const results = page.locator('ol.statements > li');
    await expect(results.count()).resolves.toBe(1);
    await expect(results.first().textContent()).resolves.toContain('рішуче засуджує нічний обстріл Одеси');
    await results.first().locator(`a[href="/statements/${cyrillicId}"]`).click();
    await page.waitForURL(`${base}/statements/${cyrillicId}`);
    await page.close();

    const inUkrainian = await app.http().get('/search').query({ q: 'Одеси', language: 'uk' }).expect(200);
    expect(inUkrainian.text).toContain(`/statements/${cyrillicId}`);
    const inEnglish = await app.http().get('/search').query({ q: 'Одеси', language: 'en' }).expect(200);
    expect(inEnglish.text).not.toContain(`/statements/${cyrillicId}`);
    const onTelegram = await app
      .http()
      .get('/search')
      .query({ q: 'Одеси', platform: 'telegram' })
      .expect(200);
    expect(onTelegram.text).not.toContain(`/statements/${cyrillicId}`);

    // the home page lists the edited statement under "Edited statements", not the unedited one
    const home = await app.http().get('/').expect(200);
    const edited = home.text.slice(
      home.text.indexOf('id="edited-heading"'),
      home.text.indexOf('id="deleted-heading"'),
    );
    expect(edited).toContain(`/statements/${cyrillicId}`);
    expect(edited).not.toContain(`/statements/${hostileId}`);
  });

  it('exports the same results as CSV and JSON Lines, text exactly as captured', async () => {
    const csv = await app.http().get('/search.csv').query({ q: 'Одеси' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows: Record<string, string>[] = parseCsv(csv.text, { columns: true });
    expect(rows).toEqual([
      expect.objectContaining({
        id: cyrillicId,
        // the version whose text the row carries
        permalink: `${PUBLIC_URL}/statements/${cyrillicId}?version=2`,
        text: CYRILLIC_EDITED,
        latest_version: '2',
      }),
    ]);
    const jsonl = await app.http().get('/search.jsonl').query({ q: 'Одеси' }).expect(200);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        id: cyrillicId,
        permalink: `${PUBLIC_URL}/statements/${cyrillicId}?version=2`,
        text: CYRILLIC_EDITED,
      }),
    ]);
  });

  it('shows the versions of a statement and a word-level diff between them', async () => {
    const page = await open(`/statements/${cyrillicId}`);
    await expect(page.locator('#versions > li').count()).resolves.toBe(2);
    await expect(page.locator('#version-1').textContent()).resolves.toContain(CYRILLIC);
    const diff = page.locator('#version-2 .diff');
    await expect(diff.locator('ins').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('рішуче'), expect.stringContaining('нічний')]),
    );
    await expect(page.locator('blockquote.text').getAttribute('lang')).resolves.toBe('uk');
    // Mastodon says when the author edited: the page gives it beside the capture time, to the second
    const { editedAt } = (await view(cyrillicId)).versions[1].record;
    expect(editedAt).not.toBeNull();
    await expect(page.locator('#version-2 > p.meta time').nth(1).getAttribute('datetime')).resolves.toBe(
      editedAt,
    );
    await expect(page.locator('#version-2 > p.meta').textContent()).resolves.toMatch(
      /Edited by the author: \d+ \w+ \d{4}, \d\d:\d\d:\d\d UTC/,
    );
    await page.close();
  });

  it('shows an account timeline with status badges, capture health and the Atom feed link', async () => {
    const accountId = (await view(cyrillicId)).account.id;
    const page = await open(`/accounts/${accountId}`);
    const item = page.locator('ol.statements > li', {
      has: page.locator(`a[href="/statements/${cyrillicId}"]`),
    });
    await expect(item.locator('.badge').allTextContents()).resolves.toEqual(['active', 'edited']);
    // the Ukrainian statement, the hostile one and the Russian one
    await expect(page.locator('ol.statements > li').count()).resolves.toBe(3);
    await expect(page.locator('#health-heading + dl').textContent()).resolves.toContain('Last poll');
    await expect(page.locator(`a[href="/feeds/accounts/${accountId}.atom"]`).count()).resolves.toBe(1);
    await expect(
      page.locator(`link[rel="alternate"][type="application/atom+xml"]`).getAttribute('href'),
    ).resolves.toBe(`/feeds/accounts/${accountId}.atom`);
    await page.close();
  });

  it('shows since when an account’s polls have been deferred for the archive’s own load', async () => {
    const accountId = (await view(cyrillicId)).account.id;
    const since = '2026-11-30T08:00:00.000Z';
    await app.db.query(`UPDATE accounts SET deferred_since = $2 WHERE id = $1`, [accountId, since]);
    try {
      const account = (await app.http().get(`/api/v1/accounts/${accountId}`).expect(200)).body;
      expect(account.deferredSince).toBe(since);
      const page = await open(`/accounts/${accountId}`);
      const health = await page.locator('#health-heading + dl').textContent();
      expect(health).toContain('Polls deferred since');
      expect(health).toContain('its own load, not the source');
      await expect(page.locator(`#health-heading + dl time[datetime="${since}"]`).count()).resolves.toBe(1);
      await page.close();
    } finally {
      await app.db.query(`UPDATE accounts SET deferred_since = NULL WHERE id = $1`, [accountId]);
    }
    const page = await open(`/accounts/${accountId}`);
    await expect(page.locator('#health-heading + dl').textContent()).resolves.not.toContain('deferred');
    await page.close();
  });

  it('gives every citation format the permalink and the record hash, and Highwire tags', async () => {
    const latest = (await view(cyrillicId)).versions[1];
    const page = await open(`/statements/${cyrillicId}`);
    // the page follows the latest version, its citations name that version: the next edit will not change them
    const permalink = `${PUBLIC_URL}/statements/${cyrillicId}?version=2`;
    for (const format of ['apa', 'chicago', 'mla', 'biblatex', 'bibtex', 'csl-json']) {
      const text = await page.locator(`#cite-${format}`).textContent();
      expect({
        format,
        permalink: text?.includes(permalink),
        hash: text?.includes(latest.recordSha256),
      }).toEqual({
        format,
        permalink: true,
        hash: true,
      });
    }
    await expect(page.locator('#record-sha256').textContent()).resolves.toBe(latest.recordSha256);
    await expect(page.locator('meta[name="citation_public_url"]').getAttribute('content')).resolves.toBe(
      permalink,
    );
    await expect(page.locator('meta[name="citation_author"]').getAttribute('content')).resolves.toContain(
      'МЗС України',
    );
    const verify = page.locator('#verify-button');
    await expect(verify.getAttribute('data-bundle-url')).resolves.toBe(
      `/api/v1/statements/${cyrillicId}/evidence?version=2`,
    );
    await expect(verify.getAttribute('data-key-url')).resolves.toBe('/log/key');
    await expect(page.locator('#verify-steps[aria-live="polite"]').count()).resolves.toBe(1);
    await page.close();
  });

  it('names the platform and this installation in citations, and gives BibTeX a month it knows', async () => {
    const page = await open(`/statements/${cyrillicId}`);
    const cite = async (format: string) => (await page.locator(`#cite-${format}`).textContent()) ?? '';
    const originalUrl = (await view(cyrillicId)).url;
    for (const format of ['apa', 'chicago', 'mla', 'biblatex', 'bibtex', 'csl-json'])
      expect({ format, original: (await cite(format)).includes(originalUrl) }).toEqual({
        format,
        original: true,
      });
    await expect(page.locator('meta[name="citation_publisher"]').getAttribute('content')).resolves.toBe(
      'Mastodon',
    );
    for (const format of ['apa', 'chicago', 'mla']) {
      const text = await cite(format);
      // the platform by its name, the archive by this installation's host (not the software's name)
      const named = { format, platform: text.includes('Mastodon'), archive: text.includes('archive.test') };
      expect(named).toEqual({ format, platform: true, archive: true });
      expect(text).toContain('version 2');
      expect(text).not.toContain('Verbatim');
    }
    const biblatex = await cite('biblatex');
    expect(biblatex).toMatch(/^@online\{verbatim[0-9a-f]{32}v2,$/m);
    expect(biblatex).toContain('  organization = {Mastodon},');
    expect(biblatex).toContain('  version = {2},');
    expect(biblatex).not.toContain('booktitle');
    const bibtex = await cite('bibtex');
    expect(bibtex).toMatch(/^ {2}month = (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec),$/m);
    expect(bibtex).toMatch(/^ {2}year = \{\d{4}\},$/m);
    const [item] = JSON.parse(await cite('csl-json')) as Record<string, unknown>[];
    expect(item).toMatchObject({
      type: 'post',
      'container-title': 'Mastodon',
      version: '2',
      URL: `${PUBLIC_URL}/statements/${cyrillicId}?version=2`,
      archive: 'archive.test',
    });
    await page.close();
  });

  it('at ?version=1, links, cites and verifies version 1, not the latest', async () => {
    const first = (await view(cyrillicId)).versions[0];
    const page = await open(`/statements/${cyrillicId}?version=1`);
    await expect(page.locator('#record-sha256').textContent()).resolves.toBe(first.recordSha256);
    const bundleUrl = `/api/v1/statements/${cyrillicId}/evidence?version=1`;
    await expect(
      page.locator('#evidence a', { hasText: 'Evidence bundle' }).getAttribute('href'),
    ).resolves.toBe(bundleUrl);
    await expect(page.locator('#verify-button').getAttribute('data-bundle-url')).resolves.toBe(bundleUrl);
    await expect(page.locator('meta[name="citation_public_url"]').getAttribute('content')).resolves.toBe(
      `${PUBLIC_URL}/statements/${cyrillicId}?version=1`,
    );
    await expect(page.locator('#cite-apa').textContent()).resolves.toContain(first.recordSha256);
    // the browser verifies the bundle the page links to, and says it is of the version shown
    await waitFor('version 1 in a signed checkpoint', async () =>
      (await app.http().get(bundleUrl)).status === 200 ? true : undefined,
    );
    await page.click('#verify-button');
    await page.waitForSelector('#verify-steps:not([aria-busy]) li[data-step="summary"]');
    await expect(page.locator('#verify-steps li[data-step="shown"]').textContent()).resolves.toContain(
      `version 1, record ${first.recordSha256}`,
    );
    await expect(
      page.locator('#verify-steps li[data-step="summary"]').getAttribute('data-result'),
    ).resolves.toBe('passed');
    await page.close();
  });

  it('names each evidence bundle it hands out by its version', async () => {
    const disposition = (query: string) =>
      waitFor(`the bundle at ${query || 'the latest'}`, async () => {
        const res = await app.http().get(`/api/v1/statements/${cyrillicId}/evidence${query}`);
        return res.status === 200 ? (res.headers['content-disposition'] as string) : undefined;
      });
    await expect(disposition('?version=1')).resolves.toBe(
      `attachment; filename="${cyrillicId}.v1.evidence.json"`,
    );
    // the latest, asked for without a number, is named by its number
    await expect(disposition('')).resolves.toBe(`attachment; filename="${cyrillicId}.v2.evidence.json"`);
  });

  it('never runs script or event handlers a captured post carries, even with CSP switched off', async () => {
    const html: { record: { html: string } }[] = await app.db.query(
      `SELECT record FROM versions WHERE statement_id = $1`,
      [hostileId],
    );
    expect(html[0].record.html).toContain('<script>'); // the payload really is in the record
    const unguarded = await launchBrowser({ bypassCSP: true });
    try {
      const page = await unguarded.context.newPage();
      const dialogs: string[] = [];
      const consoleLines: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('console', (message) => consoleLines.push(message.text()));
      for (const path of [
        `/statements/${hostileId}`,
        '/',
        '/search?q=Notice',
        `/accounts/${(await view(hostileId)).account.id}`,
      ]) {
        expect((await page.goto(`${base}${path}`))?.status()).toBe(200);
        await page.waitForLoadState('load');
        expect({
          path,
          pwned: await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned),
        }).toEqual({
          path,
          pwned: undefined,
        });
        await expect(page.locator('main script, main img').count()).resolves.toBe(0);
      }
      await page.goto(`${base}/statements/${hostileId}`);
      await expect(page.locator('details.captured-html pre').textContent()).resolves.toContain(
        '<script>window.__pwned',
      );
      expect(dialogs).toEqual([]);
      expect(consoleLines.filter((line) => line.includes('pwned'))).toEqual([]);
    } finally {
      await unguarded.close();
    }
  });

  it('sends a strict CSP with a fresh nonce that only the page’s own script and style carry', async () => {
    const first = await app.http().get(`/statements/${cyrillicId}`).expect(200);
    const second = await app.http().get(`/statements/${cyrillicId}`).expect(200);
    const nonceOf = (csp: string) => /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    const nonce = nonceOf(first.headers['content-security-policy']);
    expect(nonce).toBeDefined();
    expect(nonceOf(second.headers['content-security-policy'])).not.toBe(nonce);
    expect(first.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self'; ` +
        `connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(first.text).toContain(`<script src="/assets/verify.js" defer nonce="${nonce}"></script>`);
    expect(first.text.match(/nonce="/g)).toHaveLength(2); // the stylesheet and the verifier, nothing else
  });

  it('is a Memento of the post at ?version=N: its capture time, and links to the original, the TimeGate and the TimeMap', async () => {
    const api = await app.http().get(`/api/v1/statements/${cyrillicId}`).expect(200);
    const body = api.body as { url: string; versions: { number: number; capturedAt: string }[] };
    const latest = body.versions[body.versions.length - 1];
    const toSecond = (iso: string) => Math.floor(new Date(iso).getTime() / 1000) * 1000;
    const memento = await app.http().get(`/statements/${cyrillicId}?version=${latest.number}`).expect(200);
    expect(new Date(memento.headers['memento-datetime']).getTime()).toBe(toSecond(latest.capturedAt));
    expect(memento.headers.link).toContain(`<${body.url}>; rel="original"`);
    expect(memento.headers.link).toMatch(/rel="timegate"/);
    expect(memento.headers.link).toMatch(/rel="timemap"/);
    // without a version the page follows the latest one: no Memento-Datetime, a link to the last memento
    const following = await app.http().get(`/statements/${cyrillicId}`).expect(200);
    expect(following.headers['memento-datetime']).toBeUndefined();
    expect(following.headers.link).toContain(
      `/statements/${cyrillicId}?version=${latest.number}>; rel="last memento"`,
    );
  });

  it('answers unknown ids with a 404 page and bad parameters with a 400 page that says what to fix', async () => {
    const missing = await app.http().get('/statements/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.text).toContain('There is no statement 00000000-0000-4000-8000-000000000000');
    expect(missing.headers['content-security-policy']).toContain("default-src 'none'");
    await app.http().get('/accounts/not-an-id').expect(404);
    const bad = await app
      .http()
      .get('/search')
      .query({ status: 'vanished', since: '2026-02-30' })
      .expect(400);
    expect(bad.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(bad.text).toContain('status: one of active, missing, deleted, unavailable');
    const badDay = await app.http().get('/search').query({ since: '2026-02-30' }).expect(400);
    expect(badDay.text).toContain('since: 2026-02-30 is not a calendar date');
    const unknownField = await app.http().get('/search').query({ sort: 'oldest' }).expect(400);
    expect(unknownField.text).toContain('sort: unknown field; remove it');
    // a misspelt platform is refused, not an empty result
    const misspelt = await app.http().get('/search').query({ q: 'Одеси', platform: 'telegramm' }).expect(400);
    expect(misspelt.text).toMatch(
      /platform: (&quot;|")telegramm(&quot;|") is no platform this archive reads; one of bluesky,/,
    );
    await app.http().get('/search.csv').query({ platform: 'zz' }).expect(400);
    // a link shared on a social site comes back with tracking parameters: the page still opens
    await app
      .http()
      .get(`/statements/${cyrillicId}`)
      .query({ fbclid: 'IwAR0x', utm_source: 'newsletter', utm_medium: 'email' })
      .expect(200);
    // a language as a person types it is the language code statements carry
    const typed = await app.http().get('/search').query({ q: 'Одеси', language: 'UK' }).expect(200);
    expect(typed.text).toContain(`/statements/${cyrillicId}`);
    const tagged = await app.http().get('/search').query({ q: 'Одеси', language: 'uk-UA' }).expect(200);
    expect(tagged.text).toContain(`/statements/${cyrillicId}`);
  });

  it('reports no serious or critical axe-core violation on any page type', async () => {
    const accountId = (await view(cyrillicId)).account.id;
    const paths = [
      '/',
      '/search?q=Одеси',
      `/accounts/${accountId}`,
      `/statements/${cyrillicId}`,
      '/statements/nope',
    ];
    for (const path of paths) {
      const page = await browser.context.newPage();
      await page.goto(`${base}${encodeURI(path)}`);
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: {
              run: (
                o: object,
              ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe;
        const result = await axe.run({
          runOnly: {
            type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
          },
        });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          targets: v.nodes.map((n) => n.target.join(' ')),
        }));
      });
      expect({
        path,
        serious: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
      }).toEqual({
        path,
        serious: [],
      });
      await page.close();
    }
  });

  it('renders the Ukrainian interface from the switch, remembers it, and follows Accept-Language', async () => {
    const page = await open('/?lang=uk');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('uk');
    await expect(page.locator('h2#recent-heading').textContent()).resolves.toBe('Останні заяви');
    await page.goto(`${base}/statements/${cyrillicId}`); // no ?lang: the cookie remembers
    await expect(page.locator('#verify-button').textContent()).resolves.toBe('Перевірити в цьому браузері');
    await expect(page.locator('#cite-heading').textContent()).resolves.toBe('Цитувати');
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('#verify-button').textContent()).resolves.toBe('Verify in this browser');
    await page.close();

    const byHeader = await app
      .http()
      .get('/')
      .set('Accept-Language', 'de;q=1, uk-UA;q=0.8, en;q=0.5')
      .expect(200);
    expect(byHeader.text).toContain('<html lang="uk">');
    expect(byHeader.text).toContain('Пошук заяв');
    const english = await app.http().get('/').set('Accept-Language', 'en-US').expect(200);
    expect(english.text).toContain('<html lang="en">');
  });

  it('lists the first 200 tracked accounts, not every one, and keeps a filter on another selected', async () => {
    // paused, so no poll reaches for them; tracked, so the pages would list them all
    const added: { id: string }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, paused,
                             poll_interval_seconds, next_poll_at)
       SELECT 'mastodon', 'consulate' || i || '@many.example', 'many' || i, 'Consulate ' || i,
              'https://many.example/@consulate' || i, 'https://many.example', true, true, 300, now() + interval '1 day'
       FROM generate_series(1, 200) AS i
       RETURNING id`,
    );
    try {
      const listed = (html: string) => (html.match(/<li><a href="\/accounts\//g) ?? []).length;
      const home = await app.http().get('/').expect(200);
      expect(listed(home.text)).toBe(200);
      expect(home.text).toContain('Only the first tracked accounts are listed here');
      // the newest account is past the list, and still the selected filter when asked for
      const [{ id: newest }]: { id: string }[] = await app.db.query(
        `SELECT id FROM accounts WHERE tracking ORDER BY created_at DESC, id DESC LIMIT 1`,
      );
      const search = await app.http().get(`/search?account=${newest}`).expect(200);
      expect(search.text).toContain(`<option value="${newest}" selected>`);
      expect(search.text).toContain('Only the first tracked accounts are in this list');
      expect((search.text.match(/<option value="[0-9a-f-]{36}"/g) ?? []).length).toBe(201);
    } finally {
      await app.db.query(`DELETE FROM accounts WHERE id = ANY($1::uuid[])`, [added.map((a) => a.id)]);
    }
  });
});

describe('reading room of a private archive', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-reading-room-private-'));
    app = await startTestApp(env.config({ VERBATIM_DATA_DIR: dataDir, VERBATIM_PUBLIC_READ: 'false' }));
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers pages without a token with a 401 page, and with one as usual', async () => {
    const refused = await app.http().get('/').set('Accept-Language', 'uk').expect(401);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.text).toContain('Цей архів не є публічним');
    expect(refused.text).toContain('this archive is not public');
    await app.http().get('/search.csv').expect(401);
    await app.http().get('/').set('Authorization', `Bearer ${app.token}`).expect(200);
  });
});
