import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Newest-first search without reading every match. Each statement gets `search_blocks`, the blocks of capture
 * order it lies in as words (`~10:976` is block 976, counted from 0, of 2^10 statements), at every even level
 * from 2^10 to 2^20 statements, and the search index covers both columns. `search @@ query AND search_blocks
 * @@ '~14:61'` is then answered inside the GIN index, which steps through the word's list and the block's
 * together, and only the matches in that block are read from the table. `verbatim_search` searches such blocks
 * from the newest down, each sized from the density of matches seen so far, until the page is full.
 *
 * The blocks have a column of their own so that queries on `search` never see them and its statistics (the
 * planner's most common words) keep their room for words.
 *
 * Adding the stored column rewrites the statements table and the index is rebuilt, in one transaction that
 * holds the table exclusively: searches and captures wait for it (minutes at a million statements).
 */
export const BLOCK_LEVELS = [10, 12, 14, 16, 18, 20];

export class SearchCaptureBlocks1768300000000 implements MigrationInterface {
  name = 'SearchCaptureBlocks1768300000000';

  async up(db: QueryRunner): Promise<void> {
    // text || text only, so PostgreSQL inlines it into the generated column instead of calling it per row
    await db.query(`
      CREATE FUNCTION verbatim_block(level int, block bigint) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '~' || level::text || ':' || block::text $$`);
    const blocks = BLOCK_LEVELS.map((level) => `verbatim_block(${level}, seq >> ${level})`).join(', ');
    await db.query(
      `ALTER TABLE statements ADD COLUMN search_blocks tsvector GENERATED ALWAYS AS (array_to_tsvector(ARRAY[${blocks}])) STORED`,
    );
    await this.searchIndex(db, 'search, search_blocks');
    await db.query(SEARCH_FUNCTION);
    // PostgreSQL plans a SQL function's query on every call it cannot inline, and planning was most of
    // verbatim_query's time (0.7 ms of every search word); PL/pgSQL keeps the plan for the session
    const [{ language }]: { language: string }[] = await db.query(
      `SELECT l.lanname AS language FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
       WHERE p.oid = 'verbatim_query(text, text, boolean)'::regprocedure`,
    );
    const query = (await this.queryFunctionBody(db)).trim().replace(/;$/, '');
    if (language !== 'sql' || /--|;/.test(query))
      throw new Error('verbatim_query is not the single SQL query SearchLanguages wrote: restore it first');
    await this.replaceQueryFunction(db, 'plpgsql', `BEGIN RETURN (${query}); END`);
  }

  async down(db: QueryRunner): Promise<void> {
    const wrapped = /^\s*BEGIN RETURN \(([\s\S]*)\); END\s*$/.exec(await this.queryFunctionBody(db));
    if (!wrapped) throw new Error('verbatim_query is not the PL/pgSQL function this migration wrote');
    await this.replaceQueryFunction(db, 'sql', wrapped[1]);
    await db.query(`DROP FUNCTION verbatim_search(tsquery, bigint, int, boolean)`);
    await this.searchIndex(db, 'search');
    await db.query(`ALTER TABLE statements DROP COLUMN search_blocks`);
    await db.query(`DROP FUNCTION verbatim_block(int, bigint)`);
  }

  /** The search index over these columns, with the pending list SearchPendingList gave it. */
  private async searchIndex(db: QueryRunner, columns: string): Promise<void> {
    await db.query(`DROP INDEX statements_search`);
    await db.query(
      `CREATE INDEX statements_search ON statements USING gin (${columns}) WITH (fastupdate = on, gin_pending_list_limit = 64)`,
    );
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
}

/**
 * verbatim_search(query, before, wanted, walk_first): the ids and seqs of the `wanted` newest statements below seq
 * `before` (null: from the newest) that match `query`, newest first.
 *
 * Blocks are searched from the newest down. The first is the 2^10 block holding the newest statement (a common word
 * fills its page there). Each next one is at the level where, at the density of matches seen so far, the page would
 * be full, at most 16 times larger than the last, never smaller, and spanning more than half of what was searched
 * so far, so the range searched grows geometrically and a search reads O(log n) blocks (14 at most over the six
 * levels, in a simulation of every layout tried). When even a 2^20 block is not expected to fill the page, every
 * match left below is collected at once: few, for a word that rare; many only for a word that was common long ago
 * and then absent for a long stretch (an old topic), whose older pages cost one read of every match.
 *
 * `walk_first` is for queries with a prefix: the index reads every word a prefix starts, in every block, so while
 * matches are dense the newest statements are walked and tested one by one instead.
 *
 * `seq + 0` keeps the planner from ANDing the seq index into the block step: the block's word does that inside the
 * search index. ROWS 50 (a page) lets the caller join each row's account by its key instead of hashing every
 * account.
 */
export const SEARCH_FUNCTION = `
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
    IF query IS NULL OR wanted IS NULL OR wanted <= 0 THEN RETURN; END IF;
    below := (SELECT max(s.seq) + 1 FROM statements s);
    bottom := (SELECT min(s.seq) FROM statements s);
    -- a cursor past the newest statement starts from the newest
    below := LEAST(COALESCE(before, below), below);
    IF below IS NULL OR bottom IS NULL OR below <= bottom THEN RETURN; END IF;

    IF walk_first THEN
      LOOP
        RETURN QUERY SELECT s.id, s.seq FROM statements s
          WHERE ts_match_vq(s.search, query) AND s.seq < below AND s.seq >= below - walk
          ORDER BY s.seq DESC LIMIT need;
        GET DIAGNOSTICS got = ROW_COUNT;
        need := need - got; found := found + got; covered := covered + walk; below := below - walk;
        EXIT WHEN need <= 0 OR below <= bottom OR found < 4;
        -- walk on while the density seen says the page fills within 8 first walks in all; each walk at
        -- least a quarter of the walked so far, so a page that lacks one match takes a few walks, not dozens
        walk := greatest(ceil(1.5 * need * covered / found), covered / 4);
        EXIT WHEN covered + walk > 160 * wanted;
      END LOOP;
    END IF;

    WHILE need > 0 AND below > bottom LOOP
      IF covered > 0 THEN
        target := 10;
        WHILE target < 22 AND (1::bigint << target) * greatest(found, 1) < need::bigint * covered LOOP
          target := target + 2;
        END LOOP;
        level := greatest(level, least(target, level + 4));
        -- the block below reaches down to its level's boundary: it must span more than half of what is behind
        WHILE level < 22 AND 2 * (below - (((below - 1) >> level) << level)) <= covered LOOP
          level := level + 2;
        END LOOP;
      END IF;
      IF level > 20 THEN
        RETURN QUERY SELECT h.id, h.seq FROM (
          SELECT s.id, s.seq FROM statements s WHERE s.search @@ query AND s.seq + 0 < below OFFSET 0
        ) h ORDER BY h.seq DESC LIMIT need;
        RETURN;
      END IF;
      block := (below - 1) >> level;
      RETURN QUERY SELECT s.id, s.seq FROM statements s
        WHERE s.search @@ query AND s.search_blocks @@ quote_literal(verbatim_block(level, block))::tsquery
          AND s.seq + 0 < below
        ORDER BY s.seq + 0 DESC LIMIT need;
      GET DIAGNOSTICS got = ROW_COUNT;
      need := need - got; found := found + got; covered := covered + (below - (block << level));
      below := block << level;
    END LOOP;
  END $$`;
