import { citationsOf, platformName, type Citation, type CitedStatement } from './citations';

const ARCHIVE = 'https://archive.example/statements';
const formats = ['apa', 'chicago', 'mla', 'biblatex', 'bibtex', 'csl-json'] as const;
const cited = (s: CitedStatement) =>
  Object.fromEntries(citationsOf(s).map((c) => [c.id, c.text])) as Record<Citation['id'], string>;

const mastodonPost: CitedStatement = {
  id: '0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10',
  permalink: `${ARCHIVE}/0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10?version=2`,
  title: 'Заява щодо переговорів у Женеві',
  author: 'МЗС України (@mfa_ukraine@mastodon.social)',
  platform: 'mastodon',
  authoredAt: '2026-11-28T09:15:00.000Z',
  capturedAt: '2026-11-29T09:16:02.123Z',
  recordSha256: 'a'.repeat(64),
  url: 'https://mastodon.social/@mfa_ukraine/113561234567890123',
  version: 2,
  status: 'active',
  statusChangedAt: null,
  language: 'uk',
};

const xPost: CitedStatement = {
  id: '5d1c7c2e-2f0a-4c55-9a3e-8b1f6a0d9e21',
  permalink: `${ARCHIVE}/5d1c7c2e-2f0a-4c55-9a3e-8b1f6a0d9e21?version=1`,
  title: 'Statement on Odesa: 100% of {aid} & #StandWithUkraine_now',
  author: 'MFA of Ukraine (@MFA_Ukraine)',
  platform: 'x',
  authoredAt: '2026-09-03T18:02:00.000Z',
  capturedAt: '2026-09-03T18:02:41.000Z',
  recordSha256: 'b'.repeat(64),
  url: 'https://x.com/MFA_Ukraine/status/1831234567890123456',
  version: 1,
  status: 'active',
  statusChangedAt: null,
  language: 'en',
};

/** a release a tracked list page linked; the page gives no publication date */
const webPage: CitedStatement = {
  id: 'e0c2a9f4-1b7d-4e3a-8c6f-2d5b9a1e7f30',
  permalink: `${ARCHIVE}/e0c2a9f4-1b7d-4e3a-8c6f-2d5b9a1e7f30?version=1`,
  title: 'Statement on the talks in Geneva',
  author: 'Press releases (https://mfa.gov.ua/en/press)',
  platform: 'web',
  authoredAt: null,
  capturedAt: '2026-11-29T09:16:02.123Z',
  recordSha256: 'c'.repeat(64),
  url: 'https://mfa.gov.ua/en/news/statement-geneva',
  version: 1,
  status: 'active',
  statusChangedAt: null,
  language: 'en',
};

const deletedPost: CitedStatement = {
  id: '7a9e3b1d-5c2f-4d8e-b6a0-9f1e2d3c4b5a',
  permalink: `${ARCHIVE}/7a9e3b1d-5c2f-4d8e-b6a0-9f1e2d3c4b5a?version=2`,
  title: 'Офіційна заява щодо обміну полоненими',
  author: 'МЗС України (@MFA_Ukraine)',
  platform: 'telegram',
  authoredAt: '2026-12-01T07:30:00.000Z',
  capturedAt: '2026-12-01T08:05:10.500Z',
  recordSha256: 'd'.repeat(64),
  url: 'https://t.me/MFA_Ukraine/4512',
  version: 2,
  status: 'deleted',
  statusChangedAt: '2026-12-03T10:00:00.000Z',
  language: 'uk',
};

describe('citationsOf', () => {
  it('gives APA, Chicago, MLA, BibLaTeX, BibTeX and CSL-JSON', () => {
    expect(citationsOf(mastodonPost).map((c) => c.id)).toEqual([...formats]);
  });

  it('cites a Mastodon post: the post with its own URL, then this archive’s version, capture and hash', () => {
    const c = cited(mastodonPost);
    const snapshot = `${ARCHIVE}/0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10?version=2`;
    const archived = `Archived at archive.example as version 2, captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'a'.repeat(64)}`;
    expect(c.apa).toBe(
      'МЗС України [@mfa_ukraine@mastodon.social]. (2026, November 28). Заява щодо переговорів у Женеві [Post]. ' +
        `Mastodon. https://mastodon.social/@mfa_ukraine/113561234567890123 (${archived}: ${snapshot})`,
    );
    expect(c.chicago).toBe(
      'МЗС України (@mfa_ukraine@mastodon.social). 2026. “Заява щодо переговорів у Женеві.” Mastodon, November 28. ' +
        `https://mastodon.social/@mfa_ukraine/113561234567890123. ${archived}, ${snapshot}.`,
    );
    expect(c.mla).toBe(
      'МЗС України [@mfa_ukraine@mastodon.social]. “Заява щодо переговорів у Женеві.” Mastodon, 28 Nov. 2026, ' +
        'https://mastodon.social/@mfa_ukraine/113561234567890123. ' +
        `archive.example, version 2, 29 Nov. 2026, ${snapshot}. ` +
        `Captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'a'.repeat(64)}.`,
    );
    expect(c.biblatex).toBe(
      [
        '@online{verbatim0b8f5a526f4e4a8e9d553a4c1e2f7b10v2,',
        '  author = {{МЗС України (@mfa\\_ukraine@mastodon.social)}},',
        '  title = {{Заява щодо переговорів у Женеві}},',
        '  date = {2026-11-28},',
        '  organization = {Mastodon},',
        '  version = {2},',
        `  url = {${snapshot}},`,
        '  urldate = {2026-11-29},',
        `  note = {${archived}},`,
        '  addendum = {Original post: \\url{https://mastodon.social/@mfa_ukraine/113561234567890123}},',
        '}',
      ].join('\n'),
    );
    expect(c.bibtex).toBe(
      [
        '@misc{verbatim0b8f5a526f4e4a8e9d553a4c1e2f7b10v2,',
        '  author = {{МЗС України (@mfa\\_ukraine@mastodon.social)}},',
        '  title = {{Заява щодо переговорів у Женеві}},',
        `  howpublished = {\\url{${snapshot}}},`,
        '  year = {2026},',
        '  month = nov,',
        '  note = {Mastodon post, 28 November 2026, ' +
          `\\url{https://mastodon.social/@mfa_ukraine/113561234567890123}. ${archived}},`,
        `  url = {${snapshot}},`,
        '  urldate = {2026-11-29},',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(c['csl-json'])).toEqual([
      {
        id: 'verbatim-0b8f5a52-6f4e-4a8e-9d55-3a4c1e2f7b10-v2',
        type: 'post',
        title: 'Заява щодо переговорів у Женеві',
        author: [{ literal: 'МЗС України (@mfa_ukraine@mastodon.social)' }],
        issued: { 'date-parts': [[2026, 11, 28]] },
        accessed: { 'date-parts': [[2026, 11, 29]] },
        'container-title': 'Mastodon',
        version: '2',
        language: 'uk',
        URL: snapshot,
        archive: 'archive.example',
        archive_location: `version 2, captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'a'.repeat(64)}`,
        note: `Original post: https://mastodon.social/@mfa_ukraine/113561234567890123. ${archived}`,
      },
    ]);
  });

  it('cites an X post as X, its text as posted, and escapes what TeX would read as commands', () => {
    const c = cited(xPost);
    const snapshot = `${ARCHIVE}/5d1c7c2e-2f0a-4c55-9a3e-8b1f6a0d9e21?version=1`;
    const archived = `Archived at archive.example as version 1, captured 2026-09-03T18:02:41.000Z, record SHA-256 ${'b'.repeat(64)}`;
    const original = 'https://x.com/MFA_Ukraine/status/1831234567890123456';
    expect(c.apa).toBe(
      'MFA of Ukraine [@MFA_Ukraine]. (2026, September 3). Statement on Odesa: 100% of {aid} & #StandWithUkraine_now ' +
        `[Post]. X. ${original} (${archived}: ${snapshot})`,
    );
    expect(c.chicago).toBe(
      'MFA of Ukraine (@MFA_Ukraine). 2026. “Statement on Odesa: 100% of {aid} & #StandWithUkraine_now.” X, ' +
        `September 3. ${original}. ${archived}, ${snapshot}.`,
    );
    expect(c.mla).toBe(
      'MFA of Ukraine [@MFA_Ukraine]. “Statement on Odesa: 100% of {aid} & #StandWithUkraine_now.” X, 3 Sep. 2026, ' +
        `${original}. archive.example, version 1, 3 Sep. 2026, ${snapshot}. ` +
        `Captured 2026-09-03T18:02:41.000Z, record SHA-256 ${'b'.repeat(64)}.`,
    );
    expect(c.biblatex).toBe(
      [
        '@online{verbatim5d1c7c2e2f0a4c559a3e8b1f6a0d9e21v1,',
        '  author = {{MFA of Ukraine (@MFA\\_Ukraine)}},',
        '  title = {{Statement on Odesa: 100\\% of \\{aid\\} \\& \\#StandWithUkraine\\_now}},',
        '  date = {2026-09-03},',
        '  organization = {X},',
        '  version = {1},',
        `  url = {${snapshot}},`,
        '  urldate = {2026-09-03},',
        `  note = {${archived}},`,
        `  addendum = {Original post: \\url{${original}}},`,
        '}',
      ].join('\n'),
    );
    expect(c.bibtex).toBe(
      [
        '@misc{verbatim5d1c7c2e2f0a4c559a3e8b1f6a0d9e21v1,',
        '  author = {{MFA of Ukraine (@MFA\\_Ukraine)}},',
        '  title = {{Statement on Odesa: 100\\% of \\{aid\\} \\& \\#StandWithUkraine\\_now}},',
        `  howpublished = {\\url{${snapshot}}},`,
        '  year = {2026},',
        '  month = sep,',
        `  note = {X post, 3 September 2026, \\url{${original}}. ${archived}},`,
        `  url = {${snapshot}},`,
        '  urldate = {2026-09-03},',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(c['csl-json'])).toEqual([
      {
        id: 'verbatim-5d1c7c2e-2f0a-4c55-9a3e-8b1f6a0d9e21-v1',
        type: 'post',
        title: 'Statement on Odesa: 100% of {aid} & #StandWithUkraine_now',
        author: [{ literal: 'MFA of Ukraine (@MFA_Ukraine)' }],
        issued: { 'date-parts': [[2026, 9, 3]] },
        accessed: { 'date-parts': [[2026, 9, 3]] },
        'container-title': 'X',
        version: '1',
        language: 'en',
        URL: snapshot,
        archive: 'archive.example',
        archive_location: `version 1, captured 2026-09-03T18:02:41.000Z, record SHA-256 ${'b'.repeat(64)}`,
        note: `Original post: ${original}. ${archived}`,
      },
    ]);
  });

  it('cites a web page as a page of its site, undated (n.d.) when the page gives no date', () => {
    const c = cited(webPage);
    const snapshot = `${ARCHIVE}/e0c2a9f4-1b7d-4e3a-8c6f-2d5b9a1e7f30?version=1`;
    const archived = `Archived at archive.example as version 1, captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'c'.repeat(64)}`;
    const original = 'https://mfa.gov.ua/en/news/statement-geneva';
    expect(c.apa).toBe(
      'Press releases. (n.d.). Statement on the talks in Geneva. mfa.gov.ua. ' +
        `${original} (${archived}: ${snapshot})`,
    );
    expect(c.chicago).toBe(
      `Press releases. n.d. “Statement on the talks in Geneva.” mfa.gov.ua. ${original}. ${archived}, ${snapshot}.`,
    );
    expect(c.mla).toBe(
      `Press releases. “Statement on the talks in Geneva.” mfa.gov.ua, ${original}. ` +
        `archive.example, version 1, 29 Nov. 2026, ${snapshot}. ` +
        `Captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'c'.repeat(64)}.`,
    );
    expect(c.biblatex).toBe(
      [
        '@online{verbatime0c2a9f41b7d4e3a8c6f2d5b9a1e7f30v1,',
        '  author = {{Press releases}},',
        '  title = {{Statement on the talks in Geneva}},',
        '  organization = {mfa.gov.ua},',
        '  version = {1},',
        `  url = {${snapshot}},`,
        '  urldate = {2026-11-29},',
        `  note = {${archived}},`,
        `  addendum = {Original page: \\url{${original}}},`,
        '}',
      ].join('\n'),
    );
    expect(c.bibtex).toBe(
      [
        '@misc{verbatime0c2a9f41b7d4e3a8c6f2d5b9a1e7f30v1,',
        '  author = {{Press releases}},',
        '  title = {{Statement on the talks in Geneva}},',
        `  howpublished = {\\url{${snapshot}}},`,
        `  note = {mfa.gov.ua page, \\url{${original}}. ${archived}},`,
        `  url = {${snapshot}},`,
        '  urldate = {2026-11-29},',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(c['csl-json'])).toEqual([
      {
        id: 'verbatim-e0c2a9f4-1b7d-4e3a-8c6f-2d5b9a1e7f30-v1',
        type: 'webpage',
        title: 'Statement on the talks in Geneva',
        author: [{ literal: 'Press releases' }],
        accessed: { 'date-parts': [[2026, 11, 29]] },
        'container-title': 'mfa.gov.ua',
        version: '1',
        language: 'en',
        URL: snapshot,
        archive: 'archive.example',
        archive_location: `version 1, captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'c'.repeat(64)}`,
        note: `Original page: ${original}. ${archived}`,
      },
    ]);
  });

  it('says a post was deleted, and when that was confirmed, in every format', () => {
    const c = cited(deletedPost);
    const snapshot = `${ARCHIVE}/7a9e3b1d-5c2f-4d8e-b6a0-9f1e2d3c4b5a?version=2`;
    const archived = `Archived at archive.example as version 2, captured 2026-12-01T08:05:10.500Z, record SHA-256 ${'d'.repeat(64)}`;
    const original = 'https://t.me/MFA_Ukraine/4512';
    expect(c.apa).toBe(
      'МЗС України [@MFA_Ukraine]. (2026, December 1). Офіційна заява щодо обміну полоненими [Post]. Telegram. ' +
        `${original} (Post deleted, confirmed December 3, 2026; a${archived.slice(1)}: ${snapshot})`,
    );
    expect(c.chicago).toBe(
      'МЗС України (@MFA_Ukraine). 2026. “Офіційна заява щодо обміну полоненими.” Telegram, December 1. ' +
        `${original}. Post deleted, confirmed December 3, 2026. ${archived}, ${snapshot}.`,
    );
    expect(c.mla).toBe(
      'МЗС України [@MFA_Ukraine]. “Офіційна заява щодо обміну полоненими.” Telegram, 1 Dec. 2026, ' +
        `${original}. archive.example, version 2, 1 Dec. 2026, ${snapshot}. ` +
        `Captured 2026-12-01T08:05:10.500Z, record SHA-256 ${'d'.repeat(64)}. Post deleted, confirmed 3 Dec. 2026.`,
    );
    expect(c.biblatex).toBe(
      [
        '@online{verbatim7a9e3b1d5c2f4d8eb6a09f1e2d3c4b5av2,',
        '  author = {{МЗС України (@MFA\\_Ukraine)}},',
        '  title = {{Офіційна заява щодо обміну полоненими}},',
        '  date = {2026-12-01},',
        '  organization = {Telegram},',
        '  version = {2},',
        `  url = {${snapshot}},`,
        '  urldate = {2026-12-01},',
        `  note = {${archived}},`,
        `  addendum = {Original post: \\url{${original}}. Post deleted, confirmed 3 December 2026},`,
        '}',
      ].join('\n'),
    );
    expect(c.bibtex).toBe(
      [
        '@misc{verbatim7a9e3b1d5c2f4d8eb6a09f1e2d3c4b5av2,',
        '  author = {{МЗС України (@MFA\\_Ukraine)}},',
        '  title = {{Офіційна заява щодо обміну полоненими}},',
        `  howpublished = {\\url{${snapshot}}},`,
        '  year = {2026},',
        '  month = dec,',
        `  note = {Telegram post, 1 December 2026, \\url{${original}}. Post deleted, confirmed 3 December 2026. ${archived}},`,
        `  url = {${snapshot}},`,
        '  urldate = {2026-12-01},',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(c['csl-json'])).toEqual([
      {
        id: 'verbatim-7a9e3b1d-5c2f-4d8e-b6a0-9f1e2d3c4b5a-v2',
        type: 'post',
        title: 'Офіційна заява щодо обміну полоненими',
        author: [{ literal: 'МЗС України (@MFA_Ukraine)' }],
        issued: { 'date-parts': [[2026, 12, 1]] },
        accessed: { 'date-parts': [[2026, 12, 1]] },
        'container-title': 'Telegram',
        version: '2',
        language: 'uk',
        URL: snapshot,
        archive: 'archive.example',
        archive_location: `version 2, captured 2026-12-01T08:05:10.500Z, record SHA-256 ${'d'.repeat(64)}`,
        note: `Original post: ${original}. Post deleted, confirmed 3 December 2026. ${archived}`,
      },
    ]);
  });

  it('says a post is missing (not yet confirmed deleted) or its account unavailable, with the date', () => {
    const missing = cited({ ...xPost, status: 'missing', statusChangedAt: '2026-09-10T12:00:00.000Z' });
    expect(missing.chicago).toContain(
      'Post not found since September 10, 2026, deletion not yet confirmed. Archived at',
    );
    expect(missing.mla).toMatch(/Post not found since 10 Sep\. 2026, deletion not yet confirmed\.$/);
    expect(missing.bibtex).toContain('Post not found since 10 September 2026, deletion not yet confirmed.');
    const unavailable = cited({
      ...xPost,
      status: 'unavailable',
      statusChangedAt: '2026-10-01T00:00:00.000Z',
    });
    expect(unavailable.apa).toContain(
      '(Account unavailable since October 1, 2026; archived at archive.example',
    );
    expect(JSON.parse(unavailable['csl-json'])[0].note).toContain(
      'Account unavailable since 1 October 2026.',
    );
    const gonePage = cited({ ...webPage, status: 'deleted', statusChangedAt: '2026-12-03T10:00:00.000Z' });
    expect(gonePage.chicago).toContain('. Page deleted, confirmed December 3, 2026. Archived at');
  });

  it('names a page captured on its own by its site once where the style would repeat it', () => {
    const c = cited({ ...webPage, author: 'mfa.gov.ua (@mfa.gov.ua)' });
    // APA leaves out the site named as the author; MLA starts with the title instead; Chicago keeps both
    expect(c.apa).toMatch(
      /^mfa\.gov\.ua\. \(n\.d\.\)\. Statement on the talks in Geneva\. https:\/\/mfa\.gov\.ua\//,
    );
    expect(c.mla).toMatch(/^“Statement on the talks in Geneva\.” mfa\.gov\.ua, https:\/\/mfa\.gov\.ua\//);
    expect(c.chicago).toMatch(/^mfa\.gov\.ua\. n\.d\. “Statement on the talks in Geneva\.” mfa\.gov\.ua\. /);
    expect(c.bibtex).toContain('author = {{mfa.gov.ua}}');
  });

  it('without the newer fields still cites the permalink’s version, the capture time and the record hash', () => {
    const { url: _url, version: _version, status: _status, statusChangedAt: _since, ...older } = mastodonPost;
    const c = cited(older);
    for (const id of formats) {
      expect(c[id]).toContain(mastodonPost.permalink);
      expect(c[id]).toContain(mastodonPost.capturedAt);
      expect(c[id]).toContain(mastodonPost.recordSha256);
      expect(c[id]).toContain('archive.example');
      expect(c[id]).not.toContain('mastodon.social/@mfa_ukraine/');
    }
    expect(c.chicago).toContain('Mastodon, November 28. Archived at archive.example as version 2, captured');
    // an unversioned permalink is cited as it is, without a version
    const latest = cited({ ...older, permalink: `${ARCHIVE}/${mastodonPost.id}` });
    expect(latest.apa).toContain(
      `(Archived at archive.example, captured 2026-11-29T09:16:02.123Z, record SHA-256 ${'a'.repeat(64)}: ` +
        `${ARCHIVE}/${mastodonPost.id})`,
    );
    expect(latest.bibtex).toMatch(/^@misc\{verbatim0b8f5a526f4e4a8e9d553a4c1e2f7b10,$/m);
  });

  it('keeps a captured text’s markup-like characters and TeX’s specials as text', () => {
    const c = cited({ ...xPost, title: 'Use <i>this</i> \\ not ~that~ ^2', author: 'A <b> (@a_b)' });
    expect(c.apa).toContain('A <b> [@a_b]. (2026, September 3). Use <i>this</i> \\ not ~that~ ^2 [Post].');
    expect(c.mla).toContain('“Use <i>this</i> \\ not ~that~ ^2.”');
    expect(c.bibtex).toContain(
      'title = {{Use <i>this</i> \\textbackslash{} not \\textasciitilde{}that\\textasciitilde{} \\textasciicircum{}2}}',
    );
    // a URL in a note: the characters a macro's argument cannot hold are escaped, braces and spaces encoded
    const odd = cited({ ...webPage, url: 'https://mfa.gov.ua/news/%D0%B7?a={b}#x' });
    expect(odd.bibtex).toContain('\\url{https://mfa.gov.ua/news/\\%D0\\%B7?a=\\%7Bb\\%7D\\#x}');
  });

  it('names platforms as they name themselves, and a web page by its site (citation_publisher too)', () => {
    expect(['x', 'mastodon', 'bluesky', 'telegram'].map((p) => platformName(p))).toEqual([
      'X',
      'Mastodon',
      'Bluesky',
      'Telegram',
    ]);
    expect(platformName('web', 'https://www.gov.uk/government/news/a')).toBe('www.gov.uk');
    expect(platformName('feed', 'https://mfa.gov.ua/en/news/1')).toBe('mfa.gov.ua');
    expect(platformName('web')).toBeNull();
  });

  it('gives BibTeX a month it knows (the macro), never a day in it', () => {
    for (const s of [mastodonPost, xPost, deletedPost]) {
      expect(cited(s).bibtex).toMatch(/^ {2}month = (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec),$/m);
    }
  });
});
