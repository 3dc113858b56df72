import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Free room in the pages of the two tables every poll updates in place: a poll's mark (`poll_marks`) and the quiet
 * run it extends (`capture_runs`). Neither update changes an indexed column, so PostgreSQL can write the new row
 * version on the same page without touching any index (a HOT update), and prunes the old versions as it reads the
 * page, without VACUUM. With full pages (the default fill factor, 100) three updates in four found no room: each
 * then wrote a new entry into every index of its table, and the tables and their indexes grew by about 1,000 dead
 * rows a second at 100,000 accounts until VACUUM ran. Only new pages are filled to the new factor; an archive's
 * existing pages get room as VACUUM frees it. The cost is heap: a run is extended only while it is its account's
 * latest, so the room left in older runs' pages stays empty (about 40% more pages for `capture_runs`).
 */
export class RoomForHotUpdates1768900000000 implements MigrationInterface {
  name = 'RoomForHotUpdates1768900000000';

  async up(db: QueryRunner): Promise<void> {
    // a mark is replaced once a minute per account: half of each page is room
    await db.query(`ALTER TABLE poll_marks SET (fillfactor = 50)`);
    // a run is added once and extended by each quiet poll after it
    await db.query(`ALTER TABLE capture_runs SET (fillfactor = 70)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE poll_marks RESET (fillfactor)`);
    await db.query(`ALTER TABLE capture_runs RESET (fillfactor)`);
  }
}
