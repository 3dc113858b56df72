import { citationsOf, type CitedStatement } from './citations';

const statement: CitedStatement = {
  id: '0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10',
  permalink: 'https://archive.example/statements/0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10',
  title: 'Заява щодо переговорів у Женеві',
  author: 'МЗС України (@mfa_ukraine)',
  platform: 'mastodon',
  authoredAt: '2026-11-28T09:15:00.000Z',
  capturedAt: '2026-11-29T09:16:02.123Z',
  recordSha256: 'a'.repeat(40) + 'b'.repeat(24),
};

describe('citationsOf', () => {
  const citations = citationsOf(statement);

  it('gives APA, Chicago, MLA, BibLaTeX, BibTeX and CSL-JSON', () => {
    expect(citations.map((c) => c.id)).toEqual(['apa', 'chicago', 'mla', 'biblatex', 'bibtex', 'csl-json']);
  });

  it.each(['apa', 'chicago', 'mla', 'biblatex', 'bibtex', 'csl-json'])(
    '%s carries the permalink, the capture time and the record hash',
    (id) => {
      const text = citations.find((c) => c.id === id)!.text;
      expect(text).toContain(statement.permalink);
      expect(text).toContain(statement.recordSha256);
      expect(text).toContain(statement.capturedAt);
    },
  );

  it('keeps Cyrillic titles and authors as letters in every format', () => {
    for (const c of citations) {
      expect(c.text).toContain('Заява щодо переговорів');
      expect(c.text).toContain('МЗС України');
    }
  });

  it('formats each style its own way (the CSL styles, not one template)', () => {
    const [apa, chicago, mla] = citations.map((c) => c.text);
    expect(apa).toContain('(2026, November 28)');
    expect(mla).toContain('28 Nov. 2026');
    expect(chicago).toMatch(/^МЗС України \(@mfa_ukraine\)\. 2026\./);
    const cited = (id: string) => citations.find((c) => c.id === id)!.text;
    // an online source with its full date and the date it was read (captured)
    expect(cited('biblatex')).toMatch(/^@online\{verbatim0b8f5a52/);
    expect(cited('biblatex')).toContain('date = {2026-11-28}');
    expect(cited('biblatex')).toContain('urldate = {2026-11-29}');
    expect(cited('bibtex')).toMatch(/^@misc\{verbatim0b8f5a52/);
    expect(JSON.parse(cited('csl-json'))[0]).toMatchObject({ type: 'post', URL: statement.permalink });
  });
});
