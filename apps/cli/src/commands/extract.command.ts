/**
 * `verbatim extract FILE`: reads an article (text or HTML) for the statements it quotes
 * ("text — Name (@handle) Month D, YYYY", X embeds), prints them, and records them as quoted statements in the
 * configured database. `--dry-run` prints only and never opens the database. Exit 0 when it ran (also when it
 * found nothing), 2 when the file cannot be read, the options are wrong, or the database is missing or behind.
 */
import { readFileSync, statSync } from 'node:fs';
import { isURL } from 'class-validator';
import { ConfigError, loadConfig } from '@app/config';
import { recordExtraction, type RecordedQuote } from '@app/capture';
import {
  DEFAULT_MAX_QUOTES_PER_DOCUMENT,
  MAX_URL_CHARS,
  extractQuotes,
  detectQuoteFormat,
  firstControlCharacter,
  httpUrlOptions,
  printable,
  trimUrlText,
  type ExtractedQuote,
  type QuoteDocumentFormat,
} from '@app/core';
import { findQuotedStatement, type QuotedStatementView } from '@app/persistence';
import { withDatabase } from './with-database';

export interface ExtractCommandOptions {
  format?: QuoteDocumentFormat;
  sourceUrl?: string;
  dryRun?: boolean;
  json?: boolean;
}

export const EXIT_EXTRACT_DONE = 0;
export const EXIT_EXTRACT_USAGE = 2;
/** An article is kilobytes; this leaves room for a saved page with its inline scripts and styles. */
export const MAX_EXTRACT_FILE = 10 * 1024 * 1024;

function describe(quote: ExtractedQuote): string {
  const who = `${quote.platform} @${quote.handle}${quote.name ? ` (${quote.name})` : ''}`;
  const where = quote.postUrl ? `${quote.foundIn} of ${quote.postUrl}` : quote.foundIn;
  const text = quote.text === null ? '(link only: the document prints none of its words)' : quote.text;
  return `${who} ${quote.date ?? 'undated'} [${where}]\n  ${text.replace(/\n/g, '\n  ')}`;
}

function truncation(found: number, limit: number): string {
  return found > limit
    ? `; ${found} found, only the first ${limit} kept (VERBATIM_MAX_QUOTES_PER_DOCUMENT)`
    : '';
}

/**
 * `--source-url` as the API takes `sourceUrl`: spaces and controls around it dropped, then the same URL check
 * (`httpUrlOptions`), at most MAX_URL_CHARS characters, no control character inside (a NUL would reach the signed
 * quotation record).
 */
export function sourceUrlOption(given: string): string {
  const url = trimUrlText(given);
  const control = firstControlCharacter(url);
  if (control >= 0) {
    // counted in what was given, spaces pasted before it included
    const at = given.indexOf(url) + control + 1;
    const code = url.charCodeAt(control).toString(16).padStart(4, '0');
    throw new Error(
      `--source-url holds a control character (\\u${code} at character ${at}), which no URL has`,
    );
  }
  if (url.length > MAX_URL_CHARS)
    throw new Error(`--source-url is ${url.length} characters long, more than ${MAX_URL_CHARS}`);
  if (!isURL(url, httpUrlOptions()))
    throw new Error(
      `--source-url must be an http(s) URL such as https://news.example/article, not "${printable(url)}"`,
    );
  return url;
}

function readArticle(file: string): string {
  const size = statSync(file).size;
  if (size > MAX_EXTRACT_FILE)
    throw new Error(
      `${file} is ${size} bytes, more than ${MAX_EXTRACT_FILE}: give the article, not an archive`,
    );
  return readFileSync(file, 'utf8');
}

export async function extractCommand(file: string, opts: ExtractCommandOptions): Promise<number> {
  let document: string;
  let sourceUrl: string | null = null;
  try {
    if (opts.sourceUrl !== undefined) sourceUrl = sourceUrlOption(opts.sourceUrl);
    document = readArticle(file);
  } catch (error) {
    console.error(`verbatim extract: ${(error as Error).message}`);
    return EXIT_EXTRACT_USAGE;
  }
  const format = opts.format ?? detectQuoteFormat(document);

  if (opts.dryRun) {
    // no configuration needed: the default limit, unless the environment sets one that loads
    let limit = DEFAULT_MAX_QUOTES_PER_DOCUMENT;
    try {
      limit = loadConfig().quotes.maxPerDocument;
    } catch {
      // a dry run reads the file only
    }
    const { quotes, found, truncated } = extractQuotes(document, format, limit);
    if (opts.json) console.log(JSON.stringify({ format, quotes, found, limit, truncated }, null, 2));
    else {
      console.error(
        `${quotes.length} quoted statement(s) in ${file} (read as ${format})${truncation(found, limit)}; dry run: nothing recorded`,
      );
      for (const quote of quotes) console.log(describe(quote));
    }
    return EXIT_EXTRACT_DONE;
  }

  let origin: string;
  let maxQuotes: number;
  try {
    const config = loadConfig();
    origin = config.log.origin;
    maxQuotes = config.quotes.maxPerDocument;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`verbatim extract: ${error.message} (--dry-run needs no configuration)`);
    return EXIT_EXTRACT_USAGE;
  }
  await withDatabase(async (db) => {
    const result = await recordExtraction(db, { document, format, sourceUrl, maxQuotes }, origin);
    const views: (QuotedStatementView | null)[] = [];
    for (const recorded of result.quotes)
      views.push(await findQuotedStatement(db.manager, recorded.quotedStatementId));
    if (opts.json) {
      const { found, limit, truncated } = result;
      console.log(JSON.stringify({ format, quotedStatements: views, found, limit, truncated }, null, 2));
      return;
    }
    console.error(
      `${result.quotes.length} quoted statement(s) in ${file} (read as ${format})${truncation(result.found, result.limit)}`,
    );
    result.quotes.forEach((recorded: RecordedQuote, i) => {
      const original = views[i]?.original;
      console.log(describe(recorded.quote));
      console.log(
        `  -> quoted statement ${recorded.quotedStatementId} (${recorded.recorded ? 'recorded' : 'already recorded from this document'}; ` +
          `${views[i]?.sources.length ?? 0} source(s); original: ${original ? `${original.id}, by ${original.matchedBy}` : 'not captured'})`,
      );
    });
  });
  return EXIT_EXTRACT_DONE;
}
