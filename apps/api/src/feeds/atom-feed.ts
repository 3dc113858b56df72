import { Feed } from 'feed';
import { type StatementSummaryView } from '@app/persistence';
import { accountName, headline } from '../common/display-text';

export interface AtomFeedInput {
  /** the feed's own URL, also its id */
  selfUrl: string;
  title: string;
  description: string;
  publicUrl: string;
  statements: StatementSummaryView[];
  /**
   * What dates the feed while it has no entry (now, without it): when what it lists began (the account's tracking,
   * the archive's first account), as it has not changed since. Otherwise the feed is as new as its newest entry.
   */
  emptySince?: Date;
  /**
   * The deleted feed: every active statement in it was restored after a confirmed deletion, and its title says so.
   * Elsewhere a restoration is said in the entry's content only.
   */
  restorations?: boolean;
}

const TITLE_LENGTH = 100;

/**
 * An Atom 1.0 document of statements. Entry ids are `urn:uuid:<statement id>`: stable for as long as the
 * statement exists, so a reader never sees an entry twice. Each entry links to its reading-room page, which a
 * reader opens in a browser; the page links to the JSON and the evidence.
 *
 * An entry is `updated` by its latest change (a new version, a status change) and `published` when authored (or
 * first captured), so a reader shows an edit, a deletion or a restoration as a change of the entry it has. The
 * entry says its status when it is not plainly active: in a category, before its title, and in a first line.
 */
export function atomFeed(input: AtomFeedInput): string {
  const updated = input.statements.reduce<Date | null>((latest, s) => {
    const date = lastChange(s);
    return latest && latest >= date ? latest : date;
  }, null);
  const feed = new Feed({
    id: input.selfUrl,
    link: input.publicUrl,
    // an account feed's title and subtitle carry the account's name as its source sent it
    title: xmlChars(input.title),
    description: xmlChars(input.description),
    updated: updated ?? input.emptySince ?? new Date(),
    generator: 'Verbatim',
    copyright: 'Statements are quoted from their authors as published.',
    feedLinks: { atom: input.selfUrl },
    author: { name: 'Verbatim' },
  });
  for (const statement of input.statements) {
    const account = statement.account;
    const name = xmlChars(accountName(account));
    const status = statusOf(statement, input.restorations ?? false);
    const title = headline(statement.text, TITLE_LENGTH) || `Statement by ${name}`;
    const lines = [status.line, editLine(statement)].filter((line) => line !== null);
    feed.addItem({
      id: `urn:uuid:${statement.id}`,
      guid: `urn:uuid:${statement.id}`,
      // the library marks titles as HTML: the captured text must arrive as text, not markup
      title: escapeHtml(status.inTitle ? `[${status.label}] ${title}` : title),
      link: `${input.publicUrl}/statements/${statement.id}`,
      date: lastChange(statement),
      published: new Date(statement.authoredAt ?? statement.firstCapturedAt),
      content:
        lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') +
        escapeHtml(statement.text).replaceAll('\n', '<br/>'),
      author: [{ name, link: xmlChars(account.url) }],
      // the library escapes only quotes in attributes
      category: [{ term: escapeAttribute(status.term), name: escapeAttribute(status.label) }],
    });
  }
  return feed.atom1();
}

/** The entry's latest change: its first capture, its latest version's capture, or its latest status change. */
function lastChange(statement: StatementSummaryView): Date {
  const times = [statement.firstCapturedAt, statement.latestVersionCapturedAt, statement.statusChangedAt];
  return new Date(Math.max(...times.filter((t) => t != null).map((t) => Date.parse(t))));
}

interface EntryStatus {
  /** the category term: the status as the API names it, or `restored` */
  term: string;
  label: string;
  inTitle: boolean;
  /** the entry's first line, saying since when; null for a statement active since its capture */
  line: string | null;
}

function statusOf(statement: StatementSummaryView, restorations: boolean): EntryStatus {
  const at = statement.statusChangedAt ? readableTime(new Date(statement.statusChangedAt)) : null;
  switch (statement.status) {
    case 'active':
      // a status change back to active: the post reappeared, or its account answers again
      return at
        ? {
            term: 'restored',
            label: 'Restored',
            inTitle: restorations,
            line: `Restored ${at}: available again.`,
          }
        : { term: 'active', label: 'Active', inTitle: false, line: null };
    case 'deleted':
      // a deletion recorded before status changes were timed has no time to say
      return {
        term: 'deleted',
        label: 'Deleted',
        inTitle: true,
        line: at ? `Deleted: the deletion was observed ${at}.` : 'Deleted.',
      };
    case 'missing':
      return {
        term: 'missing',
        label: 'Not found',
        inTitle: true,
        line: `Not found${at ? ` since ${at}` : ''}; its deletion is not confirmed yet.`,
      };
    case 'unavailable':
      return {
        term: 'unavailable',
        label: 'Unavailable',
        inTitle: true,
        line: `Unavailable${at ? ` since ${at}` : ''}: its account cannot be read.`,
      };
    default:
      return {
        term: statement.status,
        label: statement.status,
        inTitle: true,
        line: `Status: ${statement.status}.`,
      };
  }
}

/** For an edited statement: which version the entry shows, and when it was captured. */
function editLine(statement: StatementSummaryView): string | null {
  if (statement.latestVersion <= 1) return null;
  const at = statement.latestVersionCapturedAt;
  return `Edited: this is version ${statement.latestVersion}${at ? `, captured ${readableTime(new Date(at))}` : ''}.`;
}

/** `2026-03-02 13:00:58 UTC` */
function readableTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Titles and content go out as HTML (inside CDATA): the captured text is shown as text, never as markup, and
 * a `]]>` in it cannot end the CDATA section early because `>` is escaped.
 */
function escapeHtml(text: string): string {
  return xmlChars(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** An attribute's value for the library, which escapes its quotes but not `&`, `<` and `>`. */
function escapeAttribute(text: string): string {
  return xmlChars(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Characters XML 1.0 does not allow in a document, even escaped (controls but tab and line ends, U+FFFE, U+FFFF,
 * halves of surrogate pairs): a source can send them (`&#11;` in a post's HTML) and one would make strict readers
 * reject the whole feed. Each becomes U+FFFD, so the reader still sees that something was there.
 */
const NOT_XML = new RegExp(
  [
    '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]',
    '[\\ud800-\\udbff](?![\\udc00-\\udfff])',
    '(?<![\\ud800-\\udbff])[\\udc00-\\udfff]',
  ].join('|'),
  'g',
);

function xmlChars(text: string): string {
  return text.replace(NOT_XML, '\ufffd');
}
