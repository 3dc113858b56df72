import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Newest-first search without reading every match. Each statement's search vector also holds the blocks of
 * capture order it lies in, as words no query can spell (`~10:976` is the 976th block of 2^10 statements), at
 * every even level from 2^10 to 2^20 statements. `search @@ query AND search @@ '~14:61'` is then answered
 * inside the GIN index, which steps through the two lists together, and only matches in that block are read
 * from the table. `verbatim_search` walks such blocks down from the newest, each sized from the density of
 * matches seen so far, until the page is full (see search-plan.ts for the measurements behind it).
 *
 * Rewrites the statements table (the stored vector is generated) and rebuilds the search index.
 */
export const BLOCK_LEVELS = [10, 12, 14, 16, 18, 20];

export class SearchCaptureBlocks1768300000000 implements MigrationInterface {
  name = 'SearchCaptureBlocks1768300000000';

  async up(db: QueryRunner): Promise<void> {
    // '~' and ':' never survive the text search parser, so no search term can match a block's word
    await db.query(`
      CREATE FUNCTION verbatim_block(level int, block bigint) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '~' || level || ':' || block $$`);
    await db.query(`
      CREATE FUNCTION verbatim_seq_blocks(seq bigint) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_to_tsvector(ARRAY[${BLOCK_LEVELS.map((l) => `verbatim_block(${l}, seq >> ${l})`).join(', ')}]) $$`);
    await this.searchColumn(db, 'verbatim_seq_blocks(seq)');
    await db.query(SEARCH_FUNCTION);
    // PostgreSQL plans a SQL function's query on every call it cannot inline, and planning was most of
    // verbatim_query's time (0.7 ms of every search word); PL/pgSQL keeps the plan for the session
    const body = await this.queryFunctionBody(db);
    await this.replaceQueryFunction(db, 'plpgsql', `BEGIN RETURN (${body}); END`);
  }

  async down(db: QueryRunner): Promise<void> {
    const body = (await this.queryFunctionBody(db)).replace(/^\s*BEGIN RETURN \(([\s\S]*)\); END\s*$/, '$1');
    await this.replaceQueryFunction(db, 'sql', body);
    await db.query(`DROP FUNCTION verbatim_search(tsquery, bigint, int, boolean)`);
    await this.searchColumn(db, null);
    await db.query(`DROP FUNCTION verbatim_seq_blocks(bigint)`);
    await db.query(`DROP FUNCTION verbatim_block(int, bigint)`);
  }

  /** verbatim_query's body as SearchLanguages wrote it (the language configurations it tries per script). */
  private async queryFunctionBody(db: QueryRunner): Promise<string> {
    const [{ body }]: { body: string }[] = await db.query(
      `SELECT prosrc AS body FROM pg_proc WHERE oid = 'verbatim_query(text, text, boolean)'::regprocedure`,
    );
    return body;
  }

  private async replaceQueryFunction(
    db: QueryRunner,
    language: 'sql' | 'plpgsql',
    body: string,
  ): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION verbatim_query(words text, language text, phrase boolean) RETURNS tsquery
      LANGUAGE ${language} STABLE PARALLEL SAFE SET client_min_messages = warning
      AS $fn$${body}$fn$`);
  }

  /** The generated search vector, with the blocks or without; its index as SearchPendingList left it. */
  private async searchColumn(db: QueryRunner, blocks: string | null): Promise<void> {
    await db.query(`DROP INDEX statements_search`);
    await db.query(`ALTER TABLE statements DROP COLUMN search`);
    await db.query(`
      ALTER TABLE statements ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector(verbatim_search_config(language), latest_text) || to_tsvector('verbatim_simple', latest_text)
        ${blocks ? `|| ${blocks}` : ''}
      ) STORED`);
    await db.query(
      `CREATE INDEX statements_search ON statements USING gin (search) WITH (fastupdate = on, gin_pending_list_limit = 64)`,
    );
  }
}

/**
 * verbatim_search(query, before, wanted, walk_first): the ids and seqs of the `wanted` newest statements below
 * seq `before` (null: from the newest) that match `query`, newest first.
 *
 * Blocks are searched from the newest down. The first is the 2^10 block holding the newest statement (a common
 * word fills its page there); each next one is at the level where, at the density of matches seen so far, the
 * page would be full, never smaller than the last and at most 16 times larger, so a wrong guess costs a few
 * steps, never a read of every match. Past the 2^20 level the rest is collected at once (a word that rare has
 * few matches).
 *
 * `walk_first` is for queries with a prefix: the index reads every word a prefix starts, in every block, so
 * while matches are dense the newest statements are walked and tested one by one instead.
 *
 * `seq + 0` keeps the planner from ANDing the seq index into the block step: the block's word does that inside
 * the search index. ROWS 50 (a page) lets the caller join each row's account by its key instead of hashing
 * every account.
 */
const SEARCH_FUNCTION = `
  CREATE FUNCTION verbatim_search(query tsquery, before bigint, wanted int, walk_first boolean)
  RETURNS TABLE (id uuid, seq bigint)
  LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 50 AS $$
  DECLARE
    below bigint;          -- what is left to search lies below it
    bottom bigint;
    need int := wanted;
    got int;
    found int := 0;        -- matches returned so far
    covered bigint := 0;   -- statements searched so far
    walk bigint := 20 * wanted;
    level int := 10;
    target int;
    block bigint;
  BEGIN
    IF query IS NULL OR wanted <= 0 THEN RETURN; END IF;
    below := COALESCE(before, (SELECT max(s.seq) + 1 FROM statements s));
    bottom := (SELECT min(s.seq) FROM statements s);
    IF below IS NULL OR bottom IS NULL OR below <= bottom THEN RETURN; END IF;

    IF walk_first THEN
      FOR pass IN 1..2 LOOP
        RETURN QUERY SELECT s.id, s.seq FROM statements s
          WHERE ts_match_vq(s.search, query) AND s.seq < below AND s.seq >= below - walk
          ORDER BY s.seq DESC LIMIT need;
        GET DIAGNOSTICS got = ROW_COUNT;
        need := need - got; found := found + got; covered := covered + walk; below := below - walk;
        EXIT WHEN need <= 0 OR below <= bottom OR found < 4;
        -- walk on only where the density seen says the page fills within 8 first walks
        walk := ceil(1.5 * need * covered / found);
        EXIT WHEN walk > 160 * wanted;
      END LOOP;
    END IF;

    WHILE need > 0 AND below > bottom LOOP
      IF covered > 0 THEN
        target := 10;
        WHILE target < 22 AND (1::bigint << target) * greatest(found, 1) < need::bigint * covered LOOP
          target := target + 2;
        END LOOP;
        level := greatest(level, least(target, level + 4));
      END IF;
      IF level > 20 THEN
        RETURN QUERY SELECT h.id, h.seq FROM (
          SELECT s.id, s.seq FROM statements s WHERE s.search @@ query AND s.seq + 0 < below OFFSET 0
        ) h ORDER BY h.seq DESC LIMIT need;
        RETURN;
      END IF;
      block := (below - 1) >> level;
      RETURN QUERY SELECT s.id, s.seq FROM statements s
        WHERE s.search @@ query AND s.search @@ quote_literal(verbatim_block(level, block))::tsquery AND s.seq + 0 < below
        ORDER BY s.seq + 0 DESC LIMIT need;
      GET DIAGNOSTICS got = ROW_COUNT;
      need := need - got; found := found + got; covered := covered + (below - (block << level));
      below := block << level;
    END LOOP;
  END $$`;
