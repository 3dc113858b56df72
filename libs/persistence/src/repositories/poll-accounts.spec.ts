import { In } from 'typeorm';
import { useTestDatabase } from '@app/testing/test-database';
import { AccountEntity } from '../entities';
import { findPollAccounts, type PollAccount } from './account.repository';

/** A poll's accounts are read by hand from the columns it uses: each must be what TypeORM's own read gives. */
describe('findPollAccounts (the columns a poll uses, mapped by hand)', () => {
  const database = useTestDatabase();

  it('gives what a find gives for those columns: their types, nulls, and nothing for absent ids', async () => {
    const ids: { id: string }[] = await database.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, paused,
         poll_interval_seconds, next_poll_at, cursor, last_polled_at, last_poll_status, last_error, last_error_code,
         consecutive_failures, unavailable_since, unavailable_reason, reads_month, reads_this_month, deferred_since)
       VALUES ('mastodon', 'mfa', '109', 'MFA of Ukraine', 'https://mastodon.example/@mfa',
               'https://mastodon.example/api/v1/accounts/109/statuses', true, false, 60,
               '2022-02-27T10:15:00.123Z', '{"sinceId": "1"}', '2022-02-27T10:14:00Z', 'failed', 'HTTP 503',
               'http-503', 2, '2022-02-27T09:00:00Z', 'suspended', '2022-02', 7, '2022-02-27T10:00:00.5Z'),
              ('x', 'DmytroKuleba', '2', NULL, 'https://x.example/DmytroKuleba', 'https://x.example/DmytroKuleba',
               false, true, 300, now(), '{}', NULL, 'never', NULL, NULL, 0, NULL, NULL, NULL, 0, NULL)
       RETURNING id`,
    );
    const wanted = [...ids.map((r) => r.id), '00000000-0000-4000-8000-000000000000'];
    const byHand = await findPollAccounts(database.db.manager, wanted);
    const byFind = await database.db.getRepository(AccountEntity).findBy({ id: In(wanted) });
    expect(byHand).toHaveLength(2);
    for (const account of byHand) {
      const entity = byFind.find((a) => a.id === account.id)!;
      const keys = Object.keys(account) as (keyof PollAccount)[];
      expect(keys).toHaveLength(16);
      for (const key of keys) expect([key, account[key]]).toEqual([key, entity[key]]);
    }
    const mfa = byHand.find((a) => a.handle === 'mfa')!;
    expect(mfa.nextPollAt).toEqual(new Date('2022-02-27T10:15:00.123Z'));
    expect(mfa.deferredSince).toEqual(new Date('2022-02-27T10:00:00.500Z'));
    expect(mfa.cursor).toEqual({ sinceId: '1' });
    expect(mfa).toMatchObject({ readsThisMonth: 7, consecutiveFailures: 2, pollIntervalSeconds: 60 });
    expect(byHand.find((a) => a.handle === 'DmytroKuleba')).toMatchObject({
      displayName: null,
      paused: true,
    });
  });
});
