import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';

/**
 * One PostgreSQL connection outside the shared pool: connected when first used, and again after any error. Queries
 * run one after another, each sent once the one before has settled: queued on the connection itself, a query
 * behind one that failed (one PostgreSQL cancelled past its timeout) failed with it, "Connection terminated", as
 * the failure dropped the connection.
 */
class OwnConnection {
  private open: { client: Client; ready: Promise<Client> } | null = null;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: ClientConfig) {}

  query<T>(sql: string, params?: unknown[]): Promise<T> {
    const run = this.last.catch(() => undefined).then(() => this.queryNow<T>(sql, params));
    this.last = run;
    return run;
  }

  private async queryNow<T>(sql: string, params?: unknown[]): Promise<T> {
    const open = (this.open ??= this.connect());
    const client = await open.ready;
    try {
      return (await client.query(sql, params)).rows as T;
    } catch (error) {
      this.forget(client);
      throw error;
    }
  }

  async close(): Promise<void> {
    const open = this.open;
    this.open = null;
    await open?.ready.then((client) => client.end()).catch(() => undefined);
  }

  private connect(): { client: Client; ready: Promise<Client> } {
    const client = new Client(this.config);
    client.on('error', () => this.forget(client));
    const ready = client.connect().then(
      () => client,
      (error: unknown) => {
        this.forget(client);
        throw error;
      },
    );
    return { client, ready };
  }

  /** Drops a connection that failed; a query queued behind the failure on it must not drop its successor. */
  private forget(client: Client): void {
    if (this.open?.client === client) this.open = null;
    void client.end().catch(() => undefined);
  }
}

/** How long PostgreSQL lets a read for /metrics run before it cancels it (a scrape answers without it). */
export const METRICS_READ_TIMEOUT_MS = 1000;

/**
 * The database side of /health and /metrics, on connections of their own. Through the shared pool a check would
 * wait behind busy capture transactions and report a loaded archive as an unhealthy one, and a read given up on
 * would still hold its place in the pool's queue, one more with every scrape, until a connection came free.
 */
@Injectable()
export class DatabaseProbe implements OnApplicationShutdown {
  private readonly health: OwnConnection;
  /** PostgreSQL ends a read that runs too long itself, so no abandoned query keeps working after its scrape */
  private readonly reads: OwnConnection;

  constructor(@Inject(VERBATIM_CONFIG) config: VerbatimConfig) {
    this.health = new OwnConnection({
      connectionString: config.databaseUrl,
      application_name: 'verbatim-health',
      connectionTimeoutMillis: 2000,
    });
    this.reads = new OwnConnection({
      connectionString: config.databaseUrl,
      application_name: 'verbatim-metrics',
      connectionTimeoutMillis: METRICS_READ_TIMEOUT_MS,
      statement_timeout: METRICS_READ_TIMEOUT_MS,
    });
  }

  async ping(): Promise<void> {
    await this.health.query('SELECT 1');
  }

  /** The connection /metrics reads archive-wide figures through (a repository function's `db`). */
  get metricsReader(): { query<T>(sql: string, params?: unknown[]): Promise<T> } {
    return this.reads;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.health.close(), this.reads.close()]);
  }
}
