import { type DataSource } from 'typeorm';
import { createDataSource } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from './test-environment';

export interface TestDatabase {
  /** the open data source (two connections); read it in hooks and tests, after this file's first beforeAll */
  readonly db: DataSource;
  readonly env: TestEnvironment;
}

/**
 * A migrated throwaway database for the tests of one `describe`: created and opened before them, closed and
 * dropped after. Hooks the caller adds later run after the database is open.
 */
export function useTestDatabase(): TestDatabase {
  let env: TestEnvironment | undefined;
  let db: DataSource | undefined;
  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDatabase: read before its beforeAll ran');
    return value;
  };
  return {
    get db() {
      return opened(db);
    },
    get env() {
      return opened(env);
    },
  };
}
