import { startFakeFeedServer, type FakeFeedServer } from '../fake-feed-server';

/** One press release of the fake ministry. */
export interface Release {
  slug: string;
  title: string;
  /** paragraphs of the main text, in order */
  paragraphs: string[];
  /** ISO time, written into article:published_time and <time datetime> */
  published: string;
  author?: string;
  /** the page's <html lang> (default en) */
  lang?: string;
  /** raw markup put in the article after the first paragraph (an embedded post, say) */
  embed?: string;
}

export interface MinistrySite {
  /** the press-release list page */
  readonly listUrl: string;
  releaseUrl(slug: string): string;
  /** adds a release at the top of the list and serves its page */
  publish(release: Release): void;
  /** serves a release's page with new content (the list keeps it where it was) */
  edit(release: Release): void;
  /** takes a release's page and its list entry down (404) */
  remove(slug: string): void;
  /** the exact bytes served for a release page */
  releaseBytes(slug: string): Buffer;
  requestCount(path: string): number;
  readonly server: FakeFeedServer;
  close(): Promise<void>;
}

const LIST_PATH = '/en/press-service/news';
const RELEASE_PATH = '/en/press-service/news/';

/**
 * A ministry-like site on 127.0.0.1: a press-service list page with the chrome real ones have (header menu,
 * breadcrumbs, a sidebar of links, pagination, a footer) around one repeated list of releases, and the
 * release pages themselves, each an article with the metadata Readability and our fallbacks read.
 */
export async function startMinistrySite(): Promise<MinistrySite> {
  const server = await startFakeFeedServer({ mode: 'ignore-conditional' });
  const releases: Release[] = [];
  const bodies = new Map<string, Buffer>();
  const html = { contentType: 'text/html; charset=utf-8' };
  const renderList = () => server.setFeed(LIST_PATH, { ...html, body: listPage(releases) });
  const serve = (release: Release) => {
    const body = Buffer.from(releasePage(release), 'utf8');
    bodies.set(release.slug, body);
    server.setFeed(RELEASE_PATH + release.slug, { ...html, body });
  };
  renderList();
  for (const path of ['/en', '/en/ministry', '/en/contacts', '/en/press-service', '/en/about'])
    server.setFeed(path, {
      ...html,
      body: '<!doctype html><html lang="en"><body><p>Section</p></body></html>',
    });
  return {
    listUrl: server.url(LIST_PATH),
    releaseUrl: (slug) => server.url(RELEASE_PATH + slug),
    publish(release) {
      releases.unshift(release);
      serve(release);
      renderList();
    },
    edit(release) {
      const i = releases.findIndex((r) => r.slug === release.slug);
      if (i >= 0) releases[i] = release;
      serve(release);
      renderList();
    },
    remove(slug) {
      const i = releases.findIndex((r) => r.slug === slug);
      if (i >= 0) releases.splice(i, 1);
      server.removeFeed(RELEASE_PATH + slug);
      renderList();
    },
    releaseBytes: (slug) => bodies.get(slug)!,
    requestCount: (path) => server.requestCount(path),
    server,
    close: () => server.close(),
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const HEADER = `<header class="site-header">
  <a class="logo" href="/en"><img src="/img/logo.svg" alt="Ministry of Foreign Affairs of Ukraine"></a>
  <nav class="main-menu"><ul>
    <li><a href="/en/ministry">Ministry</a></li><li><a href="/en/press-service">Press service</a></li>
    <li><a href="/en/consular">Consular issues</a></li><li><a href="/en/diplomacy">Diplomacy</a></li>
    <li><a href="/en/contacts">Contacts</a></li><li><a href="/en/about">About</a></li>
  </ul></nav>
</header>`;

const FOOTER = `<footer class="site-footer"><ul>
  <li><a href="/en/privacy">Privacy policy</a></li><li><a href="/en/terms">Terms of use</a></li>
  <li><a href="/en/sitemap">Sitemap</a></li><li><a href="/en/accessibility">Accessibility</a></li>
  <li><a href="https://www.facebook.com/UkraineMFA/">Facebook</a></li><li><a href="https://x.com/MFA_Ukraine">X</a></li>
</ul><p>&copy; 2022 Ministry of Foreign Affairs of Ukraine</p></footer>`;

function listPage(releases: Release[]): string {
  const items = releases
    .map(
      (r) => `      <li class="news-item">
        <span class="news-date">${r.published.slice(0, 10)}</span>
        <a class="news-title" href="${RELEASE_PATH}${r.slug}?utm_source=list">${escape(r.title)}</a>
        <div class="news-tags"><a href="/en/press-service/news?tag=statements">Statements</a></div>
      </li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>News — Ministry of Foreign Affairs of Ukraine</title>
<link rel="stylesheet" href="/css/site.css"></head>
<body>
${HEADER}
<div class="breadcrumbs"><a href="/en">Home</a> / <a href="/en/press-service">Press service</a> / News</div>
<main class="content">
  <h1>News</h1>
  <ul class="news-list">
${items}
  </ul>
  <div class="pagination"><a href="${LIST_PATH}?page=1">1</a> <a href="${LIST_PATH}?page=2">2</a> <a href="${LIST_PATH}?page=3">3</a></div>
</main>
<aside class="sidebar"><h2>Popular</h2><ul>
  <li><a href="/en/consular/visa">Visa information</a></li><li><a href="/en/consular/travel">Travel advice</a></li>
  <li><a href="/en/diplomacy/missions">Diplomatic missions</a></li><li><a href="/en/diplomacy/treaties">Treaties</a></li>
  <li><a href="/en/press-service/briefings">Briefings</a></li><li><a href="/en/press-service/photo">Photo</a></li>
</ul></aside>
${FOOTER}
<script src="/js/site.js"></script>
</body></html>
`;
}

function releasePage(r: Release): string {
  const lang = r.lang ?? 'en';
  const [first, ...rest] = r.paragraphs.map((p) => `<p>${escape(p)}</p>`);
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${escape(r.title)} — Ministry of Foreign Affairs of Ukraine</title>
<meta property="og:title" content="${escape(r.title)}">
<meta property="article:published_time" content="${r.published}">
${r.author ? `<meta name="author" content="${escape(r.author)}">` : ''}
<link rel="canonical" href="${RELEASE_PATH}${r.slug}">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":${JSON.stringify(r.title)},"datePublished":"${r.published}"}</script>
<style>.news-article { max-width: 48rem }</style>
</head>
<body>
${HEADER}
<div class="breadcrumbs"><a href="/en">Home</a> / <a href="${LIST_PATH}">News</a></div>
<main class="content">
<article class="news-article">
  <h1>${escape(r.title)}</h1>
  <div class="news-meta"><time datetime="${r.published}">${r.published.slice(0, 10)}</time>${
    r.author ? ` <span class="byline">By ${escape(r.author)}</span>` : ''
  }</div>
  <div class="news-body">
  ${first ?? ''}
  ${r.embed ?? ''}
  ${rest.join('\n  ')}
  </div>
  <div class="share"><a href="https://www.facebook.com/sharer/sharer.php">Share</a></div>
</article>
</main>
${FOOTER}
</body></html>
`;
}
