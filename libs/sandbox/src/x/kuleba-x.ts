// The statement this project exists for, as it was published: a post on X by @DmytroKuleba on 27 February
// 2022. The demo's X-shaped server publishes it; the test fakes publish the same records.
import { KULEBA_STATEMENT_TEXT, KULEBA_USERNAME } from '../mastodon/kuleba-statement';
import { type XTweetRecord, type XUserRecord, snowflakeAt } from './x-records';

/** When the post was published (X gives times to the second). */
export const KULEBA_X_CREATED_AT = '2022-02-27T08:33:10.000Z';

/** The account, with a plausible numeric id (X ids are strings of digits). */
export const KULEBA_X_USER: Readonly<XUserRecord> = {
  id: '1032638196017360896',
  username: KULEBA_USERNAME,
  name: 'Dmytro Kuleba',
  protected: false,
  suspended: false,
};

/** A snowflake id carrying the publication time, as X's ids do. */
export const KULEBA_X_POST_ID = snowflakeAt(KULEBA_X_CREATED_AT, 0x1a2b);

export function kulebaXRecords(): { users: XUserRecord[]; tweets: XTweetRecord[] } {
  const tweet: XTweetRecord = {
    id: KULEBA_X_POST_ID,
    authorId: KULEBA_X_USER.id,
    text: KULEBA_STATEMENT_TEXT,
    createdAt: KULEBA_X_CREATED_AT,
    lang: 'en',
    editHistory: [KULEBA_X_POST_ID],
    references: [],
    media: [],
    deleted: false,
    withheld: false,
  };
  return { users: [{ ...KULEBA_X_USER }], tweets: [tweet] };
}
