/**
 * `npm run bench:pages`: server time of the reading room's pages next to the JSON API in the same run, on a
 * throwaway database (removed afterwards).
 *
 *   build  one account with a statement of 20 versions (Ukrainian text, a few words changed per edit, an
 *          artifact per version; no log entries), and 5,000 other statements to search
 *   limit  GET /api/v1/statements/:id of that statement (the JSON the page is built from)
 *   ours   GET /statements/:id (the page: versions with word diffs, evidence, five citations) and
 *          GET /search?q= (a page of 25 results with the filter form)
 * Target: a page costs at most 3× the API read of the same statement (p95).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { createVerbatimApp } from '@app/cli/server';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { fmt, log, percentile, printTable, sortedNumbers, timed, type Row } from './bench-support';

const VERSIONS = 20;
const OTHER_STATEMENTS = Number(process.env.BENCH_PAGES_STATEMENTS ?? 5_000);
const RUNS = Number(process.env.BENCH_PAGES_RUNS ?? 200);
const TARGET_RATIO = 3;
const SEARCH_TERM = 'переговори';

const WORDS =
  'міністр закордонних справ україни заява щодо переговорів безпека підтримка партнерів уряд мир зустріч делегації президент співпраця допомога війна переговори женева'.split(
    ' ',
  );

/** Version n of the statement: 45 words, n of them changed from the first version. */
function versionText(n: number): string {
  const words = Array.from({ length: 45 }, (_, i) => WORDS[(i * 7) % WORDS.length]);
  for (let i = 0; i < n; i++) words[(i * 11) % words.length] = `${WORDS[(i * 3 + n) % WORDS.length]}${n}`;
  return `${words.join(' ')}.`;
}

function record(text: string, postId: string, n: number, artifactSha: string) {
  return {
    platform: 'mastodon',
    account: 'mfa@diplo.example',
    postId,
    url: `https://diplo.example/@mfa/${postId}`,
    authoredAt: '2026-11-01T08:00:00.000Z',
    editedAt: n === 1 ? null : new Date(Date.UTC(2026, 10, 1, 8, n)).toISOString(),
    title: null,
    text,
    html: `<p>${text}</p>`,
    language: 'uk',
    media: [],
    isReply: false,
    isRepost: false,
    isQuote: false,
    parserVersion: 'bench',
    artifacts: [{ role: 'response', mediaType: 'application/json', size: 2048, sha256: artifactSha }],
  };
}

async function build(databaseUrl: string): Promise<string> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const {
      rows: [account],
    } = await pg.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       VALUES ('mastodon', 'mfa@diplo.example', '1', 'МЗС України', 'https://diplo.example/@mfa', 'https://diplo.example', true, 300)
       RETURNING id`,
    );
    await pg.query(
      `INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at,
                               latest_version, latest_text)
       SELECT 'mastodon', 'other-' || g, $1, 'https://diplo.example/@mfa/other-' || g, t, t, t, 1,
              $2 || ' ' || g || CASE WHEN g % 10 = 0 THEN ' ${SEARCH_TERM}' ELSE '' END
       FROM generate_series(1, $3::int) AS g, LATERAL (SELECT timestamptz '2026-01-01' + g * interval '1 minute' AS t) AS x`,
      [account.id, versionText(0), OTHER_STATEMENTS],
    );
    const id = randomUUID();
    const postId = '113000000000000001';
    await pg.query(
      `INSERT INTO statements (id, platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at,
                               latest_version, latest_text)
       VALUES ($1, 'mastodon', $2, $3, $4, '2026-11-01T08:00:00Z', '2026-11-01T08:00:30Z', now(), $5, $6)`,
      [id, postId, account.id, `https://diplo.example/@mfa/${postId}`, VERSIONS, versionText(VERSIONS - 1)],
    );
    for (let n = 1; n <= VERSIONS; n++) {
      const body = Buffer.from(JSON.stringify({ id: postId, content: `<p>${versionText(n - 1)}</p>`, n }));
      const sha = createHash('sha256').update(body).digest('hex');
      await pg.query(
        `INSERT INTO artifacts (sha256, media_type, size, bytes) VALUES ($1, 'application/json', $2, $3)`,
        [sha, body.length, body],
      );
      const rec = record(versionText(n - 1), postId, n, sha);
      const recordSha = createHash('sha256').update(JSON.stringify(rec)).digest('hex');
      await pg.query(
        `INSERT INTO versions (statement_id, number, captured_at, record, record_sha256, content_sha256, evidence_level)
         VALUES ($1, $2, $3, $4, $5, $5, 'captured')`,
        [id, n, new Date(Date.UTC(2026, 10, 1, 8, 0, 30) + n * 3600_000), rec, recordSha],
      );
      await pg.query(
        `INSERT INTO version_artifacts (statement_id, version_number, sha256, role) VALUES ($1, $2, $3, 'response')`,
        [id, n, sha],
      );
    }
    await pg.query('ANALYZE');
    return id;
  } finally {
    await pg.end();
  }
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
  count: number;
}

async function get(base: string, path: string): Promise<void> {
  const response = await fetch(`${base}${path}`);
  const body = await response.arrayBuffer();
  if (response.status !== 200)
    throw new Error(`GET ${path}: ${response.status} ${Buffer.from(body).toString()}`);
}

/** Every path RUNS times, interleaved so no path is timed twice in a row, after warm-ups. */
async function measure(base: string, paths: string[]): Promise<Latency[]> {
  for (let i = 0; i < 10; i++) for (const path of paths) await get(base, path);
  const times = paths.map((): number[] => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, path] of paths.entries()) times[i].push((await timed(() => get(base, path))).ms);
  }
  return times.map((t) => {
    const sorted = sortedNumbers(t);
    return {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      max: sorted[sorted.length - 1],
      count: sorted.length,
    };
  });
}

const latencyText = (l: Latency) => `${fmt(l.p50, 2)} / ${fmt(l.p95, 2)} / ${fmt(l.max, 1)} ms`;

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'verbatim-bench-'));
  let env: TestEnvironment | undefined;
  let app: NestExpressApplication | undefined;
  try {
    env = await createTestEnvironment();
    log(`building a statement of ${VERSIONS} versions and ${OTHER_STATEMENTS.toLocaleString()} others…`);
    const id = await build(env.databaseUrl);
    app = await createVerbatimApp(env.config({ VERBATIM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), {
      api: true,
      worker: false,
    });
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const search = `/search?q=${encodeURIComponent(SEARCH_TERM)}`;
    log(`timing ${RUNS} runs of each request…`);
    const [api, page, searchPage, apiSearch] = await measure(base, [
      `/api/v1/statements/${id}`,
      `/statements/${id}`,
      search,
      `/api/v1/statements?q=${encodeURIComponent(SEARCH_TERM)}&limit=25`,
    ]);
    const target = `≤ ${TARGET_RATIO}× (p95)`;
    const verdict = (l: Latency) => (l.p95 <= TARGET_RATIO * api.p95 ? 'PASS' : 'MISS');
    const rows: Row[] = [
      {
        what: `GET /api/v1/statements/:id, ${VERSIONS} versions (n=${api.count})`,
        ours: '',
        limit: latencyText(api),
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: `GET /statements/:id page, ${VERSIONS} versions (n=${page.count})`,
        ours: latencyText(page),
        limit: `API p95 ${fmt(api.p95, 2)} ms`,
        ratio: `${fmt(page.p95 / api.p95, 2)}× (p95)`,
        target,
        verdict: verdict(page),
      },
      {
        what: `GET /search?q= page, 25 results (n=${searchPage.count})`,
        ours: latencyText(searchPage),
        limit: `API p95 ${fmt(api.p95, 2)} ms`,
        ratio: `${fmt(searchPage.p95 / api.p95, 2)}× (p95)`,
        target,
        verdict: verdict(searchPage),
      },
      {
        what: `GET /api/v1/statements?q=&limit=25 (info, n=${apiSearch.count})`,
        ours: latencyText(apiSearch),
        limit: `API p95 ${fmt(api.p95, 2)} ms`,
        ratio: `${fmt(apiSearch.p95 / api.p95, 2)}× (p95)`,
        target: '',
        verdict: '',
      },
    ];
    printTable(
      `Verbatim reading-room benchmark (${fmt((Date.now() - started) / 1000)} s, ${new Date().toISOString()}; ` +
        'server time over loopback HTTP, p50 / p95 / max)',
      rows,
    );
  } finally {
    await app?.close().catch(() => undefined);
    await env?.destroy().catch((error: Error) => log(`cleanup: ${error.message}`));
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
