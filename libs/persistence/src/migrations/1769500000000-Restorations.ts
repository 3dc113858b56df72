import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * deleted.atom lists statements restored after a confirmed deletion beside the deleted ones
 * (listDeletedAndRestored): this index holds only those restorations, so the public feed reads them without
 * reading every observation the rechecks ever made.
 */
export class Restorations1769500000000 implements MigrationInterface {
  name = 'Restorations1769500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX observations_restorations ON observations (statement_id)
       WHERE previous_status = 'deleted' AND status = 'active'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX observations_restorations`);
  }
}
