import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { BLOCK_LEVELS, SEARCH_FUNCTION } from './1768300000000-SearchCaptureBlocks';

/**
 * A search with a filter reads blocks too. `search_blocks` also holds, as words, what a search can be filtered by:
 * the account (`~a:<uuid>`), the platform (`~p:mastodon`), the status (`~s:active`) and the language (`~l:uk`).
 * `verbatim_search` takes the filter as a tsquery of these words and ANDs it into every block's condition, so the
 * search index steps through the word's list, the block's and the filter's together. Before, a filtered search
 * was planned per query over ranges of capture order, which read every match of a rare word from the table.
 * Dates (`since`, `until`) are not words: a search with them keeps the per-query plan.
 *
 * Changing a generated column's expression means dropping and adding it: the statements table is rewritten and
 * its search index rebuilt, in one transaction that holds the table exclusively (minutes at a million statements).
 */
export class SearchFilterWords1768400000000 implements MigrationInterface {
  name = 'SearchFilterWords1768400000000';

  async up(db: QueryRunner): Promise<void> {
    // text || text only, so PostgreSQL inlines it into the generated column instead of calling it per row
    await db.query(`
      CREATE FUNCTION verbatim_filter_word(kind text, value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '~' || kind || ':' || value $$`);
    // one word as a tsquery, taken as it is (tsquery's own quoting: a quote doubled, a backslash escaped)
    await db.query(`
      CREATE FUNCTION verbatim_word_query(word text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ('''' || replace(replace(word, '\\', '\\\\'), '''', '''''') || '''')::tsquery $$`);
    const filterWords = [
      `verbatim_filter_word('a', account_id::text)`,
      `verbatim_filter_word('p', platform)`,
      `verbatim_filter_word('s', status)`,
      // null without a language, and dropped
      `verbatim_filter_word('l', language)`,
    ];
    await this.replaceBlocksColumn(
      db,
      `array_remove(ARRAY[${[...blockWords(), ...filterWords].join(', ')}], NULL)`,
    );
    await db.query(`DROP FUNCTION verbatim_search(tsquery, bigint, int, boolean)`);
    await db.query(FILTERED_SEARCH_FUNCTION);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION verbatim_search(tsquery, tsquery, uuid, bigint, int, boolean)`);
    await db.query(SEARCH_FUNCTION);
    await this.replaceBlocksColumn(db, `ARRAY[${blockWords().join(', ')}]`);
    await db.query(`DROP FUNCTION verbatim_word_query(text)`);
    await db.query(`DROP FUNCTION verbatim_filter_word(text, text)`);
  }

  /** `search_blocks` as the words of `words` (dropping the column drops the search index over it: rebuilt). */
  private async replaceBlocksColumn(db: QueryRunner, words: string): Promise<void> {
    await db.query(`ALTER TABLE statements DROP COLUMN search_blocks`);
    await db.query(
      `ALTER TABLE statements ADD COLUMN search_blocks tsvector GENERATED ALWAYS AS (array_to_tsvector(${words})) STORED`,
    );
    await db.query(
      `CREATE INDEX statements_search ON statements USING gin (search, search_blocks) WITH (fastupdate = on, gin_pending_list_limit = 64)`,
    );
  }
}

function blockWords(): string[] {
  return BLOCK_LEVELS.map((level) => `verbatim_block(${level}, seq >> ${level})`);
}

/**
 * verbatim_search(query, filter, account, before, wanted, walk_first): as SearchCaptureBlocks wrote it, with
 * `filter` (a tsquery of filter words, null for none) ANDed into every step: the walk tests it row by row, each
 * block's condition includes it (so the index intersects it with the word and the block), and so does the
 * collect. Blocks are sized from the density of matches of both, so a narrow filter reaches the collect in a few
 * blocks.
 *
 * With `account` (its word is in `filter` too), the first walks go along the account's own statements (its
 * `statements_account_seq` index) instead of the newest of all, while its matches are dense: an account with
 * fewer statements than a walk is searched whole in one, and a prefix, which blocks read expensively, is tested
 * row by row there.
 */
const FILTERED_SEARCH_FUNCTION = `
  CREATE FUNCTION verbatim_search(query tsquery, filter tsquery, account uuid, before bigint, wanted int,
                                  walk_first boolean)
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
    in_block tsquery;
    walked bigint;         -- the account's statements the last walk read
    walked_all bigint := 0;
    lowest bigint;
  BEGIN
    IF query IS NULL OR wanted IS NULL OR wanted <= 0 THEN RETURN; END IF;
    below := (SELECT max(s.seq) + 1 FROM statements s);
    bottom := (SELECT min(s.seq) FROM statements s);
    -- a cursor past the newest statement starts from the newest
    below := LEAST(COALESCE(before, below), below);
    IF below IS NULL OR bottom IS NULL OR below <= bottom THEN RETURN; END IF;

    IF account IS NOT NULL THEN
      -- the account's own newest statements first, along its index: most accounts end within a walk or two,
      -- and a common word or a prefix fills its page there
      LOOP
        SELECT count(*), min(w.seq) INTO walked, lowest FROM (
          SELECT s.seq FROM statements s WHERE s.account_id = account AND s.seq < below
          ORDER BY s.seq DESC LIMIT walk
        ) w;
        IF walked = 0 THEN RETURN; END IF;
        RETURN QUERY SELECT s.id, s.seq FROM statements s
          WHERE s.account_id = account AND s.seq < below AND s.seq >= lowest
            AND ts_match_vq(s.search, query) AND ts_match_vq(s.search_blocks, filter)
          ORDER BY s.seq DESC LIMIT need;
        GET DIAGNOSTICS got = ROW_COUNT;
        need := need - got; found := found + got; walked_all := walked_all + walked;
        covered := covered + (below - lowest); below := lowest;
        EXIT WHEN need <= 0;
        -- nothing of the account is older: every match was seen
        IF walked < walk THEN RETURN; END IF;
        EXIT WHEN found < 4;
        walk := greatest(ceil(1.5 * need * walked_all / found), walked_all / 4);
        EXIT WHEN walked_all + walk > 160 * wanted;
      END LOOP;
    ELSIF walk_first THEN
      LOOP
        RETURN QUERY SELECT s.id, s.seq FROM statements s
          WHERE ts_match_vq(s.search, query) AND (filter IS NULL OR ts_match_vq(s.search_blocks, filter))
            AND s.seq < below AND s.seq >= below - walk
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
        IF filter IS NULL THEN
          RETURN QUERY SELECT h.id, h.seq FROM (
            SELECT s.id, s.seq FROM statements s WHERE s.search @@ query AND s.seq + 0 < below OFFSET 0
          ) h ORDER BY h.seq DESC LIMIT need;
        ELSE
          RETURN QUERY SELECT h.id, h.seq FROM (
            SELECT s.id, s.seq FROM statements s
            WHERE s.search @@ query AND s.search_blocks @@ filter AND s.seq + 0 < below OFFSET 0
          ) h ORDER BY h.seq DESC LIMIT need;
        END IF;
        RETURN;
      END IF;
      block := (below - 1) >> level;
      in_block := verbatim_word_query(verbatim_block(level, block));
      IF filter IS NOT NULL THEN in_block := in_block && filter; END IF;
      RETURN QUERY SELECT s.id, s.seq FROM statements s
        WHERE s.search @@ query AND s.search_blocks @@ in_block AND s.seq + 0 < below
        ORDER BY s.seq + 0 DESC LIMIT need;
      GET DIAGNOSTICS got = ROW_COUNT;
      need := need - got; found := found + got; covered := covered + (below - (block << level));
      below := block << level;
    END LOOP;
  END $$`;
