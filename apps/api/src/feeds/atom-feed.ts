import { Feed } from 'feed';
import { type StatementSummaryView } from '@app/persistence';

export interface AtomFeedInput {
  /** the feed's own URL, also its id */
  selfUrl: string;
  title: string;
  description: string;
  publicUrl: string;
  statements: StatementSummaryView[];
}

const TITLE_LENGTH = 100;

/**
 * An Atom 1.0 document of statements. Entry ids are `urn:uuid:<statement id>`: stable for as long as the
 * statement exists, so a reader never sees an entry twice.
 */
export function atomFeed(input: AtomFeedInput): string {
  const updated = input.statements.reduce(
    (latest, s) => (new Date(s.firstCapturedAt) > latest ? new Date(s.firstCapturedAt) : latest),
    new Date(0),
  );
  const feed = new Feed({
    id: input.selfUrl,
    link: input.publicUrl,
    title: input.title,
    description: input.description,
    updated,
    generator: 'Verbatim',
    copyright: 'Statements are quoted from their authors as published.',
    feedLinks: { atom: input.selfUrl },
    author: { name: 'Verbatim' },
  });
  for (const statement of input.statements) {
    const name = statement.account.displayName
      ? `${statement.account.displayName} (@${statement.account.handle})`
      : `@${statement.account.handle}`;
    feed.addItem({
      id: `urn:uuid:${statement.id}`,
      guid: `urn:uuid:${statement.id}`,
      // the library marks titles as HTML: the captured text must arrive as text, not markup
      title: escapeHtml(titleOf(statement.text) || `Statement by ${name}`),
      link: `${input.publicUrl}/api/v1/statements/${statement.id}`,
      date: new Date(statement.firstCapturedAt),
      published: statement.authoredAt ? new Date(statement.authoredAt) : undefined,
      content: escapeHtml(statement.text).replaceAll('\n', '<br/>'),
      author: [{ name, link: statement.account.url }],
    });
  }
  return feed.atom1();
}

/** The first line of the text, cut at a word near TITLE_LENGTH characters. */
function titleOf(text: string): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim() ?? '';
  if (line.length <= TITLE_LENGTH) return line;
  const cut = line.slice(0, TITLE_LENGTH);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), TITLE_LENGTH / 2))}…`;
}

/**
 * Titles and content go out as HTML (inside CDATA): the captured text is shown as text, never as markup, and
 * a `]]>` in it cannot end the CDATA section early because `>` is escaped.
 */
function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
