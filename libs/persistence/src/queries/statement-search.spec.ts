import { ErrorCode } from '@app/core';
import { useTestDatabase } from '@app/testing/test-database';
import { type SearchPlan } from './search-plan';
import { listStatements, searchStatementsWithPlan, type StatementFilter } from './statement.queries';

/** Search on a real database: stemming per language, accents, syntax, filters, snippets, and every plan. */
describe('statement search (on a real database)', () => {
  const database = useTestDatabase();
  let accountId: string;

  beforeAll(async () => {
    [{ id: accountId }] = await database.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       VALUES ('mastodon', 'mfa@diplo.example', '1', 'Ministry', 'https://diplo.example/@mfa', 'https://diplo.example', true, 300)
       RETURNING id`,
    );
  });
  beforeEach(() => database.db.query('DELETE FROM statements'));

  /** Inserts statements in order (seq ascending) and returns their ids. */
  async function insert(
    rows: { text: string; language?: string | null; platform?: string }[],
  ): Promise<string[]> {
    const inserted: { id: string }[] = await database.db.query(
      `INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at,
                               latest_version, latest_text, language)
       SELECT p, n::text, $1, 'https://diplo.example/@mfa/' || n, now(), now(), now(), 1, t, l
       FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(t, l, p, n)
       ORDER BY n
       RETURNING id`,
      [
        accountId,
        rows.map((r) => r.text),
        rows.map((r) => r.language ?? null),
        rows.map((r) => r.platform ?? 'mastodon'),
      ],
    );
    return inserted.map((r) => r.id);
  }

  async function texts(q: string, filter: Partial<StatementFilter> = {}): Promise<string[]> {
    const page = await listStatements(database.db.manager, { q, limit: 50, ...filter });
    return page.items.map((i) => i.text);
  }

  it('finds other word forms in the statement’s language (Russian, English, French, German, Spanish)', async () => {
    await insert([
      { text: 'Министр иностранных дел провёл переговоры', language: 'ru' },
      { text: 'Заявление министра о санкциях', language: 'ru' },
      { text: 'The ministers discussed sanctions', language: 'en' },
      { text: 'Les ministres se sont entretenus', language: 'fr' },
      { text: 'Die Gespräche der Außenministerin', language: 'de' },
      { text: 'Los acuerdos con el ministro', language: 'es' },
    ]);
    expect(await texts('министра')).toEqual([
      'Заявление министра о санкциях',
      'Министр иностранных дел провёл переговоры',
    ]);
    expect(await texts('переговор')).toEqual(['Министр иностранных дел провёл переговоры']);
    expect(await texts('minister')).toEqual(['The ministers discussed sanctions']);
    // without a language, a word takes its forms in every language (English "ministers" stems like "ministre")
    expect(await texts('ministre')).toContain('Les ministres se sont entretenus');
    expect(await texts('ministre', { language: 'fr' })).toEqual(['Les ministres se sont entretenus']);
    expect(await texts('gespräch')).toEqual(['Die Gespräche der Außenministerin']);
    expect(await texts('acuerdo')).toEqual(['Los acuerdos con el ministro']);
    // a word that is not in any statement in any form
    expect(await texts('ambassador')).toEqual([]);
  });

  it('matches Ukrainian exactly as written and by prefix (PostgreSQL has no Ukrainian stemmer)', async () => {
    await insert([
      { text: 'Міністр закордонних справ України', language: 'uk' },
      { text: 'Заява міністра щодо безпеки', language: 'uk' },
    ]);
    expect(await texts('міністра')).toEqual(['Заява міністра щодо безпеки']);
    expect(await texts('міністр*')).toEqual([
      'Заява міністра щодо безпеки',
      'Міністр закордонних справ України',
    ]);
  });

  it('ignores case and accents on both sides', async () => {
    await insert([
      { text: 'Ministère des Affaires étrangères', language: 'fr' },
      { text: 'Rencontre avec le PRÉSIDENT', language: 'fr' },
      { text: 'Nothing related here', language: 'en' },
    ]);
    expect(await texts('etrangeres')).toEqual(['Ministère des Affaires étrangères']);
    expect(await texts('ÉTRANGÈRES')).toEqual(['Ministère des Affaires étrangères']);
    expect(await texts('president')).toEqual(['Rencontre avec le PRÉSIDENT']);
  });

  it('finds a word typed decomposed (и and a combining breve) as its composed form, by word and by prefix', async () => {
    await insert([{ text: 'Нові пакети санкцій проти агресора', language: 'uk' }]);
    const decomposed = 'санкцій'.normalize('NFD');
    expect(decomposed).not.toBe('санкцій');
    expect(await texts(decomposed)).toEqual(['Нові пакети санкцій проти агресора']);
    expect(await texts(`"пакети ${decomposed}"`)).toEqual(['Нові пакети санкцій проти агресора']);
    expect(await texts(`${decomposed}*`)).toEqual(['Нові пакети санкцій проти агресора']);
  });

  it('supports "phrases", prefix*, -exclusion and OR', async () => {
    await insert([
      { text: 'The foreign minister met the press', language: 'en' },
      { text: 'The minister of foreign trade spoke', language: 'en' },
      { text: 'Sanctions against the banking sector', language: 'en' },
      { text: 'Support for the energy sector', language: 'en' },
    ]);
    expect(await texts('"foreign minister"')).toEqual(['The foreign minister met the press']);
    expect(await texts('foreign minister')).toEqual([
      'The minister of foreign trade spoke',
      'The foreign minister met the press',
    ]);
    expect(await texts('bank*')).toEqual(['Sanctions against the banking sector']);
    expect(await texts('sector -energy')).toEqual(['Sanctions against the banking sector']);
    expect(await texts('banking OR energy')).toEqual([
      'Support for the energy sector',
      'Sanctions against the banking sector',
    ]);
  });

  it('refuses queries it cannot run with a message that says what to fix', async () => {
    const refused = (q: string) => listStatements(database.db.manager, { q, limit: 50 });
    await expect(refused('mi*')).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringContaining('at least 3 letters'),
    });
    await expect(refused('-energy')).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringContaining('not -excluded'),
    });
    await expect(refused('?! …')).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(refused(Array.from({ length: 17 }, (_, i) => `w${i}`).join(' '))).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
  });

  it('filters by platform and language, with and without a search', async () => {
    await insert([
      { text: 'sanctions announced', language: 'en', platform: 'mastodon' },
      { text: 'sanctions announced again', language: 'en', platform: 'feed' },
      { text: 'санкции объявлены', language: 'ru', platform: 'feed' },
    ]);
    expect(await texts('sanctions', { platform: 'feed' })).toEqual(['sanctions announced again']);
    expect(
      (await listStatements(database.db.manager, { limit: 50, language: 'ru' })).items.map((i) => i.text),
    ).toEqual(['санкции объявлены']);
    expect((await listStatements(database.db.manager, { limit: 50, platform: 'feed' })).items).toHaveLength(
      2,
    );
    const [item] = (await listStatements(database.db.manager, { limit: 1, language: 'ru' })).items;
    expect(item.language).toBe('ru');
  });

  it('gives escaped snippets with <mark> around the matches, only when asked', async () => {
    await insert([
      { text: 'Warning <script>alert("x")</script> 1 < 2 & sanctions on "banks"', language: 'en' },
    ]);
    const [plain] = (await listStatements(database.db.manager, { q: 'sanctions', limit: 10 })).items;
    expect(plain.snippet).toBeUndefined();
    const [item] = (
      await listStatements(database.db.manager, { q: 'sanctions', limit: 10, withSnippets: true })
    ).items;
    expect(item.snippet).toContain('<mark>sanctions</mark>');
    // ts_headline drops what looks like a tag; whatever text is left is escaped
    expect(item.snippet).not.toContain('<script');
    expect(item.snippet).toContain('alert(&quot;x&quot;)');
    expect(item.snippet).toContain('1 &lt; 2 &amp;');
    expect(item.snippet!.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    // a stop word of the statement's language is still marked, as written
    const [stop] = (await listStatements(database.db.manager, { q: 'on', limit: 10, withSnippets: true }))
      .items;
    expect(stop.snippet).toContain('<mark>on</mark>');
  });

  it('returns the same pages as the plain query with every plan, across pages', async () => {
    // a generated archive: words by Zipf's law, so terms range from common to rare to absent
    const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows = Array.from({ length: 3000 }, () => ({
      text: Array.from(
        { length: 8 },
        () => vocabulary[Math.floor(Math.exp(random() * Math.log(400))) - 1],
      ).join(' '),
      language: 'en',
    }));
    await insert(rows);
    await database.db.query('ANALYZE statements');
    const plans: SearchPlan[] = [
      { kind: 'walk', window: 40 },
      { kind: 'walk', window: 3000 },
      { kind: 'window', window: 25 },
      { kind: 'window', window: 700 },
      { kind: 'collect', window: 0 },
    ];
    for (const q of ['w0x', 'w5x', 'w2ax', 'wa0x', 'absentx', 'w1x w3x', '"w0x w1x"', 'w2a* -w0x']) {
      const expected: string[] = (
        await database.db.query(
          `SELECT s.id FROM statements s
           WHERE s.search @@ (SELECT string_agg('(' || q::text || ')', ' & ')::tsquery FROM (VALUES ($1::tsquery)) v(q))
           ORDER BY s.seq DESC`,
          [plainQuery(q)],
        )
      ).map((r: { id: string }) => r.id);
      // each fixed plan; the per-query plan of a search between dates (every statement here is in them); the
      // block search, unfiltered and with filter words that every statement here has
      for (const plan of [...plans, 'dated', 'blocks', 'filter words'] as const) {
        const found: string[] = [];
        let cursor: string | undefined;
        do {
          const filter = { q, limit: 20, cursor };
          const page =
            plan === 'blocks'
              ? await listStatements(database.db.manager, filter)
              : plan === 'dated'
                ? await listStatements(database.db.manager, { ...filter, since: new Date(0) })
                : plan === 'filter words'
                  ? await listStatements(database.db.manager, {
                      ...filter,
                      status: 'active',
                      platform: 'mastodon',
                      accountId,
                    })
                  : await searchStatementsWithPlan(database.db.manager, filter, plan);
          found.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect({ q, plan, found }).toEqual({ q, plan, found: expected });
      }
    }
  });

  it('finds the same pages block by block when capture order spans every block level', async () => {
    // statements far apart in capture order (seq up to ~4.4M), so a search crosses blocks of every level from
    // 2^10 to 2^20 and, for the rarest words, collects what is left below them
    const vocabulary = Array.from({ length: 300 }, (_, i) => `vo${i.toString(36)}q`);
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const texts = Array.from({ length: 2500 }, () =>
      Array.from({ length: 6 }, () => vocabulary[Math.floor(Math.exp(random() * Math.log(300))) - 1]).join(
        ' ',
      ),
    );
    // gaps growing towards the newest (ever sparser blocks), then the newest 400 statements one after another
    const sparse = 2100;
    const seqs = texts.map((_, i) => (i < sparse ? 1 + i + i * i : sparse * sparse + i));
    await database.db.query(
      `INSERT INTO statements (seq, platform, external_id, account_id, url, authored_at, first_captured_at,
                               last_seen_at, latest_version, latest_text, language)
       OVERRIDING SYSTEM VALUE
       SELECT q, 'mastodon', 'b' || n, $1, 'https://diplo.example/@mfa/b' || n, now(), now(), now(), 1, t, 'en'
       FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS u(t, q, n)`,
      [accountId, texts, seqs],
    );
    const [{ top }]: { top: string }[] = await database.db.query(`SELECT max(seq) AS top FROM statements`);
    expect(Number(top)).toBeGreaterThan(2 ** 22);
    const queries = [
      ...['vo0q', 'vo3q', 'vo1aq', 'vo7aq', 'vo7bq', 'absentq'],
      ...['vo1q vo2q', '"vo0q vo1q"', 'vo1* -vo0q', 'vo5q OR vo8q'],
    ];
    // pages are followed until this many statements were found (a page of one is a round trip each)
    const enough = 120;
    for (const q of queries) {
      const expected: string[] = (
        await database.db.query(
          `SELECT s.id FROM statements s WHERE s.search @@ $1::tsquery ORDER BY s.seq DESC`,
          [blockQuery(q)],
        )
      ).map((r: { id: string }) => r.id);
      for (const limit of [1, 7, 50]) {
        const found: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await listStatements(database.db.manager, { q, limit, cursor });
          found.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor && found.length < enough);
        expect({ q, limit, found }).toEqual({ q, limit, found: expected.slice(0, found.length) });
        expect(found.length).toBeGreaterThanOrEqual(Math.min(expected.length, enough));
      }
    }
    // cursors a client made up: on block edges, between statements, past the newest, below the oldest
    const matches: { id: string; seq: string }[] = await database.db.query(
      `SELECT s.id, s.seq FROM statements s WHERE s.search @@ 'vo3q'::tsquery ORDER BY s.seq DESC`,
    );
    for (const cursor of ['1024', '65536', '1048577', '3000001', '9000000000000000000', '1']) {
      const page = await listStatements(database.db.manager, { q: 'vo3q', limit: 7, cursor });
      const below = matches.filter((m) => BigInt(m.seq) < BigInt(cursor)).map((m) => m.id);
      expect({ cursor, found: page.items.map((i) => i.id) }).toEqual({ cursor, found: below.slice(0, 7) });
    }
  });

  it('filters a search by account, platform, status and language, in the blocks and between dates, as the plain query does', async () => {
    const [{ id: otherAccount }]: { id: string }[] = await database.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       VALUES ('feed', 'press@gov.example', '2', 'Press office', 'https://gov.example/press', 'https://gov.example', true, 300)
       RETURNING id`,
    );
    const vocabulary = Array.from({ length: 200 }, (_, i) => `fi${i.toString(36)}q`);
    let seed = 5;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
    // spread over seq up to ~3.6M as in the block test, so filtered searches cross every level and the collect
    const rows = Array.from({ length: 2200 }, (_, i) => ({
      seq: i < 1900 ? 1 + i + i * i : 1900 * 1900 + i,
      text: Array.from(
        { length: 6 },
        () => vocabulary[Math.floor(Math.exp(random() * Math.log(200))) - 1],
      ).join(' '),
      account: random() < 0.2 ? otherAccount : accountId,
      platform: random() < 0.3 ? 'feed' : 'mastodon',
      language: pick(['en', 'en', 'de', null]),
      status: random() < 0.1 ? 'deleted' : 'active',
    }));
    await database.db.query(
      `INSERT INTO statements (seq, platform, external_id, account_id, url, authored_at, first_captured_at,
                               last_seen_at, latest_version, latest_text, language, status, status_changed_at)
       OVERRIDING SYSTEM VALUE
       SELECT q, p, 'f' || q, a, 'https://diplo.example/f' || q, now(), now(), now(), 1, t, l, st,
              CASE WHEN st = 'active' THEN NULL ELSE now() END
       FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS u(q, t, a, p, l, st)`,
      [
        rows.map((r) => r.seq),
        rows.map((r) => r.text),
        rows.map((r) => r.account),
        rows.map((r) => r.platform),
        rows.map((r) => r.language),
        rows.map((r) => r.status),
      ],
    );
    const filterWords: Partial<StatementFilter>[] = [
      { accountId: otherAccount },
      // a uuid as a client may write it
      { accountId: otherAccount.toUpperCase() },
      { platform: 'feed' },
      { status: 'deleted' },
      { language: 'de' },
      { accountId, platform: 'feed', status: 'active' },
      { platform: 'x' },
    ];
    // each also between dates that keep every statement: the per-query plan, its first walk along the filter's index
    const filters = filterWords.flatMap((filter) => [filter, { ...filter, since: new Date(0) }]);
    const queries = ['fi0q', 'fi3q', 'fi1aq', 'absentq', 'fi1q fi2q', 'fi1* -fi0q'];
    const handWritten: Record<string, string> = { 'fi1q fi2q': 'fi1q & fi2q', 'fi1* -fi0q': 'fi1:* & !fi0q' };
    for (const filter of filters)
      for (const q of queries) {
        const expected: string[] = (
          await database.db.query(
            `SELECT s.id FROM statements s
             WHERE s.search @@ $1::tsquery AND ($2::uuid IS NULL OR s.account_id = $2) AND ($3::text IS NULL OR s.platform = $3)
               AND ($4::text IS NULL OR s.status = $4) AND ($5::text IS NULL OR s.language = $5)
             ORDER BY s.seq DESC`,
            [
              handWritten[q] ?? q,
              filter.accountId ?? null,
              filter.platform ?? null,
              filter.status ?? null,
              filter.language ?? null,
            ],
          )
        ).map((r: { id: string }) => r.id);
        for (const limit of [3, 50]) {
          const found: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await listStatements(database.db.manager, { ...filter, q, limit, cursor });
            found.push(...page.items.map((i) => i.id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor && found.length < 60);
          expect({ filter, q, limit, found }).toEqual({
            filter,
            q,
            limit,
            found: expected.slice(0, Math.max(found.length, Math.min(expected.length, 60))),
          });
        }
      }
    // between dates, a filter with fewer statements than the first walk (20 per row wanted) is searched whole in
    // that walk, along its own index: one round trip, however rare the word (and, for an account, one more for the
    // web pages it saw that another account holds)
    const [{ count: others }]: { count: string }[] = await database.db.query(
      `SELECT count(*) FROM statements WHERE account_id = $1`,
      [otherAccount],
    );
    expect(Number(others)).toBeLessThan(20 * 51);
    for (const q of ['absentq', 'fi1aq', 'fi0q']) {
      const queries: string[] = [];
      const manager = database.db.manager;
      const counting = Object.assign(Object.create(manager) as typeof manager, {
        query: (sql: string, params?: unknown[]) => {
          queries.push(sql);
          return manager.query(sql, params);
        },
      });
      const page = await listStatements(counting, {
        q,
        accountId: otherAccount,
        since: new Date(0),
        limit: 50,
      });
      const ownRoundTrips = queries.filter((sql) => !sql.includes('statement_sightings')).length;
      expect({ q, ownRoundTrips, roundTrips: queries.length }).toEqual({
        q,
        ownRoundTrips: 1,
        roundTrips: 2,
      });
      expect(page.items.length).toBeLessThanOrEqual(50);
    }

    // a statement whose status changes is found under its new status at once (the words are generated)
    const [deleted] = (await listStatements(database.db.manager, { q: 'fi0q', status: 'deleted', limit: 1 }))
      .items;
    await database.db.query(
      `UPDATE statements SET status = 'active', status_changed_at = now() WHERE id = $1`,
      [deleted.id],
    );
    const after = await listStatements(database.db.manager, { q: 'fi0q', status: 'deleted', limit: 50 });
    expect(after.items.map((i) => i.id)).not.toContain(deleted.id);
    const active = await listStatements(database.db.manager, { q: 'fi0q', status: 'active', limit: 50 });
    expect(active.items.map((i) => i.id)).toContain(deleted.id);
  });

  it('walks an account’s own statements first, finding the matches on every walk’s edge, with dates or without', async () => {
    const [{ id: small }]: { id: string }[] = await database.db.query(
      `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking, poll_interval_seconds)
       VALUES ('mastodon', 'embassy@diplo.example', '3', 'Embassy', 'https://diplo.example/@embassy', 'https://diplo.example', true, 300)
       RETURNING id`,
    );
    // the account walked has 300 statements, between 3 others' each; a page of one wants two rows, so a walk
    // reads 40 of the account's statements: every 40th of them, counted from the newest, is a match
    const rows = Array.from({ length: 1200 }, (_, i) => {
      const own = i % 4 === 0;
      const fromNewest = (1200 - i) / 4;
      return {
        account: own ? accountId : small,
        text: own && fromNewest % 40 === 0 ? 'edge note' : 'other news',
      };
    });
    // and the small account's 30 newest statements (it has the 900 between the other's too), every 7th a match
    rows.push(
      ...Array.from({ length: 30 }, (_, i) => ({ account: small, text: i % 7 === 0 ? 'edge note' : 'more' })),
    );
    await database.db.query(
      `INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at,
                               last_seen_at, latest_version, latest_text, language)
       SELECT 'mastodon', 'e' || n, a, 'https://diplo.example/e' || n, now(), now(), now(), 1, t, 'en'
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS u(a, t, n) ORDER BY n`,
      [rows.map((r) => r.account), rows.map((r) => r.text)],
    );
    for (const account of [accountId, small]) {
      const expected: string[] = (
        await database.db.query(
          `SELECT id FROM statements WHERE account_id = $1 AND latest_text = 'edge note' ORDER BY seq DESC`,
          [account],
        )
      ).map((r: { id: string }) => r.id);
      expect(expected.length).toBeGreaterThanOrEqual(5);
      // a word, and a prefix (walked on where its matches are sparse); between dates too, where the first walk
      // goes along the account's index as well (20 statements per row wanted: for the first account, the first
      // walk of every page ends on a match)
      for (const q of ['edge', 'edg*'])
        for (const since of [undefined, new Date(0)])
          for (const limit of [1, 3]) {
            const found: string[] = [];
            let cursor: string | undefined;
            do {
              const page = await listStatements(database.db.manager, {
                q,
                accountId: account,
                since,
                limit,
                cursor,
              });
              found.push(...page.items.map((i) => i.id));
              cursor = page.nextCursor ?? undefined;
            } while (cursor);
            expect({ account, q, since, limit, found }).toEqual({
              account,
              q,
              since,
              limit,
              found: expected,
            });
          }
      // the function itself, called as the list query calls it
      const direct: { id: string }[] = await database.db.query(
        `SELECT id FROM verbatim_search('edge'::tsquery, $1, NULL, NULL, NULL, NULL, 100, false)`,
        [account],
      );
      expect(direct.map((r) => r.id)).toEqual(expected);
    }
    // the signature of the previous version, for its processes still running during an upgrade
    const everywhere: { id: string }[] = await database.db.query(
      `SELECT s.id FROM statements s WHERE s.latest_text = 'edge note' ORDER BY s.seq DESC`,
    );
    const old: { id: string }[] = await database.db.query(
      `SELECT id FROM verbatim_search('edge'::tsquery, NULL, 100, false)`,
    );
    expect(old.map((r) => r.id)).toEqual(everywhere.map((r) => r.id));
  });

  // 50 matches among the newest statements and one 2M statements older: after the first block the page (limit
  // 50, so 51 wanted) lacks one match at a density that suggests small blocks; the search must not creep down in
  // them. Newest at 3,000,000, and just past a 2^22 boundary, where every level starts with a partial block.
  it.each([3_000_000, 4_193_536])(
    'reads a bounded number of blocks when the page fills early but for one match far older (newest at %i)',
    async (top) => {
      const newest = Array.from({ length: 50 }, (_, i) => ({ seq: top + i, text: 'sanctions today' }));
      const fillers = Array.from({ length: 200 }, (_, i) => ({
        seq: top - 100_000 + i * 400,
        text: 'other news',
      }));
      const rows = [{ seq: top - 2_000_000, text: 'sanctions then' }, ...fillers, ...newest];
      await database.db.query(
        `INSERT INTO statements (seq, platform, external_id, account_id, url, authored_at, first_captured_at,
                                 last_seen_at, latest_version, latest_text, language)
         OVERRIDING SYSTEM VALUE
         SELECT q, 'mastodon', 'far' || q, $1, 'https://diplo.example/@mfa/far' || q, now(), now(), now(), 1, t, 'en'
         FROM unnest($2::text[], $3::bigint[]) AS u(t, q)`,
        [accountId, rows.map((r) => r.text), rows.map((r) => r.seq)],
      );
      const { page, scans } = await database.db.transaction(async (db) => {
        // each block is one scan of the search index (which a table this small would skip for a seq scan)
        await db.query(`SET LOCAL enable_seqscan = off`);
        const scansSoFar = async () =>
          Number(
            (await db.query(`SELECT pg_stat_get_xact_numscans('statements_search'::regclass) AS n`))[0].n,
          );
        const before = await scansSoFar();
        const found = await listStatements(db, { q: 'sanctions', limit: 50 });
        return { page: found, scans: (await scansSoFar()) - before };
      });
      expect(page.items).toHaveLength(50);
      expect(page.nextCursor).toBe(String(top));
      // a block at every level on the way down, through the index (a plan that skipped it would count none);
      // 14 at most over the six levels and the collect (146 and 17 with earlier rules)
      expect(scans).toBeGreaterThanOrEqual(6);
      expect(scans).toBeLessThanOrEqual(14);
    },
  );
});

/** The block test's queries as tsqueries, written by hand (plain ASCII words with no stem). */
function blockQuery(q: string): string {
  const known: Record<string, string> = {
    'vo1q vo2q': 'vo1q & vo2q',
    '"vo0q vo1q"': 'vo0q <-> vo1q',
    'vo1* -vo0q': 'vo1:* & !vo0q',
    'vo5q OR vo8q': 'vo5q | vo8q',
  };
  return known[q] ?? q;
}

/** The generated words are plain ASCII with no stem: the tsquery the same search means, written by hand. */
function plainQuery(q: string): string {
  const known: Record<string, string> = {
    'w1x w3x': 'w1x & w3x',
    '"w0x w1x"': 'w0x <-> w1x',
    'w2a* -w0x': 'w2a:* & !w0x',
  };
  return known[q] ?? q;
}
