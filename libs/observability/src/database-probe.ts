import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';

/**
 * The database check of /health, on a connection of its own: through the shared pool it would wait behind
 * busy capture transactions and report a loaded archive as an unhealthy one. Reconnects after any error.
 */
@Injectable()
export class DatabaseProbe implements OnApplicationShutdown {
  private client: Promise<Client> | null = null;

  constructor(@Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig) {}

  async ping(): Promise<void> {
    const client = await (this.client ??= this.connect());
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.forget(client);
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const client = await this.client?.catch(() => null);
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: 2000 });
    client.on('error', () => this.forget(client));
    try {
      await client.connect();
      return client;
    } catch (error) {
      this.client = null;
      throw error;
    }
  }

  private forget(client: Client): void {
    this.client = null;
    void client.end().catch(() => undefined);
  }
}
