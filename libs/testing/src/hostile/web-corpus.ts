// Hostile web pages: what a site that does not want to be archived (or a broken CMS) can serve where a
// press release or a press-release list should be. Each must end as a captured page or a recorded failure.

const MB = 1024 * 1024;

export interface HostilePageCase {
  name: string;
  body: Buffer;
  /** `captured`: the page is kept (its text as the given string shows); `refused`: a failure with this reason */
  outcome: { kind: 'captured'; textContains: string } | { kind: 'refused'; reason: RegExp };
}

/** A page padded to `bytes` with paragraphs of ordinary text: big, not clever. */
export function hugePage(bytes: number): Buffer {
  const paragraph =
    '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n';
  const head = '<!doctype html><html lang="en"><head><title>Huge</title></head><body><article><h1>Huge</h1>';
  const tail = '</article></body></html>';
  return Buffer.from(head + paragraph.repeat(Math.ceil((bytes - head.length) / paragraph.length)) + tail);
}

/** Elements nested `depth` deep around one line of text (Readability alone would take minutes). */
export function deepPage(depth: number): Buffer {
  return Buffer.from(
    `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(depth)}The deep statement.${'</div>'.repeat(depth)}</body></html>`,
  );
}

/** A list page with `count` same-site links in one list: a poll must cost a bounded number of reads. */
export function manyLinksPage(count: number, prefix = '/r/'): Buffer {
  const items: string[] = [];
  for (let i = 0; i < count; i++) items.push(`<li><a href="${prefix}${i}">Release ${i}</a></li>`);
  return Buffer.from(
    `<!doctype html><html><head><title>Releases</title></head><body><main><ul>${items.join('')}</ul></main></body></html>`,
  );
}

/** Markup a broken CMS emits: unclosed and misnested tags, a bad attribute quote, stray brackets, a comment never closed. */
export const BROKEN_HTML = Buffer.from(
  '<html><head><title>Broken statement</title><body><p>The broken statement <b><i>is still read</b></i>' +
    '<a href="x>more</p><<<>>></div></table><p>after the wreckage.<td><li></ul><p>The end.<!-- unterminated comment',
);

/** The cases, with the response size limit the server under test uses. */
export function hostileWebCorpus(maxBytes: number): HostilePageCase[] {
  return [
    {
      name: 'a 20 MB page',
      body: hugePage(20 * MB),
      outcome: { kind: 'refused', reason: new RegExp(`exceeds ${maxBytes} bytes`) },
    },
    {
      name: 'broken HTML',
      body: BROKEN_HTML,
      outcome: { kind: 'captured', textContains: 'The broken statement' },
    },
    {
      name: 'a page nested 100,000 deep',
      body: deepPage(100_000),
      outcome: { kind: 'captured', textContains: 'The deep statement.' },
    },
  ];
}

/** A tracked list page that turns hostile: what its polls must come to, and the release it links. */
export interface HostileListCase {
  name: string;
  body: Buffer;
  /** `parses`: the linked release is captured; `refused`: the poll is a recorded failure */
  outcome: 'parses' | 'refused';
}

/** An ordinary release page, linked from the hostile list pages. */
export function plainReleasePage(title: string): Buffer {
  return Buffer.from(
    `<!doctype html><html lang="en"><head><title>${title}</title></head><body><main><article><h1>${title}</h1>` +
      '<p>The Ministry condemns the shelling of civilian infrastructure and calls for accountability.</p>' +
      '</article></main></body></html>',
  );
}

/** List pages for the hostile-source suite: each links `releaseHref` where it can still be read. */
export function hostileListCorpus(releaseHref: string): HostileListCase[] {
  const link = `<ul class="news"><li><a href="${releaseHref}">The release</a></li></ul>`;
  return [
    { name: '20mb-list-page', body: hugePage(20 * MB), outcome: 'refused' },
    {
      name: 'broken-html-list-page',
      body: Buffer.from(
        `<html><head><title>News</title><body><div class="news"><p>Releases <b><i>today</b></i>${link}` +
          '<<<>>></div></table><a href="x>broken</p><!-- unterminated comment',
      ),
      outcome: 'parses',
    },
    {
      name: 'list-page-nested-100k-deep',
      body: Buffer.from(
        `<!doctype html><html><head><title>Deep</title></head><body>${'<div>'.repeat(100_000)}${link}${'</div>'.repeat(100_000)}</body></html>`,
      ),
      outcome: 'parses',
    },
  ];
}
