import { type DataSource } from 'typeorm';
import { ENTITIES, createDataSource } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';

/** PostgreSQL's name (information_schema udt_name) for the column types our entities declare. */
const UDT: Record<string, string> = {
  text: 'text',
  uuid: 'uuid',
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  boolean: 'bool',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
  bytea: 'bytea',
  tsvector: 'tsvector',
};

/** Columns only raw SQL reads, of types TypeORM has no name for: events.xid (xid8) orders the outbox. */
const NOT_MAPPED: Record<string, string[]> = { events: ['xid'] };

interface DbColumn {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

/** The entities are a second description of the tables the migrations make: they must not drift apart. */
describe('entities and migrations agree', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let columns: DbColumn[];

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 1 });
    await db.initialize();
    columns = await db.query(
      `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });

  it.each(ENTITIES.map((entity) => [entity.name, entity]))(
    '%s maps every column of its table, as declared',
    (_, entity) => {
      const metadata = db.getMetadata(entity);
      const table = columns.filter(
        (c) => c.table_name === metadata.tableName && !NOT_MAPPED[c.table_name]?.includes(c.column_name),
      );
      expect(table.length).toBeGreaterThan(0);
      const declared = metadata.columns.map((column) => {
        const type = String(typeof column.type === 'function' ? column.type.name : column.type).toLowerCase();
        return {
          column: column.databaseName,
          udt: `${column.isArray ? '_' : ''}${UDT[type] ?? type}`,
          nullable: column.isNullable,
        };
      });
      const actual = table.map((c) => ({
        column: c.column_name,
        udt: c.udt_name,
        nullable: c.is_nullable === 'YES',
      }));
      const byName = (a: { column: string }, b: { column: string }) => a.column.localeCompare(b.column);
      expect(declared.sort(byName)).toEqual(actual.sort(byName));
    },
  );
});
