// Hostile answers from X's API and Telegram's web preview, for the connector-level hostile suite: what a
// party that does not want to be archived (or a broken proxy in front of it) can send on the routes a poll reads.

import { renderPreviewPage, type ChannelRecord, type MessageRecord } from '../fake-telegram/telegram-markup';
import { type HostileAnswer } from './hostile-server';

/**
 * - `parses`: the poll returns the good post (hostile ones beside it may be skipped);
 * - `refused`: the poll fails with a SourceError whose message a reader understands;
 * - `parses-or-refused`: either, as long as it is one of them.
 */
export type HostileOutcome = 'parses' | 'refused' | 'parses-or-refused';

export interface HostilePlatformCase {
  name: string;
  /** the answer, for the account id the poll reads (X checks each post's author) */
  answer: (accountId: string) => HostileAnswer;
  outcome: HostileOutcome;
  /** the platform post id the poll must return when it parses */
  goodPostId: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
const body = (text: string | Buffer, contentType: string | null, status = 200): HostileAnswer => ({
  kind: 'body',
  status,
  body: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
  contentType,
});

// ---- X API v2 ----

export const X_HOSTILE_USER = { id: '900100200', username: 'hostile_mfa', name: 'Hostile MFA' };
/** written in place of the author id, and replaced by the id of the account a case is served to */
const AUTHOR = '{{author}}';
const X_GOOD_ID = '1497999999999999999';

/** One post as `GET /2/users/:id/tweets` renders it, with fields replaced raw (JSON text) where given. */
function xTweet(
  id: string,
  fields: { id?: string; text?: string; created_at?: string } = {},
  authorId = AUTHOR,
): string {
  return (
    `{"id":${fields.id ?? JSON.stringify(id)},"text":${fields.text ?? JSON.stringify(`Statement ${id}.`)},` +
    `"created_at":${fields.created_at ?? '"2022-02-27T08:33:10.000Z"'},"author_id":"${authorId}",` +
    `"edit_history_tweet_ids":[${fields.id ?? JSON.stringify(id)}],"lang":"en"}`
  );
}

function xTimeline(...tweets: string[]): string {
  return `{"data":[${tweets.join(',')}],"meta":{"result_count":${tweets.length}}}`;
}

/** `GET /2/users/by/username/:username` for a hostile account. */
export function xUserJson(user: { id: string; username: string } = X_HOSTILE_USER): string {
  return JSON.stringify({ data: { name: X_HOSTILE_USER.name, ...user } });
}

/** A quiet timeline, what the account shows before it turns hostile. */
export const X_QUIET_TIMELINE = '{"meta":{"result_count":0}}';

/** The answer with every author placeholder replaced by the account's id. */
function forAuthor(answer: HostileAnswer, accountId: string): HostileAnswer {
  if (answer.kind === 'redirect-loop') return answer;
  const text = answer.body.toString('utf8');
  return text.includes(AUTHOR)
    ? { ...answer, body: Buffer.from(text.split(AUTHOR).join(accountId), 'utf8') }
    : answer;
}

export function hostileXCorpus(options: { maxBytes: number }): HostilePlatformCase[] {
  const good = xTweet(X_GOOD_ID);
  const cases: HostilePlatformCase[] = [];
  const add = (name: string, answer: HostileAnswer, outcome: HostileOutcome) =>
    cases.push({ name, answer: (accountId) => forAuthor(answer, accountId), outcome, goodPostId: X_GOOD_ID });
  add('garbage-json', body('{"data": [}}, <html>', JSON_TYPE), 'refused');
  add(
    'deep-nested-json',
    body(`{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, JSON_TYPE),
    'refused',
  );
  add('data-not-a-list', body('{"data":{"id":"1"},"meta":{"result_count":1}}', JSON_TYPE), 'refused');
  add(
    'post-without-fields',
    body(xTimeline(good, '{"id":"1498000000000000000"}'), JSON_TYPE),
    'parses-or-refused',
  );
  add(
    'lone-surrogates',
    body(xTimeline(good, xTweet('1498000000000000001', { text: '"a \\ud800 b"' })), JSON_TYPE),
    'parses',
  );
  add(
    'nul-characters',
    body(xTimeline(good, xTweet('1498000000000000002', { text: '"a\\u0000b"' })), JSON_TYPE),
    'parses',
  );
  add('id-not-digits', body(xTimeline(good, xTweet('../../etc/passwd')), JSON_TYPE), 'parses-or-refused');
  add('id-200-digits', body(xTimeline(good, xTweet('9'.repeat(200))), JSON_TYPE), 'parses-or-refused');
  add(
    'id-as-number-1e400',
    body(xTimeline(good, xTweet('1', { id: '1e400' })), JSON_TYPE),
    'parses-or-refused',
  );
  add(
    'absurd-dates',
    body(
      xTimeline(
        good,
        xTweet('1498000000000000003', { created_at: '"+275760-09-13T00:00:00.000Z"' }),
        xTweet('1498000000000000004', { created_at: `"${'9'.repeat(400)}"` }),
      ),
      JSON_TYPE,
    ),
    'parses-or-refused',
  );
  // X pages hold at most 100 posts: a page of 10,000 is not X's and is refused whole
  add(
    'ten-thousand-posts',
    body(
      xTimeline(
        good,
        ...Array.from({ length: 10_000 }, (_, i) => xTweet(String(1_400_000_000_000_000_000n + BigInt(i)))),
      ),
      JSON_TYPE,
    ),
    'refused',
  );
  add(
    'past-size-limit',
    body(
      xTimeline(good, xTweet('1498000000000000005', { text: `"${'x'.repeat(options.maxBytes)}"` })),
      JSON_TYPE,
    ),
    'refused',
  );
  add(
    'html-labelled-json',
    body('<!DOCTYPE html><html><body>Something went wrong</body></html>', HTML_TYPE),
    'refused',
  );
  add('empty-content-type', body(xTimeline(good), ''), 'parses-or-refused');
  add(
    'rate-limit-reset-in-2100',
    {
      ...body('{"title":"Too Many Requests","status":429}', JSON_TYPE, 429),
      headers: { 'x-rate-limit-reset': '4102444800', 'x-rate-limit-remaining': '0' },
    } as HostileAnswer,
    'refused',
  );
  add('redirect-loop', { kind: 'redirect-loop' }, 'refused');
  add(
    'slow-drip',
    { kind: 'slow-drip', body: Buffer.from(xTimeline(good)), contentType: JSON_TYPE },
    'refused',
  );
  return cases;
}

// ---- Telegram web preview ----

export const TELEGRAM_HOSTILE_CHANNEL: ChannelRecord = {
  username: 'hostile_mfa',
  title: 'Hostile MFA',
  description: 'A channel that does not want to be archived',
  hasPreview: true,
};
const TELEGRAM_GOOD_ID = 41;

/** An ordinary message of the hostile channel: text, a date, nothing else. */
export function telegramMessage(
  id: number,
  html: string,
  date = new Date('2026-03-02T10:00:00Z'),
): MessageRecord {
  return {
    id,
    html,
    date,
    edited: false,
    views: 1000,
    signature: null,
    forwardedFrom: null,
    replyTo: null,
    photos: [],
    video: null,
    albumIds: [],
    linkPreview: null,
    service: false,
    deleted: false,
  };
}

/** A preview page of the hostile channel with these messages, oldest first. */
export function telegramPage(...messages: MessageRecord[]): string {
  return renderPreviewPage(TELEGRAM_HOSTILE_CHANNEL, messages, { olderBefore: null, newerAfter: null });
}

/**
 * A preview page of at least `bytes` bytes of ordinary messages, as many as it takes: each one's markup is read and
 * its text converted, so reading the page is seconds of work for 10 MB, all of it linear in the bytes.
 */
export function telegramCrowdedPage(bytes: number): string {
  const first = telegramPage(telegramMessage(1000, 'Message 0.')).length;
  const one =
    telegramPage(telegramMessage(1000, 'Message 0.'), telegramMessage(1001, 'Message 1.')).length - first;
  const count = Math.max(1, Math.ceil(bytes / one));
  return telegramPage(...Array.from({ length: count }, (_, i) => telegramMessage(1000 + i, `Message ${i}.`)));
}

/** What the channel shows before it turns hostile: one older message. */
export function telegramQuietPage(): string {
  return telegramPage(telegramMessage(40, 'An older statement.'));
}

export function hostileTelegramCorpus(options: { maxBytes: number }): HostilePlatformCase[] {
  const good = telegramMessage(TELEGRAM_GOOD_ID, 'The statement that must be kept.');
  const withGood = (...others: MessageRecord[]) => telegramPage(good, ...others);
  const cases: HostilePlatformCase[] = [];
  const add = (name: string, answer: HostileAnswer, outcome: HostileOutcome) =>
    cases.push({ name, answer: () => answer, outcome, goodPostId: String(TELEGRAM_GOOD_ID) });
  const page = withGood(telegramMessage(42, 'Another statement.'));
  add(
    'cut-off-mid-tag',
    body(page.slice(0, page.lastIndexOf('tgme_widget_message_date') + 10), HTML_TYPE),
    'parses-or-refused',
  );
  add(
    'unclosed-tags',
    body(withGood(telegramMessage(42, '<b><i><div><span>'.repeat(5000))), HTML_TYPE),
    'parses',
  );
  add(
    'deep-nesting',
    body(
      withGood(telegramMessage(42, `${'<span>'.repeat(100_000)}deep${'</span>'.repeat(100_000)}`)),
      HTML_TYPE,
    ),
    'parses',
  );
  add(
    'garbage-bytes',
    body(Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256)), HTML_TYPE),
    'refused',
  );
  add(
    'invalid-utf8',
    body(
      Buffer.concat([
        Buffer.from(withGood().replace('</main>', '')),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from('</main>'),
      ]),
      HTML_TYPE,
    ),
    'parses',
  );
  add(
    'absurd-message-id',
    body(
      withGood(telegramMessage(7, 'An id no number holds.')).replace(
        /hostile_mfa\/7(?=")/g,
        `hostile_mfa/${'9'.repeat(40)}`,
      ),
      HTML_TYPE,
    ),
    'parses',
  );
  add(
    'absurd-date',
    body(withGood(telegramMessage(43, 'From the far future.', new Date(8.64e15))), HTML_TYPE),
    'parses-or-refused',
  );
  add(
    'ten-thousand-messages',
    body(
      telegramPage(
        ...Array.from({ length: 10_000 }, (_, i) => telegramMessage(1000 + i, `Message ${i}.`)),
        good,
      ),
      HTML_TYPE,
    ),
    'parses-or-refused',
  );
  add(
    'past-size-limit',
    body(withGood(telegramMessage(42, 'x'.repeat(options.maxBytes))), HTML_TYPE),
    'refused',
  );
  add(
    'login-wall',
    body(
      '<!DOCTYPE html><html><body><div class="tgme_page_login">Log in to view</div></body></html>',
      HTML_TYPE,
    ),
    'refused',
  );
  add(
    'retry-after-95-years',
    {
      ...body('<html><body>Too Many Requests</body></html>', HTML_TYPE, 429),
      headers: { 'retry-after': '3000000000' },
    } as HostileAnswer,
    'refused',
  );
  add('redirect-loop', { kind: 'redirect-loop' }, 'refused');
  add('slow-drip', { kind: 'slow-drip', body: Buffer.from(withGood()), contentType: HTML_TYPE }, 'refused');
  return cases;
}
