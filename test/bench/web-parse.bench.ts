/**
 * `npm run bench:web`: web page parse time per megabyte (what the page parse thread does: decode, the
 * streaming scan, Readability within its bounds), for a flat article, a page nested ever deeper, a list of
 * links and broken markup, measured in the same run as a plain article of 100 KB (the baseline).
 *
 *   sizes  1, 2.5, 5 and 10 MB; each parse ends in a page (which reader gave its text is shown)
 *   ours   ms per MB at each size; ratio = per-MB time at 10 MB / per-MB time at 1 MB (linear ≈ 1,
 *          quadratic ≈ 10); where a family crosses Readability's bounds (30,000 elements, 256 deep) the sizes
 *          compare different readers, shown in the log (flat article: Readability at 1 MB, the streaming
 *          text from 2.5 MB on)
 * Target: a 10 MB page of each family is read within the default parse deadline (VERBATIM_PARSE_TIMEOUT_MS,
 * 5,000 ms), so it is captured, not refused.
 */
import { parsePageContents } from '@app/sources';
import { BROKEN_HTML, hugePage } from '@app/testing/hostile/web-corpus';
import { fmt, log, printTable, timed, type Row } from './bench-support';

const MB = 1024 * 1024;
const SIZES_MB = [1, 2.5, 5, 10];
const TARGET_MS_AT_10_MB = 5000;
const URL = 'https://mfa.example/en/press/1';

type SizedPage = (bytes: number) => Buffer;

/** Elements nested as deep as the size allows, around one line of text. */
const deep: SizedPage = (bytes) => {
  const depth = Math.floor((bytes - 100) / 11);
  return Buffer.from(`<html><body>${'<div>'.repeat(depth)}Deep.${'</div>'.repeat(depth)}</body></html>`);
};
/** One list of same-site links, as long as the size allows. */
const links: SizedPage = (bytes) => {
  const item = (i: number) => `<li><a href="/en/press/${i}">Release ${i}</a></li>`;
  const count = Math.floor(bytes / item(100000).length);
  return Buffer.from(
    `<html><body><main><ul>${Array.from({ length: count }, (_, i) => item(i)).join('')}</ul></main></body></html>`,
  );
};
/** Broken markup repeated to the size. */
const broken: SizedPage = (bytes) =>
  Buffer.concat(Array.from({ length: Math.ceil(bytes / BROKEN_HTML.length) }, () => BROKEN_HTML));

async function measure(body: Buffer, runs: number): Promise<{ ms: number; reader: string }> {
  let best = Infinity;
  let reader = '';
  for (let run = 0; run < runs; run++) {
    const { result, ms } = await timed(() =>
      parsePageContents({ bytes: body, contentType: 'text/html; charset=utf-8', url: URL, maxLinks: 500 }),
    );
    best = Math.min(best, ms);
    reader = result.reader;
  }
  return { ms: best, reader };
}

async function family(name: string, build: SizedPage): Promise<Row> {
  const perMb: number[] = [];
  let largestMs = 0;
  for (const size of SIZES_MB) {
    const body = build(size * MB);
    const measured = await measure(body, size <= 2.5 ? 3 : 2);
    perMb.push(measured.ms / (body.length / MB));
    largestMs = measured.ms;
    log(`${name} ${size} MB: ${fmt(measured.ms, 1)} ms (${measured.reader})`);
  }
  return {
    what: name,
    ours: perMb.map((ms, i) => `${SIZES_MB[i]} MB ${fmt(ms, 1)}`).join(' · ') + ' ms/MB',
    limit: `10 MB: ${fmt(largestMs, 0)} ms`,
    ratio: fmt(perMb[perMb.length - 1] / perMb[0], 2),
    target: `< ${TARGET_MS_AT_10_MB} ms at 10 MB`,
    verdict: largestMs < TARGET_MS_AT_10_MB ? 'PASS' : 'MISS',
  };
}

async function main(): Promise<void> {
  const article = hugePage(100 * 1024);
  await measure(article, 3); // warm-up: compiles the parsers and Readability
  const baseline = await measure(article, 5);
  const rows: Row[] = [
    {
      what: 'article 100 KB (baseline)',
      ours: `${fmt(baseline.ms / 0.1, 1)} ms/MB (${baseline.reader})`,
      limit: '',
      ratio: '',
      target: 'baseline',
      verdict: '',
    },
  ];
  const families: Record<string, SizedPage> = {
    'flat article': hugePage,
    'nested deep': deep,
    'list of links': links,
    'broken markup': broken,
  };
  for (const [name, build] of Object.entries(families)) rows.push(await family(name, build));
  printTable('Web page parse time per MB (best of 2–3 runs; ratio = per-MB time at 10 MB / at 1 MB)', rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
