/**
 * `npm run bench:parse`: feed parsing time per megabyte against the hostile families of the corpus, and a
 * benign feed measured in the same run.
 *
 *   families  unterminated openers (comments, CDATA, PIs, DOCTYPEs, attribute values, Atom CDATA), long and
 *             hidden entity declarations, deep nesting (XML title, escaped HTML description, Atom HTML title)
 *   sizes     1, 2.5, 5 and 10 MB; each parse ends in items or a SourceError (anything else stops the bench)
 *   ours      ms per MB at each size; ratio = per-MB time at 10 MB / per-MB time at 1 MB (linear ≈ 1,
 *             quadratic ≈ 10)
 * Target (issue 7): a 10 MB body of each family parses or is refused in under 1 s.
 */
import { SourceError } from '@app/core';
import { feedItemToContent, parseFeed } from '@app/sources';
import {
  ENTITY_FAMILIES,
  NESTING_FAMILIES,
  QUADRATIC_FAMILIES,
  benignFeed,
  type SizedBody,
} from '@app/testing/hostile/hostile-feed-bodies';
import { fmt, log, printTable, timed, type Row } from './bench-support';

const MB = 1024 * 1024;
const SIZES_MB = [1, 2.5, 5, 10];
const TARGET_MS_AT_10_MB = 1000;
const FEED_URL = 'https://feeds.example.org/rss';

interface Measured {
  ms: number;
  bytes: number;
  outcome: string;
}

/** Parses as the capture does (items converted to statements too); the best of `runs` timings. */
async function measure(body: Buffer, runs: number): Promise<Measured> {
  let best = Infinity;
  let outcome = '';
  for (let run = 0; run < runs; run++) {
    const { result, ms } = await timed(() => {
      try {
        const feed = parseFeed(body, FEED_URL);
        for (const item of feed.items) feedItemToContent(item, FEED_URL);
        return `parsed (${feed.items.length} items)`;
      } catch (error) {
        if (error instanceof SourceError) return `refused: ${error.message.slice(0, 70)}`;
        throw error;
      }
    });
    best = Math.min(best, ms);
    outcome = result;
  }
  return { ms: best, bytes: body.length, outcome };
}

async function family(name: string, build: SizedBody): Promise<Row> {
  const perMb: number[] = [];
  let largest: Measured | undefined;
  for (const size of SIZES_MB) {
    const body = build(size * MB);
    const measured = await measure(body, size <= 2.5 ? 3 : 2);
    perMb.push(measured.ms / (measured.bytes / MB));
    largest = measured;
    log(`${name} ${size} MB: ${fmt(measured.ms, 1)} ms, ${measured.outcome}`);
  }
  const ratio = perMb[perMb.length - 1] / perMb[0];
  return {
    what: name,
    ours: perMb.map((ms, i) => `${SIZES_MB[i]} MB ${fmt(ms, 1)}`).join(' · ') + ' ms/MB',
    limit: `10 MB: ${fmt(largest!.ms, 0)} ms`,
    ratio: fmt(ratio, 2),
    target: `< ${TARGET_MS_AT_10_MB} ms at 10 MB`,
    verdict: largest!.ms < TARGET_MS_AT_10_MB ? 'PASS' : 'MISS',
  };
}

async function main(): Promise<void> {
  // warm-up: the first parse compiles the parser and the HTML converter
  await measure(benignFeed(MB), 2);
  const rows: Row[] = [];
  rows.push({ ...(await family('benign feed (baseline)', benignFeed)), target: 'baseline', verdict: '' });
  const families: Record<string, SizedBody> = {
    ...QUADRATIC_FAMILIES,
    ...ENTITY_FAMILIES,
    ...NESTING_FAMILIES,
  };
  for (const [name, build] of Object.entries(families)) rows.push(await family(name, build));
  printTable('Feed parse time per MB (best of 2–3 runs; ratio = per-MB time at 10 MB / at 1 MB)', rows);
  const missed = rows.filter((row) => row.verdict === 'MISS').length;
  console.log(
    missed === 0
      ? `\nEvery hostile family parses or is refused in under ${TARGET_MS_AT_10_MB} ms at 10 MB.`
      : `\n${missed} families MISS the ${TARGET_MS_AT_10_MB} ms target at 10 MB.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
