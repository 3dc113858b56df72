/**
 * `npm run bench:search`: full-text search over 1M statements against a primary-key lookup measured in the
 * same run, on a throwaway database (removed afterwards).
 *
 *   build  1M statements of multilingual short texts (words drawn by Zipf's law from a generated vocabulary,
 *          sent as text[] batches: indexing a large array parameter inside INSERT … SELECT generate_series
 *          costs O(array) per word), the GIN index rebuilt afterwards from the migration's own definition,
 *          then statements added one by one until the index's pending list is nearly full (what every search
 *          through the index reads), then ANALYZE and CHECKPOINT
 *   limit  the API's own primary-key lookup of a statement (SQL), and GET /api/v1/statements/:id (HTTP); the
 *          floor of a page over HTTP on this machine (http-floor.ts: a bare server, one query, no framework)
 *   ours   the API's list query, `listStatements({ q, limit: 50 })`: one call of `verbatim_search`, which
 *          searches blocks of capture order inside the GIN index from the newest down (migration
 *          SearchCaptureBlocks). Timed as SQL (the function, every round trip it makes) and through the real
 *          API (in-process, HTTP on loopback; the client in a worker thread with one keep-alive connection, so
 *          its own work is not counted as the server's), for common, mid-frequency, rare and absent terms, two
 *          mid terms together, word forms (the vocabulary's words with an inflection the statement's stemmer
 *          removes) and prefixes
 *   info   the same searches with filters: status=active (keeps 198 statements in 199), status=deleted (keeps the
 *          199th) and one account of 2,000, all words the index holds (the blocks with the filter ANDed in,
 *          migration SearchFilterWords); dates that keep every statement, alone and with a filter, for the
 *          per-query plan of a search between dates (a walk along seq, a GIN ∧ seq window or all matches
 *          collected, search-plan.ts); and the previous single query,
 *          `search @@ websearch_to_tsquery('simple', q) ORDER BY seq DESC LIMIT 51`
 * Target: /work/shared/reference/performance.md, search at 1M statements p95 ≤ 5 ms, no query > 20 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { createVerbatimApp } from '@app/cli/server';
import { createDataSource, listStatements, type StatementFilter } from '@app/persistence';
import { parseSearchQuery, tsqueryExpression } from '@app/persistence/queries/search-query';
import { seededRandom } from '@app/testing/seeded-random';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { fmt, log, percentile, printTable, sortedNumbers, timed, type Row } from './bench-support';
import { startHttpFloor } from './http-floor';

const STATEMENTS = Number(process.env.BENCH_SEARCH_STATEMENTS ?? 1_000_000);
const ACCOUNTS = 2_000;
const BUILD_BATCH = 100_000;
/** words per language; ranks follow Zipf's law (P(rank r) ∝ 1/r) */
const VOCABULARY = 20_000;
const TERMS_PER_CLASS = 8;
const RUNS_PER_TERM = 20;
const PAGE = 51; // the controller asks for limit + 1 to know whether there is a next page
const P95_TARGET_MS = 5;
const MAX_TARGET_MS = 20;

/** The most frequent words of each language, in rank order: what a statement is made of. */
const COMMON: Record<string, string[]> = {
  en: 'the of and to in on for with is minister foreign ministry statement today security support president talks meeting government international people war peace'.split(
    ' ',
  ),
  fr: 'la le de et les des en du pour une ministre affaires étrangères sécurité soutien président entretien gouvernement paix guerre coopération'.split(
    ' ',
  ),
  de: 'der die und den zu mit für von im ist minister außenministerin sicherheit unterstützung präsident gespräch regierung frieden krieg zusammenarbeit'.split(
    ' ',
  ),
  uk: 'і в на з що до україни міністр закордонних справ підтримка безпека президент зустріч уряд мир війна партнерів співпраця допомога'.split(
    ' ',
  ),
  es: 'el de la que y en los para con una ministro exteriores seguridad apoyo presidente reunión gobierno paz guerra cooperación'.split(
    ' ',
  ),
};
const SYLLABLES: Record<string, string[]> = {
  en: ['con', 'tra', 'ment', 'ver', 'sta', 'pro', 'lic', 'tion', 'al', 'der', 'gen', 'port'],
  fr: ['ré', 'con', 'tion', 'ment', 'ais', 'eur', 'pré', 'ité', 'sou', 'vel', 'cha', 'lle'],
  de: ['ver', 'ung', 'schaft', 'ein', 'stand', 'lich', 'keit', 'aus', 'bund', 'ge', 'tra', 'ber'],
  uk: ['про', 'ва', 'ння', 'ми', 'ні', 'ство', 'кра', 'ро', 'лі', 'за', 'дер', 'жа'],
  es: ['con', 'ción', 'men', 'tar', 'pre', 'ria', 'des', 'ble', 'ges', 'ti', 'lo', 'na'],
};
const LANGUAGES = Object.keys(COMMON);

/** Per language, VOCABULARY distinct words: the common ones first, then made-up words of its syllables. */
function vocabulary(): string[] {
  const words: string[] = [];
  for (const [index, language] of LANGUAGES.entries()) {
    const seen = new Set<string>(COMMON[language]);
    const list = [...COMMON[language]];
    const syllables = SYLLABLES[language];
    for (let n = 0; list.length < VOCABULARY; n++) {
      // deterministic: the n-th word spells n in base 12 with the language's syllables
      let word = '';
      for (let v = n + index * 7; ; v = Math.floor(v / 12)) {
        word += syllables[v % 12];
        if (v < 12) break;
      }
      if (!seen.has(word)) {
        seen.add(word);
        list.push(word);
      }
    }
    words.push(...list);
  }
  return words;
}

/** Statement `n`: 6 to 35 words of one language, each rank drawn log-uniformly, which is Zipf's law. */
function statementText(words: string[], n: number, random: () => number): string {
  const offset = (n % LANGUAGES.length) * VOCABULARY;
  const length = 6 + ((n * 7919) % 30);
  const logV = Math.log(VOCABULARY);
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(words[offset + Math.floor(Math.exp(random() * logV)) - 1]);
  return out.join(' ');
}

/** Every made-up word the vocabulary does not hold: a term no statement contains. */
const ABSENT = [
  'zqxwvortel',
  'bleemfrotz',
  'xyloquandary',
  'ґрюмзвяк',
  'plonkvessary',
  'quimbletarn',
  'wexfordian',
  'snarvelop',
];

async function buildArchive(databaseUrl: string, words: string[]): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    await pg.query(`SET maintenance_work_mem = '512MB'`);
    await pg.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       SELECT 'mastodon', 'mfa' || i || '@diplo.example', i::text, 'Ministry ' || i, 'https://diplo.example/@mfa' || i,
              'https://diplo.example', true, 300
       FROM generate_series(1, $1::int) AS i`,
      [ACCOUNTS],
    );
    // faster to build the GIN index once than to maintain it row by row; the migration's own definition
    const [{ definition }]: { definition: string }[] = (
      await pg.query(`SELECT pg_get_indexdef('statements_search'::regclass) AS definition`)
    ).rows;
    await pg.query(`DROP INDEX statements_search`);
    const random = seededRandom(20251125);
    for (let start = 1; start <= STATEMENTS; start += BUILD_BATCH) {
      const end = Math.min(STATEMENTS, start + BUILD_BATCH - 1);
      const texts = Array.from({ length: end - start + 1 }, (_, i) =>
        statementText(words, start + i, random),
      );
      const { ms } = await timed(() =>
        pg.query(
          `WITH acc AS (SELECT array_agg(id ORDER BY external_id) AS ids FROM accounts)
           INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at,
                                   last_seen_at, latest_version, latest_text, language, status, status_changed_at)
           SELECT 'mastodon', g::text, acc.ids[1 + g % $3], 'https://diplo.example/@mfa/' || g, t, t, t, 1, txt,
                  ($4::text[])[1 + g % $5],
                  -- one in 199 deleted: a narrow filter (199 is prime to the 2,000 accounts, so every account has some)
                  CASE WHEN g % 199 = 0 THEN 'deleted' ELSE 'active' END, CASE WHEN g % 199 = 0 THEN t END
           FROM unnest($1::text[]) WITH ORDINALITY AS u(txt, n), acc,
                LATERAL (SELECT $2::int + n::int - 1 AS g) AS gs,
                LATERAL (SELECT timestamptz '2022-01-01' + g * interval '90 seconds' AS t) AS times
           ORDER BY g`,
          [texts, start, ACCOUNTS, LANGUAGES, LANGUAGES.length],
        ),
      );
      log(`    statements ${start.toLocaleString()}–${end.toLocaleString()} in ${fmt(ms / 1000, 1)} s`);
    }
    const index = await timed(() => pg.query(definition));
    log(`    GIN index in ${fmt(index.ms / 1000, 1)} s`);
    await fillPendingList(pg, words, random);
    await pg.query('ANALYZE');
    // the build's own writes, flushed before the searches rather than by a checkpoint running through them (a
    // real archive gets its rows over months, not in a minute)
    await pg.query('CHECKPOINT');
  } finally {
    await pg.end();
  }
}

/**
 * Statements captured after the index was built wait in its pending list (migration SearchPendingList), which
 * every search through the index reads whole: more statements are added one by one, as captures add them,
 * until the list is within 90% of its limit, the worst case a search meets. Needs pgstattuple (contrib) to see
 * the list; without it the list stays empty and the bench says so.
 */
async function fillPendingList(pg: Client, words: string[], random: () => number): Promise<void> {
  try {
    await pg.query(`CREATE EXTENSION IF NOT EXISTS pgstattuple`);
  } catch (error) {
    log(`    pending list left empty (no pgstattuple: ${(error as Error).message})`);
    return;
  }
  const [{ limitKb }]: { limitKb: number | null }[] = (
    await pg.query(
      `SELECT (SELECT option_value::int FROM pg_options_to_table(c.reloptions)
               WHERE option_name = 'gin_pending_list_limit') AS "limitKb"
       FROM pg_class c WHERE c.relname = 'statements_search'`,
    )
  ).rows;
  if (!limitKb) {
    log('    the index has no pending list limit of its own: nothing to fill');
    return;
  }
  // autovacuum merges the list: kept away from this table until the searches are measured
  await pg.query(`ALTER TABLE statements SET (autovacuum_enabled = off)`);
  const fullPages = Math.floor((0.9 * limitKb) / 8);
  const pendingPages = async () =>
    Number(
      (await pg.query(`SELECT pending_pages FROM pgstatginindex('statements_search')`)).rows[0].pending_pages,
    );
  let added = 0;
  for (let n = STATEMENTS + 1; (await pendingPages()) < fullPages && added < 10_000; n++, added++)
    await pg.query(
      `INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at,
                               last_seen_at, latest_version, latest_text, language)
       SELECT 'mastodon', $1::text, a.id, 'https://diplo.example/@mfa/' || $1, now(), now(), now(), 1, $2, $3
       FROM accounts a ORDER BY a.external_id LIMIT 1`,
      [n, statementText(words, n, random), LANGUAGES[n % LANGUAGES.length]],
    );
  const pages = await pendingPages();
  log(`    ${added} statements more, through the index: ${pages} pending pages (limit ${limitKb} kB)`);
  if (pages < fullPages) log(`    WARNING: the pending list stayed below ${fullPages} pages`);
}

/** The pending list as the searches left it (pgstattuple stays installed when the fill used it). */
async function pendingListAfter(db: DataSource): Promise<string> {
  const rows: { pages: number }[] = await db.query(
    `SELECT pending_pages AS pages FROM pgstatginindex('statements_search')
     WHERE EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple')`,
  );
  return rows.length > 0 ? `${rows[0].pages} pending pages at the end` : 'pending list not measured';
}

/** The list query before per-query plans (info): one statement, the planner's choice. */
const LIST_SQL = `SELECT s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.latest_version, s.latest_text, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url
  FROM statements s JOIN accounts a ON a.id = s.account_id
  WHERE s.search @@ websearch_to_tsquery('simple', $1)
  ORDER BY s.seq DESC LIMIT $2`;

/** The statement lookup of StatementsController.get(). */
const PK_SQL = `SELECT s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.latest_version, s.latest_text, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url
  FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1`;

interface TermClass {
  name: string;
  terms: string[];
  /** statements matching each term, counted after the build */
  matches?: number[];
}

/** Terms by Zipf rank: P(a word is rank r) ≈ 1 / (r · ln VOCABULARY). */
function termClasses(words: string[]): TermClass[] {
  const word = (language: number, rank: number) => words[language * VOCABULARY + rank - 1];
  const pick = (ranks: number[]) =>
    Array.from({ length: TERMS_PER_CLASS }, (_, i) => word(i % LANGUAGES.length, ranks[i % ranks.length]));
  return [
    { name: 'common', terms: pick([1, 2, 3]) },
    { name: 'mid', terms: pick([30, 60, 120, 200]) },
    { name: 'rare', terms: pick([6_000, 9_000, 13_000, 19_000]) },
    { name: 'absent', terms: ABSENT.slice(0, TERMS_PER_CLASS) },
    // English and Spanish statements: the stemmer removes a plural -s, so "<word>s" finds "<word>"
    {
      name: 'word forms',
      terms: pick([40, 80, 150, 300]).map((w, i) => ([0, 4].includes(i % 5) ? `${w}s` : w)),
    },
    {
      name: 'prefix',
      terms: pick([30, 60, 120, 200]).map(
        (w) => `${[...w].slice(0, Math.max(3, [...w].length - 2)).join('')}*`,
      ),
    },
    {
      name: 'two mid words',
      terms: Array.from({ length: TERMS_PER_CLASS }, (_, i) => {
        const language = i % LANGUAGES.length;
        return `${word(language, 25 + i * 7)} ${word(language, 40 + i * 11)}`;
      }),
    },
  ];
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
  count: number;
}

function summary(times: number[]): Latency {
  const sorted = sortedNumbers(times);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1],
    count: sorted.length,
  };
}

/** Every input `runs` times, interleaved (a term is not timed twice in a row), after one warm-up each. */
async function measure<T>(inputs: T[], runs: number, work: (input: T) => Promise<unknown>): Promise<Latency> {
  for (const input of inputs) await work(input);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const input of inputs) times.push((await timed(() => work(input))).ms);
  }
  return summary(times);
}

/** The tsquery the list query builds for a search (to count its matches). */
async function tsqueryOf(db: DataSource, q: string): Promise<string> {
  const parsed = parseSearchQuery(q);
  const params: unknown[] = [];
  const [{ query }]: { query: string }[] = await db.query(
    `SELECT (${tsqueryExpression(parsed, undefined, params)})::text AS query`,
    params,
  );
  return query;
}

/** `runs` rounds of GET `paths`, timed by a client in its own thread (http-timer.worker.ts). */
function measureHttp(base: string, paths: string[], runs: number): Promise<Latency> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'http-timer.worker.js'), { workerData: { base, paths, runs } });
    worker.once('message', (result: { times?: number[]; error?: string }) =>
      result.times ? resolve(summary(result.times)) : reject(new Error(result.error)),
    );
    worker.once('error', reject);
  });
}

const latencyText = (l: Latency) => `${fmt(l.p50, 2)} / ${fmt(l.p95, 2)} / ${fmt(l.max, 1)} ms`;

function verdict(l: Latency): 'PASS' | 'MISS' {
  return l.p95 <= P95_TARGET_MS && l.max <= MAX_TARGET_MS ? 'PASS' : 'MISS';
}

async function main(): Promise<void> {
  const started = Date.now();
  // the API makes its log and witness keys at boot: keep them out of the working directory
  const dataDir = mkdtempSync(join(tmpdir(), 'verbatim-bench-'));
  let env: TestEnvironment | undefined;
  let db: DataSource | undefined;
  let app: NestExpressApplication | undefined;
  try {
    env = await createTestEnvironment();
    const words = vocabulary();
    log(`building ${STATEMENTS.toLocaleString()} statements over ${ACCOUNTS.toLocaleString()} accounts…`);
    const built = await timed(() => buildArchive(env!.databaseUrl, words));
    log(`    built in ${fmt(built.ms / 1000, 1)} s`);

    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    const classes = termClasses(words);
    for (const c of classes) {
      const matches: number[] = (c.matches = []);
      for (const term of c.terms) {
        const [{ n }]: { n: string }[] = await db.query(
          `SELECT count(*) AS n FROM statements WHERE search @@ $1::tsquery`,
          [await tsqueryOf(db!, term)],
        );
        matches.push(Number(n));
      }
      log(`    ${c.name}: ${c.terms.map((t, i) => `${t} (${matches[i]})`).join(', ')}`);
    }
    // the plan the previous single query got for the first term of each class: the node lines and the time
    for (const c of classes.filter((k) => !['word forms', 'prefix'].includes(k.name))) {
      const plan: { 'QUERY PLAN': string }[] = await db.query(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${LIST_SQL}`,
        [c.terms[0], PAGE],
      );
      const nodes = plan
        .map((line) => line['QUERY PLAN'])
        .filter((line, i) => i === 0 || line.includes('->') || line.startsWith('Execution Time'))
        .map((line) => line.replace(/^\s*->\s*/, '').trim());
      log(`plan for ${c.name} "${c.terms[0]}": ${nodes.join(' | ')}`);
    }

    const ids = (
      (await db.query(`SELECT id FROM statements TABLESAMPLE SYSTEM (1) LIMIT 200`)) as { id: string }[]
    ).map((r) => r.id);
    const query = db.query.bind(db) as DataSource['query'];
    log('SQL: primary-key lookups and the list query per class…');
    const pkSql = await measure(ids, 5, (id) => query(PK_SQL, [id]));
    const sql = new Map<string, Latency>();
    for (const c of classes) {
      sql.set(
        c.name,
        await measure(c.terms, RUNS_PER_TERM, (term) =>
          listStatements(db!.manager, { q: term, limit: PAGE - 1 }),
        ),
      );
    }
    // filtered searches: words the search index holds (blocks with the filter ANDed in), and dates (the
    // per-query plan); every statement here is from 1970 on, and one in 199 is deleted
    const [{ id: oneAccount }]: { id: string }[] = await db.query(
      `SELECT id FROM accounts ORDER BY external_id LIMIT 1 OFFSET 1`,
    );
    const filters: { name: string; filter: Partial<StatementFilter> }[] = [
      { name: 'status=active (words)', filter: { status: 'active' } },
      { name: 'status=deleted, 1 in 199 (words)', filter: { status: 'deleted' } },
      {
        name: 'status=deleted, between dates: per-query plan',
        filter: { status: 'deleted', since: new Date(0) },
      },
      { name: `in one account of ${ACCOUNTS.toLocaleString()} (words)`, filter: { accountId: oneAccount } },
      { name: 'between dates: per-query plan', filter: { since: new Date(0) } },
      {
        name: 'in one account, between dates: per-query plan',
        filter: { accountId: oneAccount, since: new Date(0) },
      },
    ];
    const filtered = new Map<string, Latency>();
    for (const { name, filter } of filters) {
      log(`SQL: the list query ${name} per class (info)…`);
      for (const c of classes)
        filtered.set(
          `${c.name}, ${name}`,
          await measure(c.terms, 5, (term) =>
            listStatements(db!.manager, { q: term, limit: PAGE - 1, ...filter }),
          ),
        );
    }
    log('SQL: the previous single list query per class (info)…');
    const previous = new Map<string, Latency>();
    for (const c of classes.filter((k) => !['word forms', 'prefix'].includes(k.name)))
      previous.set(c.name, await measure(c.terms, 5, (term) => query(LIST_SQL, [term, PAGE])));

    log('HTTP: starting the API in-process…');
    app = await createVerbatimApp(env.config({ VERBATIM_DATA_DIR: dataDir }), { api: true, worker: false });
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const pkHttp = await measureHttp(
      base,
      ids.map((id) => `/api/v1/statements/${id}`),
      5,
    );
    log('HTTP: the floor, a bare node:http server answering a page of one query…');
    const floor = await startHttpFloor(env.databaseUrl);
    const floorHttp = await measureHttp(floor.base, floor.paths(TERMS_PER_CLASS), RUNS_PER_TERM).finally(() =>
      floor.close(),
    );
    const http = new Map<string, Latency>();
    for (const c of classes) {
      http.set(
        c.name,
        await measureHttp(
          base,
          c.terms.map((term) => `/api/v1/statements?q=${encodeURIComponent(term)}`),
          RUNS_PER_TERM,
        ),
      );
    }

    const matchesText = (c: TermClass) => {
      const m = sortedNumbers(c.matches!);
      return `${fmt(m[0])}–${fmt(m[m.length - 1])} hits`;
    };
    const target = `p95 ≤ ${P95_TARGET_MS} ms, max ≤ ${MAX_TARGET_MS} ms`;
    // a line measured for comparison only, against the primary-key lookup
    const infoRow = (what: string, latency: Latency): Row => ({
      what: `${what} (info, n=${latency.count})`,
      ours: latencyText(latency),
      limit: `PK p95 ${fmt(pkSql.p95, 2)} ms`,
      ratio: `${fmt(latency.p95 / pkSql.p95, 1)}× (p95)`,
      target: '',
      verdict: '',
    });
    const rows: Row[] = [
      {
        what: `SQL primary-key lookup (p50 / p95 / max, n=${pkSql.count})`,
        ours: '',
        limit: latencyText(pkSql),
        ratio: '',
        target: '',
        verdict: '',
      },
      ...classes.map((c): Row => ({
        what: `SQL search, ${c.name} (${matchesText(c)}, n=${sql.get(c.name)!.count})`,
        ours: latencyText(sql.get(c.name)!),
        limit: `PK p95 ${fmt(pkSql.p95, 2)} ms`,
        ratio: `${fmt(sql.get(c.name)!.p95 / pkSql.p95, 1)}× (p95)`,
        target,
        verdict: verdict(sql.get(c.name)!),
      })),
      ...[...filtered.entries()].map(([name, latency]) => infoRow(`SQL search, ${name}`, latency)),
      ...[...previous.entries()].map(([name, latency]) =>
        infoRow(`SQL search, ${name}, previous single query`, latency),
      ),
      {
        what: `HTTP GET /api/v1/statements/:id (5 queries; n=${pkHttp.count})`,
        ours: '',
        limit: latencyText(pkHttp),
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: `HTTP floor: bare node:http + pg, a page of 51 newest (n=${floorHttp.count})`,
        ours: '',
        limit: latencyText(floorHttp),
        ratio: '',
        target: '',
        verdict: '',
      },
      ...classes.map((c): Row => ({
        what: `HTTP GET /api/v1/statements?q=, ${c.name} (n=${http.get(c.name)!.count})`,
        ours: latencyText(http.get(c.name)!),
        limit: `GET :id p95 ${fmt(pkHttp.p95, 2)} ms`,
        ratio: `${fmt(http.get(c.name)!.p95 / pkHttp.p95, 1)}× (p95)`,
        target,
        verdict: verdict(http.get(c.name)!),
      })),
    ];
    const pendingList = await pendingListAfter(db!);
    printTable(
      `Verbatim search benchmark, ${STATEMENTS.toLocaleString()} statements (${fmt((Date.now() - started) / 1000)} s, ` +
        `${new Date().toISOString()}; ${pendingList}; latencies p50 / p95 / max)`,
      rows,
    );
  } finally {
    await app?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    if (process.env.BENCH_SEARCH_KEEP && env) log(`kept the database: ${env.databaseUrl}`);
    else await env?.destroy().catch((error: Error) => log(`cleanup: ${error.message}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
