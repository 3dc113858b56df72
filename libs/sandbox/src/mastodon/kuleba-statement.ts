// The demo's statement: the Foreign Minister of Ukraine's call for the International Legion, 27 February
// 2022. The sandbox server publishes it for `verbatim demo`; the test fakes publish the same data.
import { type AccountRecord, type StatusRecord } from './mastodon-json';

export const KULEBA_USERNAME = 'DmytroKuleba';

/** The statement as a reader sees it. */
export const KULEBA_STATEMENT_TEXT =
  'Foreigners willing to defend Ukraine and world order as part of the International Legion of Territorial ' +
  'Defense of Ukraine, I invite you to contact foreign diplomatic missions of Ukraine in your respective ' +
  'countries. Together we defeated Hitler, and we will defeat Putin, too.';

/** The same statement as Mastodon stores and serves it. */
export const KULEBA_STATEMENT_HTML = `<p>${KULEBA_STATEMENT_TEXT}</p>`;

export const KULEBA_CREATED_AT = '2022-02-27T08:33:10.912Z';

/** The account that published it, as its profile reads. */
export const KULEBA_ACCOUNT = {
  username: KULEBA_USERNAME,
  displayName: 'Dmytro Kuleba',
  note: '<p>Minister of Foreign Affairs of Ukraine</p>',
  website: 'mfa.gov.ua',
  createdAt: '2022-02-26T00:00:00.000Z',
} as const;

/** What was published: HTML content, language and time. */
export const KULEBA_STATEMENT = {
  content: KULEBA_STATEMENT_HTML,
  language: 'en',
  createdAt: KULEBA_CREATED_AT,
} as const;

/** The account and its one status as records for the sandbox server; ids shaped as Mastodon's. */
export function kulebaRecords(): { accounts: AccountRecord[]; statuses: StatusRecord[] } {
  const account: AccountRecord = { id: '109334860508022727', bot: false, ...KULEBA_ACCOUNT };
  const status: StatusRecord = {
    // a Mastodon snowflake: the creation time in milliseconds, shifted left 16 bits
    id: (BigInt(Date.parse(KULEBA_CREATED_AT)) << 16n).toString(),
    accountId: account.id,
    createdAt: KULEBA_CREATED_AT,
    editedAt: null,
    content: KULEBA_STATEMENT.content,
    spoilerText: '',
    sensitive: false,
    language: KULEBA_STATEMENT.language,
    visibility: 'public',
    inReplyToId: null,
    inReplyToAccountId: null,
    reblogOfId: null,
    quoteOfId: null,
    media: [],
    tags: [],
    deleted: false,
  };
  return { accounts: [account], statuses: [status] };
}
