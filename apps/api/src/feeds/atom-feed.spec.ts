import { XMLParser } from 'fast-xml-parser';
import { type StatementSummaryView } from '@app/persistence';
import { atomFeed } from './atom-feed';

/** What XML 1.0 allows in a document (its `Char` production). */
const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

function statement(text: string, displayName: string): StatementSummaryView {
  return {
    id: '0b6f4c6e-4f3c-4a57-9d1f-3f1f0d1f8b11',
    text,
    firstCapturedAt: '2026-03-01T10:00:00.000Z',
    authoredAt: '2026-03-01T09:59:00.000Z',
    status: 'active',
    statusChangedAt: null,
    latestVersion: 1,
    account: { displayName, handle: 'mfa@diplo.example', url: 'https://diplo.example/@mfa' },
  } as unknown as StatementSummaryView;
}

describe('atomFeed', () => {
  const feed = (s: StatementSummaryView) =>
    atomFeed({
      selfUrl: 'https://archive.example/feeds/statements.atom',
      title: 'Verbatim: new statements',
      description: 'Statements as captured',
      publicUrl: 'https://archive.example',
      statements: [s],
    });

  it('keeps a source’s control characters and broken surrogates out of the document, marking where they were', () => {
    const xml = feed(statement('Line one\u000b\u0001 and \ud800 half\ufffe', 'Ministry\u0008'));
    expect(XML_CHARS.test(xml)).toBe(true);
    const doc = new XMLParser().parse(xml) as {
      feed: { entry: { title: string; author: { name: string } } };
    };
    expect(doc.feed.entry.title).toContain('Line one\ufffd\ufffd and \ufffd half\ufffd');
    expect(doc.feed.entry.author.name).toBe('Ministry\ufffd (@mfa@diplo.example)');
  });

  it('leaves text XML allows as it is: tabs, line ends, letters beyond the basic plane', () => {
    const xml = feed(statement('Tab\there 😀 ю', 'Міністерство'));
    expect(xml).toContain('Tab\there 😀 ю');
    expect(xml).toContain('Міністерство (@mfa@diplo.example)');
    expect(xml).not.toContain('\ufffd');
  });

  it('cleans the feed’s own title and subtitle, which carry an account’s name as its source sent it', () => {
    const xml = atomFeed({
      selfUrl: 'https://archive.example/feeds/accounts/1.atom',
      title: 'Ministry\u000b: statements',
      description: 'Statements of Ministry\u000b (@mfa@diplo.example)',
      publicUrl: 'https://archive.example',
      statements: [statement('Text', 'Ministry\u000b')],
    });
    expect(XML_CHARS.test(xml)).toBe(true);
    const doc = new XMLParser().parse(xml) as { feed: { title: string; subtitle: string } };
    expect(doc.feed.title).toBe('Ministry\ufffd: statements');
    expect(doc.feed.subtitle).toBe('Statements of Ministry\ufffd (@mfa@diplo.example)');
  });

  describe('changes and statuses', () => {
    type Entry = {
      id: string;
      title: string;
      updated: string;
      published: string;
      content: string;
      category: { '@term': string; '@label': string };
    };
    type Parsed = Omit<Entry, 'title' | 'content'> & Record<'title' | 'content', { '#text': string }>;
    /** The document with its attributes, an entry's HTML title and content as their text. */
    const parse = (xml: string) => {
      const doc = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '@',
        isArray: (name) => name === 'entry',
      }).parse(xml) as { feed: { updated: string; entry?: Parsed[] } };
      const entry = doc.feed.entry?.map((e): Entry => ({
        ...e,
        title: e.title['#text'],
        content: e.content['#text'],
      }));
      return { feed: { ...doc.feed, entry } };
    };
    const at = (changes: Partial<StatementSummaryView>): StatementSummaryView => ({
      ...statement('We will not negotiate.', 'Ministry'),
      ...changes,
    });
    const feedOf = (
      statements: StatementSummaryView[],
      extra: { restorations?: boolean; emptySince?: Date } = {},
    ) =>
      parse(
        atomFeed({
          selfUrl: 'https://archive.example/feeds/statements.atom',
          title: 'Verbatim: new statements',
          description: 'Statements as captured',
          publicUrl: 'https://archive.example',
          statements,
          ...extra,
        }),
      ).feed;

    it('dates an edited entry by its latest version, still published when authored, and says which version it shows', () => {
      const [entry] = feedOf([
        at({
          text: 'We will negotiate.',
          latestVersion: 2,
          latestVersionCapturedAt: '2026-03-03T08:00:00.000Z',
          lastSeenAt: '2026-03-04T00:00:00.000Z',
        }),
      ]).entry!;
      expect(entry.updated).toBe('2026-03-03T08:00:00.000Z');
      expect(entry.published).toBe('2026-03-01T09:59:00.000Z');
      expect(entry.content).toBe(
        '<p>Edited: this is version 2, captured 2026-03-03 08:00:00 UTC.</p>We will negotiate.',
      );
      expect(entry.title).toBe('We will negotiate.');
      expect(entry.category).toEqual({ '@term': 'active', '@label': 'Active' });
    });

    it('publishes an entry with no authored time at its first capture, and dates an unchanged one by it', () => {
      const [entry] = feedOf([
        at({ authoredAt: null, latestVersionCapturedAt: '2026-03-01T10:00:00.000Z' }),
      ]).entry!;
      expect(entry.published).toBe('2026-03-01T10:00:00.000Z');
      expect(entry.updated).toBe('2026-03-01T10:00:00.000Z');
      expect(entry.content).toBe('We will not negotiate.');
    });

    it('says a status other than active in the title, a first line and a category, dated by the change', () => {
      const entries = feedOf([
        at({ id: 'd', status: 'deleted', statusChangedAt: '2026-03-02T13:00:58.000Z' }),
        at({ id: 'm', status: 'missing', statusChangedAt: '2026-03-02T12:00:00.000Z' }),
        at({ id: 'u', status: 'unavailable', statusChangedAt: '2026-03-02T11:00:00.000Z' }),
        at({ id: 'r', status: 'active', statusChangedAt: '2026-03-02T10:00:00.000Z' }),
        at({ id: 'x', status: 'deleted', statusChangedAt: null }),
      ]).entry!;
      expect(entries.map((e) => [e.id, e.title, e.category['@term'], e.updated])).toEqual([
        ['urn:uuid:d', '[Deleted] We will not negotiate.', 'deleted', '2026-03-02T13:00:58.000Z'],
        ['urn:uuid:m', '[Not found] We will not negotiate.', 'missing', '2026-03-02T12:00:00.000Z'],
        ['urn:uuid:u', '[Unavailable] We will not negotiate.', 'unavailable', '2026-03-02T11:00:00.000Z'],
        // outside the deleted feed, a restoration is said in the content only
        ['urn:uuid:r', 'We will not negotiate.', 'restored', '2026-03-02T10:00:00.000Z'],
        // a deletion recorded before status changes were timed: its capture is its latest known change
        ['urn:uuid:x', '[Deleted] We will not negotiate.', 'deleted', '2026-03-01T10:00:00.000Z'],
      ]);
      expect(entries.map((e) => e.content)).toEqual([
        '<p>Deleted: the deletion was observed 2026-03-02 13:00:58 UTC.</p>We will not negotiate.',
        '<p>Not found since 2026-03-02 12:00:00 UTC; its deletion is not confirmed yet.</p>We will not negotiate.',
        '<p>Unavailable since 2026-03-02 11:00:00 UTC: its account cannot be read.</p>We will not negotiate.',
        '<p>Restored 2026-03-02 10:00:00 UTC: available again.</p>We will not negotiate.',
        '<p>Deleted.</p>We will not negotiate.',
      ]);
    });

    it('dates an entry by whichever came last, its edit or its status change, and says both', () => {
      const [entry] = feedOf([
        at({
          status: 'deleted',
          statusChangedAt: '2026-03-02T13:00:00.000Z',
          latestVersion: 3,
          latestVersionCapturedAt: '2026-03-02T12:00:00.000Z',
        }),
      ]).entry!;
      expect(entry.updated).toBe('2026-03-02T13:00:00.000Z');
      expect(entry.content).toBe(
        '<p>Deleted: the deletion was observed 2026-03-02 13:00:00 UTC.</p>' +
          '<p>Edited: this is version 3, captured 2026-03-02 12:00:00 UTC.</p>We will not negotiate.',
      );
    });

    it('titles a restoration in the deleted feed, keeping the order it is given', () => {
      const entries = feedOf(
        [
          at({ id: 'r', status: 'active', statusChangedAt: '2026-03-02T14:00:00.000Z' }),
          at({ id: 'd', status: 'deleted', statusChangedAt: '2026-03-02T13:00:00.000Z' }),
        ],
        { restorations: true },
      ).entry!;
      expect(entries.map((e) => [e.id, e.title, e.category])).toEqual([
        ['urn:uuid:r', '[Restored] We will not negotiate.', { '@term': 'restored', '@label': 'Restored' }],
        ['urn:uuid:d', '[Deleted] We will not negotiate.', { '@term': 'deleted', '@label': 'Deleted' }],
      ]);
    });

    it('keeps the captured text escaped behind a status prefix', () => {
      const xml = atomFeed({
        selfUrl: 'https://archive.example/feeds/statements.atom',
        title: 'Verbatim: new statements',
        description: 'Statements as captured',
        publicUrl: 'https://archive.example',
        statements: [
          at({ text: '<b>x</b> ]]> & "q"', status: 'deleted', statusChangedAt: '2026-03-02T13:00:00.000Z' }),
        ],
      });
      expect(XML_CHARS.test(xml)).toBe(true);
      const [entry] = parse(xml).feed.entry!;
      expect(entry.title).toBe('[Deleted] &lt;b&gt;x&lt;/b&gt; ]]&gt; &amp; &quot;q&quot;');
      expect(entry.content).toContain('&lt;b&gt;x&lt;/b&gt; ]]&gt; &amp; &quot;q&quot;');
    });

    it('escapes a status it does not know, attributes included', () => {
      const xml = atomFeed({
        selfUrl: 'https://archive.example/feeds/statements.atom',
        title: 'Verbatim: new statements',
        description: 'Statements as captured',
        publicUrl: 'https://archive.example',
        statements: [at({ status: 'held <by> "a" & b' })],
      });
      const [entry] = parse(xml).feed.entry!;
      // escaped in the document (the parser would forgive a bare `<` or `&`); parsed, the status as it was
      expect(xml).toContain('term="held &lt;by&gt; &quot;a&quot; &amp; b"');
      expect(entry.category).toEqual({ '@term': 'held <by> "a" & b', '@label': 'held <by> "a" & b' });
      expect(entry.title).toBe('[held &lt;by&gt; &quot;a&quot; &amp; b] We will not negotiate.');
      expect(entry.content).toBe(
        '<p>Status: held &lt;by&gt; &quot;a&quot; &amp; b.</p>We will not negotiate.',
      );
    });

    it('is as new as its newest entry, whatever their order', () => {
      const feed = feedOf([
        at({ id: 'a', statusChangedAt: null }),
        at({ id: 'b', latestVersion: 2, latestVersionCapturedAt: '2026-03-05T00:00:00.000Z' }),
        at({ id: 'c', status: 'deleted', statusChangedAt: '2026-03-04T00:00:00.000Z' }),
      ]);
      expect(feed.updated).toBe('2026-03-05T00:00:00.000Z');
      expect(feed.entry!.map((e) => e.id)).toEqual(['urn:uuid:a', 'urn:uuid:b', 'urn:uuid:c']);
    });

    it('dates an empty feed by when it began, never 1970', () => {
      expect(feedOf([], { emptySince: new Date('2026-01-15T08:00:00.000Z') }).updated).toBe(
        '2026-01-15T08:00:00.000Z',
      );
      const before = Date.now();
      expect(Date.parse(feedOf([]).updated)).toBeGreaterThanOrEqual(before - 1000);
    });
  });
});
