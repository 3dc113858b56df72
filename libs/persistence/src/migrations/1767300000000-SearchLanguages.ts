import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * ISO 639-1 code → PostgreSQL's Snowball stemmer for it. Ukrainian has none in PostgreSQL: its statements use
 * `verbatim_simple` (exact words, accent- and case-folded; prefix search `слово*` finds other forms).
 * Serbian is left out on purpose: its stemmer writes Cyrillic words in Latin letters, so every Cyrillic query
 * would also match Latin words of other languages.
 */
const STEMMED_LANGUAGES: Record<string, string> = {
  ar: 'arabic',
  ca: 'catalan',
  da: 'danish',
  de: 'german',
  el: 'greek',
  en: 'english',
  es: 'spanish',
  fi: 'finnish',
  fr: 'french',
  hu: 'hungarian',
  id: 'indonesian',
  it: 'italian',
  lt: 'lithuanian',
  nl: 'dutch',
  no: 'norwegian',
  nb: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sv: 'swedish',
  tr: 'turkish',
};

/**
 * Search in the statement's language. `statements.language` (ISO 639-1, from the platform or detected at
 * capture) picks a stemmer; every text search configuration is a copy of PostgreSQL's with `unaccent` before
 * the stemmer, so "etrangeres" finds "Étrangères". The vector holds the stemmed words of the statement's
 * language AND its plain words (`verbatim_simple`): stop words, names and words of another language stay
 * findable exactly as written. Without the unaccent extension (no postgresql-contrib) the configurations are
 * built without it: search still works, only accents then count.
 *
 * The GIN index is rebuilt with fastupdate off: a pending list makes every search scan it (up to 4 MB) until
 * vacuum merges it, which costs far more read latency than the few inserts per second we make save.
 */
export class SearchLanguages1767300000000 implements MigrationInterface {
  name = 'SearchLanguages1767300000000';

  async up(db: QueryRunner): Promise<void> {
    const [{ available }]: { available: boolean }[] = await db.query(
      `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') AS available`,
    );
    if (available) await db.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
    const fold = available ? 'unaccent, ' : '';

    await db.query(`CREATE TEXT SEARCH CONFIGURATION verbatim_simple (COPY = simple)`);
    await db.query(
      `ALTER TEXT SEARCH CONFIGURATION verbatim_simple ALTER MAPPING FOR word, hword, hword_part WITH ${fold}simple`,
    );
    for (const config of new Set(Object.values(STEMMED_LANGUAGES))) {
      await db.query(`CREATE TEXT SEARCH CONFIGURATION verbatim_${config} (COPY = ${config})`);
      await db.query(
        `ALTER TEXT SEARCH CONFIGURATION verbatim_${config} ALTER MAPPING FOR word, hword, hword_part WITH ${fold}${config}_stem`,
      );
    }
    const cases = Object.entries(STEMMED_LANGUAGES)
      .map(([code, config]) => `WHEN '${code}' THEN 'verbatim_${config}'`)
      .join(' ');
    // immutable: a generated column may only call immutable functions; the mapping changes only by migration
    await db.query(`
      CREATE FUNCTION verbatim_search_config(language text) RETURNS regconfig
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (CASE language ${cases} ELSE 'verbatim_simple' END)::regconfig $$`);
    // The query side of one search word or "phrase": its forms under every configuration of its script (or,
    // given a language, under that language's and the plain one), OR-ed, duplicates removed. A document
    // matches when any form is in its vector. Stop words make plainto_tsquery raise a NOTICE per
    // configuration: kept from the client, where each costs a message.
    const configs = (codes: string[]) =>
      ['verbatim_simple', ...new Set(codes.map((code) => `verbatim_${STEMMED_LANGUAGES[code]}`))]
        .map((c) => `'${c}'`)
        .join(', ');
    const latin = Object.keys(STEMMED_LANGUAGES).filter((code) => !['ru', 'el', 'ar'].includes(code));
    await db.query(`
      CREATE FUNCTION verbatim_query(words text, language text, phrase boolean) RETURNS tsquery
      LANGUAGE sql STABLE PARALLEL SAFE SET client_min_messages = warning
      AS $$
        SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery
        FROM unnest(CASE WHEN language IS NOT NULL
                           THEN ARRAY['verbatim_simple', verbatim_search_config(language)::text]
                         WHEN words ~ '[\u0400-\u04FF]' THEN ARRAY[${configs(['ru'])}]
                         WHEN words ~ '[\u0370-\u03FF]' THEN ARRAY[${configs(['el'])}]
                         WHEN words ~ '[\u0600-\u06FF]' THEN ARRAY[${configs(['ar'])}]
                         WHEN words ~ '[A-Za-z\u00C0-\u024F]' THEN ARRAY[${configs(latin)}]
                         ELSE ARRAY['verbatim_simple'] END) AS c,
             LATERAL (SELECT CASE WHEN phrase THEN phraseto_tsquery(c::regconfig, words)
                                  ELSE plainto_tsquery(c::regconfig, words) END AS q) AS forms
        WHERE numnode(q) > 0
      $$`);

    await db.query(`ALTER TABLE statements ADD COLUMN language text CHECK (language ~ '^[a-z]{2,3}$')`);
    // statements captured before this migration: the language their platform gave, where it gave one
    await db.query(`
      UPDATE statements s SET language = lower(substring(v.record->>'language' FROM '^[A-Za-z]{2,3}'))
      FROM versions v
      WHERE v.statement_id = s.id AND v.number = s.latest_version AND v.record->>'language' ~ '^[A-Za-z]{2,3}($|[-_])'`);
    await db.query(`DROP INDEX statements_search`);
    await db.query(`ALTER TABLE statements DROP COLUMN search`);
    await db.query(`
      ALTER TABLE statements ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector(verbatim_search_config(language), latest_text) || to_tsvector('verbatim_simple', latest_text)
      ) STORED`);
    await db.query(`CREATE INDEX statements_search ON statements USING gin (search) WITH (fastupdate = off)`);
    // filters the search page offers, each newest first
    await db.query(`CREATE INDEX statements_language_seq ON statements (language, seq DESC)`);
    await db.query(`CREATE INDEX statements_platform_seq ON statements (platform, seq DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX statements_platform_seq`);
    await db.query(`DROP INDEX statements_language_seq`);
    await db.query(`DROP INDEX statements_search`);
    await db.query(`ALTER TABLE statements DROP COLUMN search`);
    await db.query(`ALTER TABLE statements DROP COLUMN language`);
    await db.query(`
      ALTER TABLE statements ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', latest_text)) STORED`);
    await db.query(`CREATE INDEX statements_search ON statements USING gin (search)`);
    await db.query(`DROP FUNCTION verbatim_query(text, text, boolean)`);
    await db.query(`DROP FUNCTION verbatim_search_config(text)`);
    for (const config of ['simple', ...new Set(Object.values(STEMMED_LANGUAGES))])
      await db.query(`DROP TEXT SEARCH CONFIGURATION verbatim_${config}`);
  }
}
