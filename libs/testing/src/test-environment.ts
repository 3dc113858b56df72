import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { loadConfig, type VerbatimConfig } from '@app/config';
import { createDataSource, runMigrations } from '@app/persistence';
import { deleteQueueKeys } from '@app/queues';

const ADMIN_URL = process.env.VERBATIM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.VERBATIM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnvironment {
  /** a throwaway database, migrated */
  databaseUrl: string;
  redisUrl: string;
  /** a Redis key prefix no other run uses */
  queuePrefix: string;
  /** configuration for an app on this environment; `env` overrides any variable */
  config(env?: Record<string, string>): VerbatimConfig;
  /** environment variables for a child process on this environment */
  env(env?: Record<string, string>): Record<string, string>;
  /** drops the database and deletes the Redis keys */
  destroy(): Promise<void>;
}

/**
 * A throwaway PostgreSQL database and Redis key prefix for one test file. Real services, never mocks:
 * each run creates its own and removes it afterwards.
 */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const id = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const dbName = `verbatim_test_${id}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();

  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${dbName}`;
  const dataSource = createDataSource(databaseUrl.toString(), { poolSize: 2 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  const queuePrefix = `verbatim-test-${id}`;
  const baseEnv: Record<string, string> = {
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL,
    VERBATIM_QUEUE_PREFIX: queuePrefix,
    VERBATIM_ALLOW_PRIVATE_NETWORKS: 'true',
    // no internet here: a test that wants the push path points it at a fake Jetstream
    VERBATIM_BLUESKY_JETSTREAM_URL: '',
    VERBATIM_MIN_POLL_INTERVAL_SECONDS: '1',
    VERBATIM_SCHEDULER_TICK_MS: '100',
    VERBATIM_RETRY_BASE_SECONDS: '1',
    VERBATIM_HTTP_TIMEOUT_MS: '3000',
    VERBATIM_HTTP_CONNECT_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'warn',
    PORT: '0',
  };
  return {
    databaseUrl: baseEnv.DATABASE_URL,
    redisUrl: REDIS_URL,
    queuePrefix,
    config: (env = {}) => loadConfig({ ...baseEnv, ...env }),
    env: (env = {}) => ({ ...baseEnv, ...env }),
    async destroy() {
      const redis = new Redis(REDIS_URL);
      await deleteQueueKeys(redis, queuePrefix);
      await redis.quit();
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await client.end();
    },
  };
}
