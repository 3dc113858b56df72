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

  it('dates a deleted feed by when each status changed, says when in the entry, and falls back to the capture', () => {
    const deletedAt = (statusChangedAt: string | null, id: string) =>
      ({ ...statement('Text', 'Ministry'), id, statusChangedAt }) as StatementSummaryView;
    const xml = atomFeed({
      selfUrl: 'https://archive.example/feeds/deleted.atom',
      title: 'Verbatim: deleted statements',
      description: 'Statements confirmed deleted',
      publicUrl: 'https://archive.example',
      statements: [deletedAt('2026-03-02T13:00:58.000Z', 'a'), deletedAt(null, 'b')],
      datedBy: 'deletion',
    });
    const doc = new XMLParser().parse(xml) as {
      feed: { updated: string; entry: { updated: string; content: string }[] };
    };
    expect(doc.feed.updated).toBe('2026-03-02T13:00:58.000Z');
    expect(doc.feed.entry.map((e) => e.updated)).toEqual([
      '2026-03-02T13:00:58.000Z',
      '2026-03-01T10:00:00.000Z',
    ]);
    expect(doc.feed.entry[0].content).toBe('<p>Deletion observed 2026-03-02 13:00:58 UTC.</p>Text');
    expect(doc.feed.entry[1].content).toBe('Text');
  });
});
