import { Cite, plugins } from '@citation-js/core';
import '@citation-js/plugin-csl';
import { CHICAGO_STYLE } from './chicago-style';
import { MLA_STYLE } from './mla-style';

// citation-js bundles APA; MLA and Chicago come from their official CSL styles
const csl = plugins.config.get('@csl');
if (!csl.templates!.has('mla')) csl.templates!.add('mla', MLA_STYLE);
if (!csl.templates!.has('chicago-author-date')) csl.templates!.add('chicago-author-date', CHICAGO_STYLE);

export interface CitedStatement {
  id: string;
  /** the statement's page in this archive: VERBATIM_PUBLIC_URL + /statements/:id, with or without ?version=N */
  permalink: string;
  title: string;
  /** the account as accountName() names it: "Name (@handle)", "Name (https://feed…)" or "@handle" */
  author: string;
  /** connector name: x, mastodon, bluesky, telegram, web, feed… */
  platform: string;
  authoredAt: string | null;
  /** when the cited version was captured */
  capturedAt: string;
  /** the cited version's record hash */
  recordSha256: string;
  /** the post's own address on its platform (the statement's `url`); without it only the archive is cited */
  url?: string;
  /** the number of the cited version: the citation links to it (?version=N), since the latest may change */
  version?: number;
  /** the statement's status now (active, missing, deleted, unavailable) and since when */
  status?: string;
  statusChangedAt?: string | null;
  /** ISO 639-1 code of the text, when known */
  language?: string | null;
}

export interface Citation {
  id: 'apa' | 'chicago' | 'mla' | 'biblatex' | 'bibtex' | 'csl-json';
  name: string;
  text: string;
}

/** The platforms' own names; a web page's (or a feed item's) is its site's host. */
const PLATFORM_NAMES: Record<string, string> = {
  x: 'X',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  telegram: 'Telegram',
};
const WEB_PLATFORMS = new Set(['web', 'feed']);

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** MLA 9 abbreviates the months of more than four letters; "Sep." as its CSL style (the post's date) writes it */
const MLA_MONTHS = [
  'Jan.',
  'Feb.',
  'Mar.',
  'Apr.',
  'May',
  'June',
  'July',
  'Aug.',
  'Sep.',
  'Oct.',
  'Nov.',
  'Dec.',
];
const BIBTEX_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type DateStyle = (iso: string) => string;
const day = (iso: string) => {
  const d = new Date(iso);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate() };
};
/** November 28, 2026 (APA, Chicago) */
const usDate: DateStyle = (iso) => {
  const d = day(iso);
  return `${MONTHS[d.month]} ${d.day}, ${d.year}`;
};
/** 28 Nov. 2026 (MLA) */
const mlaDate: DateStyle = (iso) => {
  const d = day(iso);
  return `${d.day} ${MLA_MONTHS[d.month]} ${d.year}`;
};
/** 28 November 2026 (the free text of BibTeX and BibLaTeX entries, which no style reformats) */
const bibDate: DateStyle = (iso) => {
  const d = day(iso);
  return `${d.day} ${MONTHS[d.month]} ${d.year}`;
};
const isoDay = (iso: string) => new Date(iso).toISOString().slice(0, 10);

function dateParts(iso: string): { 'date-parts': number[][] } {
  const d = day(iso);
  return { 'date-parts': [[d.year, d.month + 1, d.day]] };
}

/** What a citation says, resolved once for every format. */
interface Facts {
  s: CitedStatement;
  web: boolean;
  /** "post" or "page" */
  noun: string;
  /** the platform's name, or the web page's site */
  container: string | null;
  /** the account's name and, for platform accounts, its @handle */
  name: string;
  handle: string | null;
  version: number | null;
  /** the archived version's address: the permalink pinned to the cited version */
  snapshot: string;
  /** this installation, by its public host */
  archive: string;
}

function factsOf(s: CitedStatement): Facts {
  const web = WEB_PLATFORMS.has(s.platform);
  const permalink = new URL(s.permalink);
  const asked = permalink.searchParams.get('version');
  const version = s.version ?? (asked && /^\d+$/.test(asked) ? Number(asked) : null);
  if (version !== null) permalink.searchParams.set('version', String(version));
  return {
    s,
    web,
    noun: web ? 'page' : 'post',
    container: platformName(s.platform, s.url),
    ...authorOf(s.author),
    version,
    snapshot: permalink.href,
    archive: permalink.host,
  };
}

/**
 * What a citation names as the post's publisher: the platform by its own name (X, Mastodon, Bluesky, Telegram),
 * a web page's (or a feed item's) site by its host; null for a web page whose address is not known.
 */
export function platformName(platform: string, url?: string): string | null {
  if (!WEB_PLATFORMS.has(platform)) return PLATFORM_NAMES[platform] ?? capitalized(platform);
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The name and @handle out of accountName()'s "Name (@handle)". A feed's or a list page's address is no part of
 * an author's name, and a page captured on its own is its site's ("example.gov (@example.gov)"): the name alone.
 */
function authorOf(author: string): { name: string; handle: string | null } {
  const named = /^(.+) \((@[^\s()]+|https?:\/\/[^\s()]+)\)$/.exec(author);
  if (!named) return { name: author, handle: null };
  const [, name, handle] = named;
  return { name, handle: handle.startsWith('@') && handle.slice(1) !== name ? handle : null };
}

/** "Name [@handle]": APA 7 (10.15) and MLA 9 */
const bracketed = (f: Facts) => (f.handle ? `${f.name} [${f.handle}]` : f.name);
/** "Name (@handle)": Chicago, and the name the machine-readable formats carry */
const parenthesized = (f: Facts) => (f.handle ? `${f.name} (${f.handle})` : f.name);

/**
 * What became of the post after the capture, as of its status now, with the date it took that status:
 * deleted (confirmed), missing (not found, deletion not yet confirmed), unavailable (the account went away).
 * Null while it is up.
 */
function statusOf(f: Facts, date: DateStyle): string | null {
  const { status, statusChangedAt } = f.s;
  if (!status || status === 'active') return null;
  const noun = capitalized(f.noun);
  const since = statusChangedAt ? ` since ${date(statusChangedAt)}` : '';
  switch (status) {
    case 'deleted':
      return `${noun} deleted${statusChangedAt ? `, confirmed ${date(statusChangedAt)}` : ''}`;
    case 'missing':
      return `${noun} not found${since}, deletion not yet confirmed`;
    case 'unavailable':
      return `${f.web ? 'Site' : 'Account'} unavailable${since}`;
    default:
      return `${noun} ${status}${since}`;
  }
}

/** "Archived at archive.example as version 2, captured 2026-11-29T09:16:02.123Z, record SHA-256 …" */
const archivedAt = (f: Facts) =>
  `Archived at ${f.archive}${f.version === null ? '' : ` as version ${f.version}`}, captured ${f.s.capturedAt}, ` +
  `record SHA-256 ${f.s.recordSha256}`;

// citeproc reads `<i>`, `<b>`, `<span>`… in any text as markup: a captured text keeps its "<" as a stand-in
const LT = '\uE000';
const shielded = (text: string) => text.replaceAll('<', LT);
const nocase = (text: string) => `<span class="nocase">${shielded(text)}</span>`;

interface StyleRules {
  author: string;
  /** APA's "[Post]" */
  genre?: string;
  /** a page whose author is its site: APA names the site once, as the author (10.16); MLA once, as the container */
  sameSite?: 'no-site' | 'no-author';
}

/**
 * The post itself as the style cites a post (or a web page): author, date, its text as captured (never recased),
 * the platform (or site) and the post's own URL. The archived copy is added after it: no CSL style has a place
 * for a second URL.
 */
function postReference(f: Facts, template: string, { author, genre, sameSite }: StyleRules): string {
  const { s } = f;
  const same = f.web && f.container === author ? sameSite : undefined;
  const container = same === 'no-site' ? null : f.container;
  const item = {
    id: 'post',
    type: f.web ? 'webpage' : 'post',
    title: nocase(s.title),
    ...(same === 'no-author' ? {} : { author: [{ literal: shielded(author) }] }),
    ...(s.authoredAt ? { issued: dateParts(s.authoredAt) } : {}),
    ...(container ? { 'container-title': nocase(container) } : {}),
    ...(genre && !f.web ? { genre } : {}),
    ...(s.url ? { URL: s.url } : {}),
    ...(s.language ? { language: s.language } : {}),
  };
  return new Cite(item)
    .format('bibliography', { template, format: 'text', lang: 'en-US' })
    .trim()
    .replaceAll(LT, '<');
}

/** APA 7: the post (10.15), then, as APA adds to a reference after its URL, the rest in parentheses. */
function apa(f: Facts): string {
  const status = statusOf(f, usDate);
  const archived = `${archivedAt(f)}: ${f.snapshot}`;
  const post = postReference(f, 'apa', { author: bracketed(f), genre: 'Post', sameSite: 'no-site' });
  return `${post} (${status ? `${status}; ${archived.charAt(0).toLowerCase()}${archived.slice(1)}` : archived})`;
}

/** Chicago (author-date): the post as a social media post, then the archived copy as "archived … at …" and its URL. */
function chicago(f: Facts): string {
  const status = statusOf(f, usDate);
  return [
    postReference(f, 'chicago-author-date', { author: parenthesized(f) }),
    ...(status ? [`${status}.`] : []),
    `${archivedAt(f)}, ${f.snapshot}.`,
  ].join(' ');
}

/** MLA 9: the post in its platform, then the archive as a second container (its version, date, URL). */
function mla(f: Facts): string {
  const status = statusOf(f, mlaDate);
  const container = [
    f.archive,
    ...(f.version === null ? [] : [`version ${f.version}`]),
    mlaDate(f.s.capturedAt),
    f.snapshot,
  ];
  return [
    postReference(f, 'mla', { author: bracketed(f), sameSite: 'no-author' }),
    `${container.join(', ')}.`,
    `Captured ${f.s.capturedAt}, record SHA-256 ${f.s.recordSha256}.`,
    ...(status ? [`${status}.`] : []),
  ].join(' ');
}

/** Text for a TeX field: its special characters as text, on one line. */
function tex(text: string): string {
  const special: Record<string, string> = {
    '\\': '\\textbackslash{}',
    '{': '\\{',
    '}': '\\}',
    '#': '\\#',
    $: '\\$',
    '%': '\\%',
    '&': '\\&',
    _: '\\_',
    '~': '\\textasciitilde{}',
    '^': '\\textasciicircum{}',
  };
  return text.replace(/[\\{}#$%&_~^]/g, (c) => special[c]).replace(/\s+/g, ' ');
}

/** A URL in a field of text: \url{}, with the characters a macro argument cannot hold escaped. */
const texUrl = (url: string) => `\\url{${verbatimUrl(url).replace(/[%#]/g, (c) => `\\${c}`)}}`;
/** A URL for a verbatim field (url): only braces, backslashes and spaces would break the entry. */
const verbatimUrl = (url: string) =>
  url.replace(/[{}\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

const bibEntry = (type: string, key: string, fields: [string, string | null][]) =>
  [
    `@${type}{${key},`,
    ...fields.filter(([, value]) => value !== null).map(([name, value]) => `  ${name} = ${value},`),
    '}',
  ].join('\n');

const bibKey = (f: Facts) =>
  `verbatim${f.s.id.replaceAll('-', '')}${f.version === null ? '' : `v${f.version}`}`;

/** "Mastodon post, 28 November 2026, \url{…}" */
function bibOriginal(f: Facts): string {
  const { s } = f;
  return [
    f.container ? `${f.container} ${f.noun}` : capitalized(f.noun),
    ...(s.authoredAt ? [bibDate(s.authoredAt)] : []),
    ...(s.url ? [texUrl(s.url)] : []),
  ]
    .map((part, i) => (i === 0 ? tex(part) : part))
    .join(', ');
}

const bibArchived = (f: Facts) => tex(archivedAt(f));

/**
 * BibLaTeX `@online`: its full date, the platform as the organization that published it, the version, the
 * archived version's URL and the date it was read (urldate); the archive and the hash in `note`, the post's own
 * URL and what became of it in `addendum`. Titles in double braces: a post's text is never recased.
 */
function biblatex(f: Facts): string {
  const { s } = f;
  const status = statusOf(f, bibDate);
  const addendum = [
    ...(s.url ? [`Original ${f.noun}: ${texUrl(s.url)}`] : []),
    ...(status ? [tex(status)] : []),
  ].join('. ');
  return bibEntry('online', bibKey(f), [
    ['author', `{{${tex(parenthesized(f))}}}`],
    ['title', `{{${tex(s.title)}}}`],
    ['date', s.authoredAt ? `{${isoDay(s.authoredAt)}}` : null],
    ['organization', f.container ? `{${tex(f.container)}}` : null],
    ['version', f.version === null ? null : `{${f.version}}`],
    ['url', `{${verbatimUrl(f.snapshot)}}`],
    ['urldate', `{${isoDay(s.capturedAt)}}`],
    ['note', `{${bibArchived(f)}}`],
    ['addendum', addendum ? `{${addendum}}` : null],
  ]);
}

/**
 * Classic BibTeX `@misc`: `month` as the month's macro (BibTeX has no day: the post's full date is in `note`),
 * the archived version's URL in `howpublished` (every style prints it) and `url` (the styles that know it), the
 * post's own URL, what became of it, the archive and the hash in `note`.
 */
function bibtex(f: Facts): string {
  const { s } = f;
  const status = statusOf(f, bibDate);
  const note = [bibOriginal(f), ...(status ? [tex(status)] : []), bibArchived(f)].join('. ');
  const authored = s.authoredAt ? day(s.authoredAt) : null;
  return bibEntry('misc', bibKey(f), [
    ['author', `{{${tex(parenthesized(f))}}}`],
    ['title', `{{${tex(s.title)}}}`],
    ['howpublished', `{${texUrl(f.snapshot)}}`],
    ['year', authored ? `{${authored.year}}` : null],
    ['month', authored ? BIBTEX_MONTHS[authored.month] : null],
    ['note', `{${note}}`],
    ['url', `{${verbatimUrl(f.snapshot)}}`],
    ['urldate', `{${isoDay(s.capturedAt)}}`],
  ]);
}

/**
 * The statement as a CSL-JSON item: a `post` (a web page: `webpage`) in its platform (`container-title`), at
 * the archived version's URL, read (`accessed`) when captured; `archive` names this installation and
 * `archive_location` the version, capture time and record hash; `note` adds the post's own URL and what became
 * of it.
 */
export function cslItem(s: CitedStatement): Record<string, unknown> {
  return itemOf(factsOf(s));
}

function itemOf(f: Facts): Record<string, unknown> {
  const { s } = f;
  const status = statusOf(f, bibDate);
  const archived = `${f.version === null ? '' : `version ${f.version}, `}captured ${s.capturedAt}, record SHA-256 ${s.recordSha256}`;
  return {
    id: `verbatim-${s.id}${f.version === null ? '' : `-v${f.version}`}`,
    type: f.web ? 'webpage' : 'post',
    title: s.title,
    author: [{ literal: parenthesized(f) }],
    ...(s.authoredAt ? { issued: dateParts(s.authoredAt) } : {}),
    accessed: dateParts(s.capturedAt),
    ...(f.container ? { 'container-title': f.container } : {}),
    ...(f.version === null ? {} : { version: String(f.version) }),
    ...(s.language ? { language: s.language } : {}),
    URL: f.snapshot,
    archive: f.archive,
    archive_location: archived,
    note: [
      ...(s.url ? [`Original ${f.noun}: ${s.url}`] : []),
      ...(status ? [status] : []),
      archivedAt(f),
    ].join('. '),
  };
}

/**
 * APA, Chicago (author-date), MLA: the post as each style cites one (from its official CSL style), followed by
 * the archived copy (this installation, the version, capture time, record hash and URL) and what became of the
 * post since. BibLaTeX, BibTeX and CSL-JSON carry the same.
 */
export function citationsOf(s: CitedStatement): Citation[] {
  const f = factsOf(s);
  return [
    { id: 'apa', name: 'APA', text: apa(f) },
    { id: 'chicago', name: 'Chicago', text: chicago(f) },
    { id: 'mla', name: 'MLA', text: mla(f) },
    { id: 'biblatex', name: 'BibLaTeX', text: biblatex(f) },
    { id: 'bibtex', name: 'BibTeX', text: bibtex(f) },
    { id: 'csl-json', name: 'CSL-JSON', text: JSON.stringify([itemOf(f)], null, 2) },
  ];
}
