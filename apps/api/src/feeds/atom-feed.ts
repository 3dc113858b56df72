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
   * What dates an entry: its first capture, or (the deleted feed) when its status last changed, which the entry
   * then states. The feed is as new as its newest entry.
   */
  datedBy?: 'capture' | 'deletion';
}

const TITLE_LENGTH = 100;

/**
 * An Atom 1.0 document of statements. Entry ids are `urn:uuid:<statement id>`: stable for as long as the
 * statement exists, so a reader never sees an entry twice. Each entry links to its reading-room page, which a
 * reader opens in a browser; the page links to the JSON and the evidence.
 */
export function atomFeed(input: AtomFeedInput): string {
  const dateOf = (statement: StatementSummaryView) => entryDate(statement, input.datedBy ?? 'capture');
  const updated = input.statements.reduce(
    (latest, s) => (dateOf(s) > latest ? dateOf(s) : latest),
    new Date(0),
  );
  const feed = new Feed({
    id: input.selfUrl,
    link: input.publicUrl,
    // an account feed's title and subtitle carry the account's name as its source sent it
    title: xmlChars(input.title),
    description: xmlChars(input.description),
    updated,
    generator: 'Verbatim',
    copyright: 'Statements are quoted from their authors as published.',
    feedLinks: { atom: input.selfUrl },
    author: { name: 'Verbatim' },
  });
  for (const statement of input.statements) {
    const account = statement.account;
    const name = xmlChars(accountName(account));
    const deletion =
      input.datedBy === 'deletion' && statement.statusChangedAt
        ? `<p>Deletion observed ${readableTime(new Date(statement.statusChangedAt))}.</p>`
        : '';
    feed.addItem({
      id: `urn:uuid:${statement.id}`,
      guid: `urn:uuid:${statement.id}`,
      // the library marks titles as HTML: the captured text must arrive as text, not markup
      title: escapeHtml(headline(statement.text, TITLE_LENGTH) || `Statement by ${name}`),
      link: `${input.publicUrl}/statements/${statement.id}`,
      date: dateOf(statement),
      published: statement.authoredAt ? new Date(statement.authoredAt) : undefined,
      content: deletion + escapeHtml(statement.text).replaceAll('\n', '<br/>'),
      author: [{ name, link: xmlChars(account.url) }],
    });
  }
  return feed.atom1();
}

function entryDate(statement: StatementSummaryView, datedBy: 'capture' | 'deletion'): Date {
  // a deletion recorded before status changes were timed has only its capture to go by
  const date =
    datedBy === 'deletion'
      ? (statement.statusChangedAt ?? statement.firstCapturedAt)
      : statement.firstCapturedAt;
  return new Date(date);
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
