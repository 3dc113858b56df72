import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  claimedDate,
  detectQuoteFormat,
  extractQuotedStatements,
  extractQuotes,
  normalizeQuotedText,
  quoteKey,
} from './index';

const ARTICLE = readFileSync(join(__dirname, 'testdata', 'kuleba-article.txt'), 'utf8');
const KULEBA_TEXT =
  'Foreigners willing to defend Ukraine and world order as part of the International Legion of Territorial ' +
  'Defense of Ukraine, I invite you to contact foreign diplomatic missions of Ukraine in your respective ' +
  'countries. Together we defeated Hitler, and we will defeat Putin, too.';
const EMBED = `<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Foreigners willing to defend Ukraine and world
  order as part of the International Legion of Territorial Defense of Ukraine, I invite you to contact foreign diplomatic
  missions of Ukraine in your respective countries. Together we defeated Hitler, and we will defeat Putin, too.</p>&mdash;
  Dmytro Kuleba (@DmytroKuleba) <a href="https://twitter.com/DmytroKuleba/status/1497970109567537152?ref_src=twsrc%5Etfw">February 27, 2022</a></blockquote>
  <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>`;

describe('extractQuotedStatements on text', () => {
  it('finds exactly the one quoted statement of the Kuleba article', () => {
    expect(detectQuoteFormat(ARTICLE)).toBe('text');
    expect(extractQuotedStatements(ARTICLE)).toEqual([
      {
        platform: 'x',
        handle: 'DmytroKuleba',
        name: 'Dmytro Kuleba',
        date: '2022-02-27',
        text: KULEBA_TEXT,
        foundIn: 'text',
        postId: null,
        postUrl: null,
        postAccount: null,
      },
    ]);
  });

  it('accepts an en dash or "--", and takes the text back to the paragraph break only', () => {
    const text =
      'Intro paragraph.\n\nFirst line of the post\nsecond line -- Some One (@some_one) Mar 3, 2024\n' +
      'Then: Another post \u2013 Other (@other) December 31, 1999';
    const quotes = extractQuotedStatements(text);
    expect(quotes.map((q) => [q.handle, q.name, q.date, q.text])).toEqual([
      ['some_one', 'Some One', '2024-03-03', 'First line of the post\nsecond line'],
      ['other', 'Other', '1999-12-31', 'Then: Another post'],
    ]);
  });

  it('refuses signatures without a dash, with a date that does not exist, or with no text', () => {
    expect(extractQuotedStatements('Hello (@someone) February 27, 2022')).toEqual([]);
    expect(extractQuotedStatements('Hello \u2014 A (@someone) February 30, 2022')).toEqual([]);
    expect(extractQuotedStatements('Hello \u2014 A (@someone) Smarch 3, 2022')).toEqual([]);
    expect(extractQuotedStatements('\u2014 A (@someone) February 3, 2022')).toEqual([]);
  });

  it('takes no quote naming an account or post the archive could not file', () => {
    const long = `${'u'.repeat(30)}@${Array.from({ length: 9 }, () => 'h'.repeat(60)).join('.')}.example`;
    expect(extractQuotes(`Hello \u2014 A (@${long}) February 3, 2022`).quotes).toEqual([]);
    const page =
      '<p><a href="http://[::1]/@a/1">a post</a> <a href="https://mastodon.example/@b/2">b post</a></p>';
    expect(extractQuotes(page, 'html').quotes.map((q) => q.handle)).toEqual(['b@mastodon.example']);
  });

  it('keeps one quote when the same text is printed twice with other white space', () => {
    const once = `${KULEBA_TEXT} \u2014 Dmytro Kuleba (@DmytroKuleba) February 27, 2022`;
    const twice = `${once}\n\n${once.replace(/ /g, '\u00a0 ').replace('@DmytroKuleba', '@dmytrokuleba')}`;
    expect(extractQuotedStatements(twice)).toHaveLength(1);
  });
});

describe('extractQuotedStatements on HTML', () => {
  it('reads a twitter-tweet embed: its text, claimed author and date, and the post its last link names', () => {
    const page = `<html><body><article><p>Kuleba urged foreigners to help.</p>${EMBED}<p>More news.</p></article></body></html>`;
    expect(detectQuoteFormat(page)).toBe('html');
    const [quote, ...rest] = extractQuotedStatements(page);
    expect(rest).toEqual([]);
    expect(quote).toMatchObject({
      handle: 'DmytroKuleba',
      name: 'Dmytro Kuleba',
      date: '2022-02-27',
      foundIn: 'embed',
      postId: '1497970109567537152',
      postUrl: 'https://x.com/DmytroKuleba/status/1497970109567537152',
      postAccount: 'DmytroKuleba',
    });
    expect(normalizeQuotedText(quote.text!)).toBe(KULEBA_TEXT);
  });

  it('finds quotes printed as text in a page, decoding entities and skipping scripts', () => {
    const page =
      '<div><p>Intro</p><p>Peace &amp; quiet &mdash; A Person (@a_person) July 4, 2021</p>' +
      '<script>var s = "fake \u2014 X (@fake) July 4, 2021";</script></div>';
    expect(extractQuotedStatements(page).map((q) => [q.handle, q.text])).toEqual([
      ['a_person', 'Peace & quiet'],
    ]);
  });

  it('counts a post embedded and also printed as text once, as the embed', () => {
    const page = `<p>${KULEBA_TEXT} &mdash; Dmytro Kuleba (@DmytroKuleba) February 27, 2022</p>${EMBED}`;
    const quotes = extractQuotedStatements(page);
    expect(quotes).toHaveLength(1);
    expect(quotes[0]).toMatchObject({ foundIn: 'embed', postId: '1497970109567537152' });
  });
});

describe('linear time on hostile input', () => {
  // each shape is a near-miss the matcher must reject at every position; backtracking would take hours
  const FIVE_MB = 5 * 1024 * 1024;
  const shapes = {
    'open signatures': '(@aaaaaaaaaaaaaaa) February 27, ',
    'dashes and handles': '\u2014 -- \u2013 (@a) ',
    'white space runs': `(@a)${' '.repeat(19)}\n`,
    'blank lines': '\n \n',
    'a valid signature without text': '\u2014 A (@a) May 1, 2020 ',
  };

  it.each(Object.entries(shapes))('scans 5 MB of %s', (_name, unit) => {
    const input = unit.repeat(Math.ceil(FIVE_MB / unit.length)) + `\n\nThe end \u2014 B (@b) May 2, 2020`;
    const quotes = extractQuotedStatements(input, 'text');
    expect(quotes.at(-1)).toMatchObject({ handle: 'b', text: 'The end', date: '2020-05-02' });
  });

  it('reads 5 MB of small embeds, each once, as one quoted statement per post', () => {
    const embed = (i: number) =>
      `<blockquote class="twitter-tweet"><p>Post ${i % 3}</p>&mdash; A (@a) May 1, 2020 ` +
      `<a href="https://twitter.com/a/status/${(i % 3) + 1}">May 1, 2020</a></blockquote>`;
    const count = Math.ceil(FIVE_MB / embed(0).length);
    const page = Array.from({ length: count }, (_, i) => embed(i)).join('\n');
    const quotes = extractQuotedStatements(page, 'html');
    expect(quotes.map((q) => [q.text, q.postId])).toEqual([
      ['Post 0', '1'],
      ['Post 1', '2'],
      ['Post 2', '3'],
    ]);
  });

  it('scans 5 MB of nested HTML and a huge paragraph without a quote', () => {
    const nested = '<blockquote class="twitter-tweet"><p>'.repeat(50_000) + 'x'.repeat(FIVE_MB);
    expect(extractQuotedStatements(nested, 'html')).toEqual([]);
    const huge = 'word '.repeat(FIVE_MB / 5) + '\u2014 A (@a) May 1, 2020';
    expect(extractQuotedStatements(huge, 'text')).toEqual([]); // longer than any post: not a quote
  });
});

describe('helpers', () => {
  it('claimedDate validates the calendar', () => {
    expect(claimedDate('Feb', '29', '2024')).toBe('2024-02-29');
    expect(claimedDate('february', '29', '2023')).toBeNull();
  });

  it('quoteKey ignores handle case and white space, not the words', () => {
    const a = { platform: 'x' as const, handle: 'DmytroKuleba', text: 'a  b\nc' };
    expect(quoteKey(a)).toBe(quoteKey({ ...a, handle: 'dmytrokuleba', text: ' a b c ' }));
    expect(quoteKey(a)).not.toBe(quoteKey({ ...a, text: 'a b d' }));
  });
});
