import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client, type QueryResult } from 'pg';
import { QueryFailedError } from 'typeorm';
import { useTestDatabase } from '@app/testing/test-database';
import { CallbackQueryClient } from './pg-client';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;

const oldSpaceUsed = () =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!.space_used_size;
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** 51 rows of 700 characters: about 36 kB of text a query */
const PAGE_SQL = `SELECT g AS n, repeat('y', 700) AS text FROM generate_series(1, 51) g`;
const PAGE_BYTES = 51 * 700;

/** How much of the old generation 100 page queries leave behind after two young-generation collections. */
async function oldSpaceLeftBy(client: Client): Promise<number> {
  for (let i = 0; i < 10; i++) await client.query(PAGE_SQL); // warm: the code is compiled, the maps are made
  gc();
  await settled();
  const before = oldSpaceUsed();
  for (let i = 0; i < 100; i++) await client.query(PAGE_SQL);
  // the first copies what is still alive within the young generation, the second promotes it
  gc({ type: 'minor' });
  await settled();
  gc({ type: 'minor' });
  await settled();
  return oldSpaceUsed() - before;
}

describe('CallbackQueryClient, the pool’s pg client', () => {
  const database = useTestDatabase();
  // each test ends its clients itself: the database is dropped in an afterAll that runs before any of ours
  const clients: Client[] = [];
  const connect = async <C extends Client>(client: C): Promise<C> => {
    clients.push(client);
    await client.connect();
    return client;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end()));
  });

  it('answers a query asked without a callback with a promise of its rows', async () => {
    const client = await connect(new CallbackQueryClient({ connectionString: database.env.databaseUrl }));
    const result: QueryResult = await client.query('SELECT $1::int + 1 AS n', [41]);
    expect(result.rows).toEqual([{ n: 42 }]);
    expect(result.rowCount).toBe(1);
    // the config object form, run twice: pg is handed a copy, so the caller's object stays as it was
    const config = { text: 'SELECT $1::text AS word', values: ['kept'] };
    expect((await client.query(config)).rows).toEqual([{ word: 'kept' }]);
    expect((await client.query(config)).rows).toEqual([{ word: 'kept' }]);
    expect(config).toEqual({ text: 'SELECT $1::text AS word', values: ['kept'] });
  });

  it('still takes a callback, as pg does', async () => {
    const client = await connect(new CallbackQueryClient({ connectionString: database.env.databaseUrl }));
    const rows = await new Promise((resolve, reject) => {
      const returned = client.query('SELECT 7 AS n', (error: Error | null, result: QueryResult) =>
        error ? reject(error) : resolve(result.rows),
      );
      expect(returned).toBeUndefined();
    });
    expect(rows).toEqual([{ n: 7 }]);
  });

  it('rejects with PostgreSQL’s error and a stack that leads back to the caller', async () => {
    const client = await connect(new CallbackQueryClient({ connectionString: database.env.databaseUrl }));
    const error = (await client.query('SELECT 1 / 0').catch((e: Error) => e)) as Error & { code?: string };
    expect(error.message).toBe('division by zero');
    expect(error.code).toBe('22012');
    expect(error.stack).toContain('pg-client.spec');
    // the connection is usable after the refusal
    expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });

  it('is the client of every DataSource pool: TypeORM’s queries and errors go through it', async () => {
    const pool = (database.db.driver as unknown as { master: { Client: unknown } }).master;
    expect(pool.Client).toBe(CallbackQueryClient);
    expect(await database.db.query('SELECT $1::int AS n', [5])).toEqual([{ n: 5 }]);
    await expect(database.db.query('SELECT 1 / 0')).rejects.toBeInstanceOf(QueryFailedError);
  });

  it('leaves results for the young generation to free, where pg’s own promise form keeps them until a full collection', async () => {
    const ours = await oldSpaceLeftBy(
      await connect(new CallbackQueryClient({ connectionString: database.env.databaseUrl })),
    );
    const pgs = await oldSpaceLeftBy(
      await connect(new Client({ connectionString: database.env.databaseUrl })),
    );
    // what the 100 pages weigh as text alone; the rows and strings around them weigh more
    const read = 100 * PAGE_BYTES;
    expect(ours).toBeLessThan(read / 4);
    // the reason this class exists; if a pg upgrade fails this line, the class may be dropped
    expect(pgs).toBeGreaterThan(read / 2);
  });
});
