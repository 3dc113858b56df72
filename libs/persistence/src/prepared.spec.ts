import { useTestDatabase } from '@app/testing/test-database';
import { isDataException } from './data-exception';
import { createDataSource, databaseWarnings } from './data-source';
import { runPrepared } from './prepared';

/** Named prepared statements, against a real database. */
describe('runPrepared, and the database settings it relies on', () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    await database.db.query(`CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)`);
  });

  const insert = `INSERT INTO notes (id, body) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id`;

  it('prepares a statement once per connection and runs it again by name', async () => {
    // one connection throughout: a transaction's
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 8; i++) {
        const { rows, rowCount } = await runPrepared<{ id: number }>(tx, insert, [[i], [`note ${i}`]]);
        expect(rows).toEqual([{ id: i }]);
        expect(rowCount).toBe(1);
      }
      const prepared: { name: string }[] = await tx.query(
        `SELECT name FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO notes%'`,
      );
      expect(prepared).toEqual([{ name: expect.stringMatching(/^verbatim_[0-9a-f]{24}$/) }]);
    });
    expect(await database.db.query(`SELECT count(*)::int AS n FROM notes WHERE id < 8`)).toEqual([{ n: 8 }]);
  });

  it('runs inside the caller’s transaction, on its connection', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await runPrepared(tx, insert, [[100], ['inside']]);
        // the transaction sees its own row
        expect(await tx.query(`SELECT body FROM notes WHERE id = 100`)).toEqual([{ body: 'inside' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await database.db.query(`SELECT body FROM notes WHERE id = 100`)).toEqual([]);
  });

  it('throws what TypeORM throws, and keeps the connection and its statements', async () => {
    // one pooled connection, so the run after the failure shows what became of it
    const single = createDataSource(database.env.databaseUrl, { poolSize: 1 });
    await single.initialize();
    try {
      const session = `SELECT pg_backend_pid() AS pid, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`;
      await runPrepared(single.manager, insert, [[200], ['before']]);
      const before = await runPrepared(single.manager, session, []);
      const failure = await runPrepared(single.manager, insert, [[201], ['a NUL \u0000 here']]).catch(
        (error: unknown) => error,
      );
      expect(isDataException(failure)).toBe(true);
      // the same connection, with the statements it had prepared
      expect((await runPrepared(single.manager, session, [])).rows).toEqual(before.rows);
      await expect(runPrepared(single.manager, insert, [[202], ['after']])).resolves.toEqual({
        rows: [{ id: 202 }],
        rowCount: 1,
      });
    } finally {
      await single.destroy();
    }
  });

  it('gives up a connection whose prepared statement went stale, so the next run prepares it afresh', async () => {
    const single = createDataSource(database.env.databaseUrl, { poolSize: 1 });
    await single.initialize();
    try {
      await single.query(`CREATE TABLE drafts (id int PRIMARY KEY, words int NOT NULL)`);
      await single.query(`INSERT INTO drafts VALUES (1, 7)`);
      const read = `SELECT words FROM drafts WHERE id = $1`;
      expect((await runPrepared(single.manager, read, [1])).rows).toEqual([{ words: 7 }]);
      // a migration changes the type of a column the statement returns: its plan must not change result type
      await single.query(`ALTER TABLE drafts ALTER COLUMN words TYPE text`);
      const outdated = await runPrepared(single.manager, read, [1]).catch((error: unknown) => error);
      expect((outdated as { driverError?: { code?: string } }).driverError?.code).toBe('0A000');
      expect((await runPrepared(single.manager, read, [1])).rows).toEqual([{ words: '7' }]);
      // a DISCARD ALL (a pooler's reset) forgets every statement the driver believes prepared
      await single.query('DISCARD ALL');
      const gone = await runPrepared(single.manager, read, [1]).catch((error: unknown) => error);
      expect((gone as { driverError?: { code?: string } }).driverError?.code).toBe('26000');
      expect((await runPrepared(single.manager, read, [1])).rows).toEqual([{ words: '7' }]);
    } finally {
      await single.destroy();
    }
  });

  it('warns the operator when autovacuum is off, and only then', async () => {
    const [{ autovacuum }]: { autovacuum: string }[] = await database.db.query(`SHOW autovacuum`);
    const warnings = await databaseWarnings(database.db);
    if (autovacuum === 'on') expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringContaining('autovacuum off')]);
  });
});
