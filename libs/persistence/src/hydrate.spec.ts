import { In } from 'typeorm';
import { useTestDatabase } from '@app/testing/test-database';
import { AccountEntity } from './entities';
import { findAccounts } from './repositories';

/** Accounts read by hand from `SELECT *` must be the entities TypeORM's own read builds, column for column. */
describe('findAccounts (rows hydrated by hand)', () => {
  const database = useTestDatabase();

  it('gives what a find gives: every column, its type, nulls and absent ids', async () => {
    const ids: { id: string }[] = await database.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, paused,
         poll_interval_seconds, next_poll_at, cursor, last_polled_at, last_poll_status, last_error, last_error_code,
         consecutive_failures, unavailable_since, unavailable_reason, reads_month, reads_this_month)
       VALUES ('mastodon', 'mfa', '109', 'MFA of Ukraine', 'https://mastodon.example/@mfa',
               'https://mastodon.example/api/v1/accounts/109/statuses', true, false, 60,
               '2022-02-27T10:15:00.123Z', '{"sinceId": "1"}', '2022-02-27T10:14:00Z', 'failed', 'HTTP 503',
               'http-503', 2, '2022-02-27T09:00:00Z', 'suspended', '2022-02', 7),
              ('x', 'DmytroKuleba', '2', NULL, 'https://x.example/DmytroKuleba', 'https://x.example/DmytroKuleba',
               false, true, 300, now(), '{}', NULL, 'never', NULL, NULL, 0, NULL, NULL, NULL, 0)
       RETURNING id`,
    );
    const wanted = [...ids.map((r) => r.id), '00000000-0000-4000-8000-000000000000'];
    const byHand = await findAccounts(database.db.manager, wanted);
    const byFind = await database.db.getRepository(AccountEntity).findBy({ id: In(wanted) });
    const sorted = (accounts: AccountEntity[]) => [...accounts].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byHand).toHaveLength(2);
    expect(sorted(byHand)).toEqual(sorted(byFind));
    for (const account of byHand) expect(account).toBeInstanceOf(AccountEntity);
    const mfa = byHand.find((a) => a.handle === 'mfa')!;
    expect(mfa.nextPollAt).toEqual(new Date('2022-02-27T10:15:00.123Z'));
    expect(mfa.cursor).toEqual({ sinceId: '1' });
    expect(mfa.readsThisMonth).toBe(7);
    expect(byHand.find((a) => a.handle === 'DmytroKuleba')!.displayName).toBeNull();
  });
});
