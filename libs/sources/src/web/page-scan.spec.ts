import { scanPage } from './page-scan';

const scan = (body: string) =>
  scanPage(`<!doctype html><html><body>${body}</body></html>`, {
    baseUrl: 'https://www.mfa.example/en/news',
    maxLinks: 50,
  });

describe('scanPage release links', () => {
  it('takes the repeated list with the most same-site items, not a longer menu built of plain divs', () => {
    const menu = Array.from({ length: 12 }, (_, i) => `<li><a href="/en/section-${i}">Section ${i}</a></li>`);
    const news = Array.from(
      { length: 4 },
      (_, i) => `<div class="card"><h3><a href="/en/news/${i}">News ${i}</a></h3></div>`,
    );
    const found = scan(
      `<div class="top-menu"><ul>${menu.join('')}</ul></div><main>${news.join('')}</main>`,
    ).releaseLinks;
    expect(found).toEqual([0, 1, 2, 3].map((i) => `https://www.mfa.example/en/news/${i}`));
  });

  it('leaves out other sites, files, the page itself, the home page and fragments of it', () => {
    const found = scan(
      `<ul>
        <li><a href="https://other.example/en/news/1">elsewhere</a></li>
        <li><a href="/files/statement.pdf">PDF</a></li>
        <li><a href="/en/news#top">itself</a></li>
        <li><a href="/">home</a></li>
        <li><a href="javascript:void(0)">script</a></li>
        <li><a href="https://mfa.example/en/news/7?utm_campaign=x">same site without www</a></li>
      </ul>`,
    ).releaseLinks;
    expect(found).toEqual(['https://mfa.example/en/news/7']);
  });

  it('reads metadata without a DOM: lang, title, canonical, published time from JSON-LD', () => {
    const page = scanPage(
      `<html lang="uk-UA"><head><title> Заява
      МЗС </title><link rel="canonical" href="/uk/news/1"><script type="application/ld+json">[{"@graph":[{"datePublished":"2022-02-27T10:00:00+02:00"}]}]</script></head><body><p>Текст</p></body></html>`,
      { baseUrl: 'https://mfa.example/uk/news/1?x=1', maxLinks: 10 },
    );
    expect(page).toMatchObject({
      lang: 'uk-UA',
      title: 'Заява МЗС',
      canonical: '/uk/news/1',
      publishedTime: '2022-02-27T10:00:00+02:00',
      text: 'Текст',
    });
  });

  it('skips a JSON-LD block nested deeper than source JSON may be, unparsed, and reads the next', () => {
    const deep = `${'['.repeat(200)}{"datePublished":"1999-01-01T00:00:00Z"}${']'.repeat(200)}`;
    const page = scanPage(
      `<html><head><script type="application/ld+json">${deep}</script>
      <script type="application/ld+json">{"datePublished":"2022-02-27T10:00:00+02:00"}</script></head>
      <body><p>Text</p></body></html>`,
      { baseUrl: 'https://mfa.example/en/news/1', maxLinks: 10 },
    );
    expect(page.publishedTime).toBe('2022-02-27T10:00:00+02:00');
  });
});
