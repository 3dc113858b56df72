import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The statement search index learns capture order: beside the words, each statement is filed under the
 * ranges of capture order (`seq`) it falls in, at several widths (2^7, 2^10, …, 2^25 statements). A search then
 * asks the index for "these words in this range", newest range first, and stops once a page is full: the index
 * intersects the two lists itself (skipping through the longer one), so only the range's matches are read from
 * the table, however common or rare the words are (see libs/persistence/src/queries/search-ranges.ts).
 * Before, the index could only give every match of the words, and the table had to be read for each one to
 * learn its place in capture order.
 *
 * One GIN index over both columns replaces the words-only one: a query on the words alone still uses it.
 * Rebuilding it reads the whole table (about 80 s per million statements on a 2-core machine).
 */
export class SearchByCaptureRanges1767900000000 implements MigrationInterface {
  name = 'SearchByCaptureRanges1767900000000';

  async up(db: QueryRunner): Promise<void> {
    // the key of a range is its width's exponent in the high bits and the range's number below them, so the
    // ranges of every width share one array; immutable, as an index expression must be
    await db.query(`
      CREATE FUNCTION verbatim_seq_ranges(seq bigint) RETURNS bigint[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ARRAY[${SEQ_RANGE_BITS.map((bits) => `(${bits}::bigint << 48) | (seq >> ${bits})`).join(', ')}] $$`);
    await db.query(`DROP INDEX statements_search`);
    await db.query(
      `CREATE INDEX statements_search ON statements USING gin (search, verbatim_seq_ranges(seq)) WITH (fastupdate = off)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX statements_search`);
    await db.query(`CREATE INDEX statements_search ON statements USING gin (search) WITH (fastupdate = off)`);
    await db.query(`DROP FUNCTION verbatim_seq_ranges(bigint)`);
  }
}

/** Range widths as powers of two; search-ranges.ts asks for the same ones (a migration keeps its own copy). */
const SEQ_RANGE_BITS = [7, 10, 13, 16, 19, 22, 25];
