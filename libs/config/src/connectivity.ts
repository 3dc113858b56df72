import { Client } from 'pg';
import Redis from 'ioredis';
import { type VerbatimConfig } from './config';

/** Where a database URL points, as messages name it: the database and its server. */
export function databaseLocation(databaseUrl: string): { name: string; where: string } {
  const target = new URL(databaseUrl);
  return {
    name: decodeURIComponent(target.pathname.replace(/^\//, '')),
    where: `${target.hostname}:${target.port || 5432}`,
  };
}

/** Connects to PostgreSQL once: whether the database exists; an error naming DATABASE_URL when the server cannot be used. */
export async function probeDatabase(databaseUrl: string): Promise<'exists' | 'missing'> {
  const { where } = databaseLocation(databaseUrl);
  const probe = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return 'exists';
  } catch (error) {
    const err = error as { code?: string; message: string };
    // 3D000: invalid_catalog_name, the server is there but the database is not
    if (err.code === '3D000') return 'missing';
    throw new Error(
      `DATABASE_URL: cannot connect to ${where} (${err.code ?? err.message}) — is PostgreSQL running and does it accept this user?`,
    );
  } finally {
    await probe.end().catch(() => undefined);
  }
}

/** Connects to PostgreSQL; creates the database when the server is there but the database is not. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  if ((await probeDatabase(databaseUrl)) === 'exists') return;
  const { name, where } = databaseLocation(databaseUrl);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    const err = error as { code?: string; message: string };
    if (err.code !== '42P04')
      throw new Error(`DATABASE_URL: cannot create database "${name}" on ${where}: ${err.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const where = `${url.hostname}:${url.port || 6379}`;
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `REDIS_URL: cannot connect to ${where} (${(error as Error).message}) — is Redis running?`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Checks both stores answer before anything else starts, so the first error a person sees says what to fix. */
export async function checkConnectivity(config: VerbatimConfig): Promise<void> {
  await ensureDatabase(config.databaseUrl);
  await checkRedis(config.redisUrl);
}
