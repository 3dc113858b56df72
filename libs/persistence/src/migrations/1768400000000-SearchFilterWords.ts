import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { BLOCK_LEVELS, SEARCH_FUNCTION } from './1768300000000-SearchCaptureBlocks';

/**
 * A search with a filter reads blocks too. `search_blocks` also holds, as words, what a search can be filtered by:
 * the account (`~a:<uuid>`), the platform (`~p:mastodon`), the status (`~s:active`) and the language (`~l:uk`).
 * `verbatim_search` takes the filters' values, makes them a tsquery of these words and ANDs it into every block's
 * condition, so the search index steps through the word's list, the block's and the filter's together; its first
 * walks go along the filter's own index (see FILTERED_SEARCH_FUNCTION). Before, a filtered search was planned per
 * query over ranges of capture order, which read every match of a rare word from the table. Dates (`since`,
 * `until`) are not words: a search with them keeps the per-query plan.
 *
 * Changing a generated column's expression means dropping and adding it (before PostgreSQL 17): the statements
 * table is rewritten and its search index rebuilt, in one transaction that holds the table exclusively (minutes at
 * a million statements).
 */
export class SearchFilterWords1768400000000 implements MigrationInterface {
  name = 'SearchFilterWords1768400000000';

  async up(db: QueryRunner): Promise<void> {
    // text || text only, so PostgreSQL inlines it into the generated column instead of calling it per row
    await db.query(`
      CREATE FUNCTION verbatim_filter_word(kind text, value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '~' || kind || ':' || value $$`);
    // one word as a tsquery, taken as it is (tsquery's own quoting: a quote doubled, a backslash escaped;
    // chr(92) is the backslash, whatever standard_conforming_strings says)
    await db.query(`
      CREATE FUNCTION verbatim_word_query(word text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT ('''' || replace(replace(word, chr(92), chr(92) || chr(92)), '''', '''''') || '''')::tsquery $$`);
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
    await db.query(FILTERED_SEARCH_FUNCTION);
    // processes of the previous version, still serving while the new one starts, call the old signature
    await db.query(`
      CREATE OR REPLACE FUNCTION verbatim_search(query tsquery, before bigint, wanted int, walk_first boolean)
      RETURNS TABLE (id uuid, seq bigint)
      LANGUAGE sql STABLE PARALLEL SAFE ROWS 50
      AS $$ SELECT * FROM verbatim_search(query, NULL, NULL, NULL, NULL, before, wanted, walk_first) $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION verbatim_search(tsquery, bigint, int, boolean)`);
    await db.query(`DROP FUNCTION verbatim_search(tsquery, uuid, text, text, text, bigint, int, boolean)`);
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
 * verbatim_search(query, account, platform, status, language, before, wanted, walk_first): as SearchCaptureBlocks
 * wrote it, with the filters given (null for none) as a tsquery of their words ANDed into every step: each block's
 * condition includes it (so the index intersects it with the word and the block), and so does the collect. Blocks
 * are sized from the density of matches of both, so a narrow filter reaches the collect in a few blocks.
 *
 * The first walks go along a filter's own index instead of the newest of all, while matches are dense: the
 * account's (`statements_account_seq`) for any search in one account, where an account with fewer statements than a
 * walk is searched whole in one, and a prefix, which blocks read expensively, walks on even where its matches are
 * sparse, up to 160 statements per row wanted; and for a prefix with no account, the status's, else the
 * platform's, else the language's (a prefix's walk over the newest of all would find few of a narrow filter's
 * statements). A walk is one ordered pass that stops when the page is full. The account's walk is a fixed query,
 * whose plan the session keeps; the others name their filter's column in the query, so PostgreSQL plans each of them
 * anew (the account's walk cost 0.5 to 3 ms more at p50 in `npm run bench:search` when it was planned so).
 *
 * The old signature (query, before, wanted, walk_first) stays, calling this one, so that processes of the previous
 * version can search until they are replaced.
 */
const FILTERED_SEARCH_FUNCTION = `
  CREATE FUNCTION verbatim_search(query tsquery, account uuid, platform text, status text, language text,
                                  before bigint, wanted int, walk_first boolean)
  RETURNS TABLE (id uuid, seq bigint)
  LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 50 AS $$
  DECLARE
    below bigint;          -- what is left to search lies below it
    bottom bigint;
    need int := wanted;
    got int;
    matched int := 0;      -- matches returned so far
    covered bigint := 0;   -- statements searched so far
    walk bigint := 20 * wanted;
    level int := 10;
    target int;
    block bigint;
    in_block tsquery;
    filter tsquery;        -- the filters as words of search_blocks
    word text;
    walk_column text;      -- the filter whose index the first walks go along
    walk_value text;
    walk_sparse boolean;   -- whether the walks go on where matches are sparse
    walked bigint;         -- the statements the last walk read
    walked_all bigint := 0;
    lowest bigint;
    walk_rows refcursor;
    step record;
  BEGIN
    IF query IS NULL OR wanted IS NULL OR wanted <= 0 THEN RETURN; END IF;
    below := (SELECT max(s.seq) + 1 FROM statements s);
    bottom := (SELECT min(s.seq) FROM statements s);
    -- a cursor past the newest statement starts from the newest
    below := LEAST(COALESCE(before, below), below);
    IF below IS NULL OR bottom IS NULL OR below <= bottom THEN RETURN; END IF;

    FOREACH word IN ARRAY array_remove(ARRAY[verbatim_filter_word('a', account::text),
        verbatim_filter_word('p', platform), verbatim_filter_word('s', status),
        verbatim_filter_word('l', language)], NULL) LOOP
      filter := CASE WHEN filter IS NULL THEN verbatim_word_query(word)
                     ELSE filter && verbatim_word_query(word) END;
    END LOOP;
    IF account IS NOT NULL THEN walk_column := 'account_id';
    ELSIF walk_first AND status IS NOT NULL THEN walk_column := 'status'; walk_value := status;
    ELSIF walk_first AND platform IS NOT NULL THEN walk_column := 'platform'; walk_value := platform;
    ELSIF walk_first AND language IS NOT NULL THEN walk_column := 'language'; walk_value := language;
    END IF;
    walk_sparse := walk_first AND account IS NOT NULL;

    IF walk_column IS NOT NULL THEN
      LOOP
        walked := 0; got := 0;
        IF account IS NOT NULL THEN
          OPEN walk_rows FOR
            SELECT s.id, s.seq, ts_match_vq(s.search, query) AND ts_match_vq(s.search_blocks, filter) AS hit
            FROM statements s WHERE s.account_id = account AND s.seq < below ORDER BY s.seq DESC LIMIT walk;
        ELSE
          OPEN walk_rows FOR EXECUTE format(
            'SELECT s.id, s.seq, ts_match_vq(s.search, $1) AND ts_match_vq(s.search_blocks, $2) AS hit
             FROM statements s WHERE s.%I = %L AND s.seq < $3 ORDER BY s.seq DESC LIMIT $4', walk_column, walk_value)
            USING query, filter, below, walk;
        END IF;
        LOOP
          FETCH walk_rows INTO step;
          EXIT WHEN NOT FOUND;
          walked := walked + 1; lowest := step.seq;
          IF step.hit THEN
            id := step.id; seq := step.seq; RETURN NEXT;
            got := got + 1;
            EXIT WHEN got >= need;
          END IF;
        END LOOP;
        CLOSE walk_rows;
        IF walked = 0 THEN RETURN; END IF;
        need := need - got; matched := matched + got; walked_all := walked_all + walked;
        covered := covered + (below - lowest); below := lowest;
        EXIT WHEN need <= 0;
        -- nothing with this filter is older: every match was seen
        IF walked < walk THEN RETURN; END IF;
        EXIT WHEN matched < 4 AND NOT walk_sparse;
        walk := greatest(ceil(1.5 * need * walked_all / greatest(matched, 1)), walked_all / 4);
        IF walk_sparse THEN walk := least(walk, 160 * wanted - walked_all); END IF;
        EXIT WHEN walk <= 0 OR walked_all + walk > 160 * wanted;
      END LOOP;
    ELSIF walk_first THEN
      LOOP
        RETURN QUERY SELECT s.id, s.seq FROM statements s
          WHERE ts_match_vq(s.search, query) AND s.seq < below AND s.seq >= below - walk
          ORDER BY s.seq DESC LIMIT need;
        GET DIAGNOSTICS got = ROW_COUNT;
        need := need - got; matched := matched + got; covered := covered + walk; below := below - walk;
        EXIT WHEN need <= 0 OR below <= bottom OR matched < 4;
        -- walk on while the density seen says the page fills within 8 first walks in all; each walk at
        -- least a quarter of the walked so far, so a page that lacks one match takes a few walks, not dozens
        walk := greatest(ceil(1.5 * need * covered / matched), covered / 4);
        EXIT WHEN covered + walk > 160 * wanted;
      END LOOP;
    END IF;

    WHILE need > 0 AND below > bottom LOOP
      IF covered > 0 THEN
        target := 10;
        WHILE target < 22 AND (1::bigint << target) * greatest(matched, 1) < need::bigint * covered LOOP
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
      need := need - got; matched := matched + got; covered := covered + (below - (block << level));
      below := block << level;
    END LOOP;
  END $$`;
