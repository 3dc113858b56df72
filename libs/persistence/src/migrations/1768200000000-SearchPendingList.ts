import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The statement search index takes new entries into a small pending list instead of its tree: merged in bulk, a
 * word that many new statements share is written into the tree once per merge, not once per statement. It was
 * the largest cost of storing a statement. Measured with `npm run bench:capture` (the statement upsert, per row):
 * 873 µs with the list off, 419 µs at 64 kB, 413 at 128 kB, 406 at 256 kB.
 * The list is kept at PostgreSQL's smallest limit (64 kB, 8 pages) because every search through the index reads
 * it whole: at 1M statements (`npm run bench:search`), an absent word's search took 0.9 ms longer with 28 pages
 * of a 256 kB list waiting, 0.3 ms with 7 of 8. The insert that overflows the list merges it inline, so that one
 * statement (and its capture batch) waits for the merge; autovacuum also merges it.
 * Changing these settings locks the index exclusively for a moment: it waits for queries on `statements` to end.
 */
export class SearchPendingList1768200000000 implements MigrationInterface {
  name = 'SearchPendingList1768200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER INDEX statements_search SET (fastupdate = on, gin_pending_list_limit = 64)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER INDEX statements_search SET (fastupdate = off)`);
    await db.query(`ALTER INDEX statements_search RESET (gin_pending_list_limit)`);
    // turning the list off leaves what it holds: merge it, so searches stop reading it
    await db.query(`SELECT gin_clean_pending_list('statements_search'::regclass)`);
  }
}
