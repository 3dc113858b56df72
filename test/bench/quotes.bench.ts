/**
 * `npm run bench:quotes`: quoted statements, on a throwaway database (removed afterwards).
 *
 *   extraction  `extractQuotes` on hostile pages of 1 MB and 5 MB (100,000-link lists, 50,000-deep nesting
 *               of every embed kind, many small embeds), against parsing the same page with htmlparser2 alone
 *               (the limit, measured in the same run): the ratio says what finding quotes adds to reading the
 *               page, and the 5 MB / 1 MB ratio that it grows linearly (≈ 5)
 *   search      the statement search (`listStatements({ q })`) over STATEMENTS statements, measured before and
 *               after QUOTED quoted statements with texts of the same words are added: they have their own
 *               index, so the ratio after / before should stay ≈ 1; the quoted-statement search
 *               (`listQuotedStatements({ q })`) against a primary-key lookup
 */
import { parseDocument } from 'htmlparser2';
import { extractQuotes } from '@app/core';
import { type DataSource } from 'typeorm';
import { createDataSource, listQuotedStatements, listStatements } from '@app/persistence';
import { parseSearchQuery, tsqueryExpression } from '@app/persistence/queries/search-query';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { fmt, log, percentile, printTable, sortedNumbers, timed, type Row } from './bench-support';

const MB = 1024 * 1024;
const STATEMENTS = Number(process.env.BENCH_QUOTES_STATEMENTS ?? 100_000);
const QUOTED = Number(process.env.BENCH_QUOTES_QUOTED ?? 100_000);
const RUNS = 10;
const ROUNDS = 5;
const WORDS =
  'grain corridor shipping sanctions minister statement support security talks peace war people'.split(' ');
const TERMS = ['grain', 'corridor', 'sanctions', 'peace', 'zqxwvortel', 'minister talks', 'secur*'];

/** Hostile pages of about `bytes` bytes, one per shape. */
function pages(bytes: number): Record<string, string> {
  const repeat = (unit: string) => unit.repeat(Math.ceil(bytes / unit.length));
  const links = Array.from(
    { length: Math.ceil(bytes / 48) },
    (_, i) => `<a href="https://t.me/channel_${i % 997}/${i + 1}">${i}</a>`,
  ).join('');
  return {
    'post links': links,
    'nested embeds': repeat(
      '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l" ' +
        'data-bluesky-cid="bafy"><p><blockquote class="twitter-tweet"><p><a href="https://x.com/a/status/1">w ',
    ),
    'small embeds': repeat(
      '<blockquote class="twitter-tweet"><p>Post</p>&mdash; A (@a) May 1, 2020 <a href="https://x.com/a/status/7">May 1, 2020</a></blockquote>' +
        '<script data-telegram-post="chan_name/12"></script><iframe class="mastodon-embed" src="https://m.example/@u/9/embed"></iframe>',
    ),
    'near-miss signatures': repeat('<p>(@aaaaaaaaaaaaaaa) February 27, \u2014 -- (@a@b.c) </p>'),
  };
}

function median(values: number[]): number {
  return percentile(sortedNumbers(values), 50);
}

/** Median of `runs` timings of `work`, after one warm-up. */
async function medianMs(runs: number, work: () => unknown): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(async () => work())).ms);
  return median(times);
}

async function extractionRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const small = pages(MB);
  const large = pages(5 * MB);
  for (const shape of Object.keys(small)) {
    const parse1 = await medianMs(5, () => parseDocument(small[shape]));
    const ours1 = await medianMs(5, () => extractQuotes(small[shape], 'html'));
    const parse5 = await medianMs(5, () => parseDocument(large[shape]));
    const ours5 = await medianMs(5, () => extractQuotes(large[shape], 'html'));
    const found = extractQuotes(large[shape], 'html');
    rows.push({
      what: `extract, ${shape}, 5 MB (${fmt(found.found)} found, ${found.quotes.length} kept)`,
      ours: `${fmt(ours5, 0)} ms`,
      limit: `parse ${fmt(parse5, 0)} ms`,
      ratio: `${fmt(ours5 / parse5, 1)}×`,
      target: '≤ 10× parse',
      verdict: ours5 / parse5 <= 10 ? 'PASS' : 'MISS',
    });
    rows.push({
      what: `extract, ${shape}, 5 MB / 1 MB`,
      ours: `${fmt(ours5, 0)} / ${fmt(ours1, 0)} ms`,
      limit: `parse ${fmt(parse5 / parse1, 1)}×`,
      ratio: `${fmt(ours5 / ours1, 1)}×`,
      target: '≤ 7.5× (linear: 5×)',
      verdict: ours5 / ours1 <= 7.5 ? 'PASS' : 'MISS',
    });
  }
  return rows;
}

/** A seeded word picker, so every run searches the same texts. */
function texts(count: number, seed: number): string[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
  return Array.from({ length: count }, (_, n) =>
    Array.from({ length: 8 + (n % 20) }, () => WORDS[Math.floor(next() ** 2 * WORDS.length)]).join(' '),
  );
}

/**
 * p95 of every term `RUNS` times, interleaved, after one warm-up each; the median of ROUNDS such p95s, as
 * the two cores are shared and one round can be slowed by whatever else runs.
 */
async function searchP95(search: (q: string) => Promise<unknown>): Promise<number> {
  for (const q of TERMS) await search(q);
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) for (const q of TERMS) times.push((await timed(() => search(q))).ms);
    rounds.push(percentile(sortedNumbers(times), 95));
  }
  return median(rounds);
}

/** The statement search's plans for every term, as text: the same before and after means the same work. */
async function plans(db: DataSource): Promise<string> {
  const out: string[] = [];
  for (const q of TERMS) {
    const params: unknown[] = [];
    const query = tsqueryExpression(parseSearchQuery(q), undefined, params);
    params.push(51);
    const rows: { 'QUERY PLAN': string }[] = await db.query(
      `EXPLAIN (COSTS OFF) SELECT s.id FROM statements s WHERE s.search @@ (${query}) ORDER BY s.seq DESC LIMIT $${params.length}`,
      params,
    );
    out.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
  }
  return out.join('\n\n');
}

async function searchRows(env: TestEnvironment): Promise<Row[]> {
  const db = createDataSource(env.databaseUrl, { poolSize: 2 });
  await db.initialize();
  try {
    log(`building ${STATEMENTS.toLocaleString()} statements…`);
    await db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       SELECT 'x', 'user' || i, i::text, 'User ' || i, 'https://x.com/user' || i, 'https://x.com', true, 300
       FROM generate_series(1, 100) AS i`,
    );
    await db.query(
      `WITH acc AS (SELECT array_agg(id ORDER BY external_id) AS ids FROM accounts)
       INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at,
                               latest_version, latest_text, language)
       SELECT 'x', n::text, acc.ids[1 + n % 100], 'https://x.com/u/status/' || n, now(), now(), now(), 1, txt, 'en'
       FROM unnest($1::text[]) WITH ORDINALITY AS u(txt, n), acc`,
      [texts(STATEMENTS, 1)],
    );
    await db.query('ANALYZE');
    const statementSearch = (q: string) => listStatements(db.manager, { q, limit: 50 });
    const before = await searchP95(statementSearch);
    const plansBefore = await plans(db);

    log(`adding ${QUOTED.toLocaleString()} quoted statements…`);
    await db.query(
      `INSERT INTO quoted_statements (platform, handle, handle_key, text, normalized_text, text_sha256)
       SELECT 'x', 'user' || (n % 100), 'user' || (n % 100), txt || ' #' || n, txt || ' #' || n,
              encode(sha256(convert_to(txt || ' #' || n, 'UTF8')), 'hex')
       FROM unnest($1::text[]) WITH ORDINALITY AS u(txt, n)`,
      [texts(QUOTED, 2)],
    );
    // as autovacuum would, before measuring: its run during a round would slow whatever runs then
    await db.query('VACUUM ANALYZE quoted_statements');
    const after = await searchP95(statementSearch);
    const samePlans = (await plans(db)) === plansBefore;
    const quoted = await searchP95((q) => listQuotedStatements(db.manager, { q, limit: 50 }));
    const [{ id }]: { id: string }[] = await db.query(`SELECT id FROM quoted_statements LIMIT 1`);
    const pk = await medianMs(50, () => db.query(`SELECT * FROM quoted_statements WHERE id = $1`, [id]));
    return [
      {
        what: `statement search p95, ${fmt(STATEMENTS)} statements, after ${fmt(QUOTED)} quoted statements`,
        ours: `${fmt(after, 2)} ms`,
        limit: `before ${fmt(before, 2)} ms`,
        ratio: `${fmt(after / before, 2)}×`,
        target: '≤ 1.25×',
        verdict: after / before <= 1.25 ? 'PASS' : 'MISS',
      },
      {
        what: 'statement search plans after the quoted statements (info)',
        ours: samePlans ? 'unchanged' : 'CHANGED',
        limit: '',
        ratio: '',
        target: 'unchanged',
        verdict: samePlans ? 'PASS' : 'MISS',
      },
      {
        what: `quoted-statement search p95, ${fmt(QUOTED)} quoted statements`,
        ours: `${fmt(quoted, 2)} ms`,
        limit: `statement search ${fmt(after, 2)} ms`,
        ratio: `${fmt(quoted / after, 2)}×`,
        target: '',
        verdict: '',
      },
      {
        what: 'quoted-statement primary-key lookup (median, info)',
        ours: `${fmt(pk, 2)} ms`,
        limit: '',
        ratio: '',
        target: '',
        verdict: '',
      },
    ];
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  let env: TestEnvironment | undefined;
  try {
    log('extraction on hostile pages…');
    const rows = await extractionRows();
    env = await createTestEnvironment();
    rows.push(...(await searchRows(env)));
    printTable(
      `Verbatim quoted-statements benchmark (${fmt((Date.now() - started) / 1000)} s, ${new Date().toISOString()})`,
      rows,
    );
  } finally {
    await env?.destroy().catch((error: Error) => log(`cleanup: ${error.message}`));
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
