import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';

const CHANNEL = 'verbatim_outbox';
const RECONNECT_MS = 1000;

/**
 * Hears, through PostgreSQL LISTEN/NOTIFY, that the outbox sequencer committed new positions, so live streams
 * read the database only when there is something to read. The database stays the truth: a missed
 * notification (a dropped connection) costs only latency, since every stream reads from its own position,
 * and a reconnect announces itself as one more notification.
 */
@Injectable()
export class OutboxListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxListener.name);
  private readonly emitter = new EventEmitter();
  private client: Client | null = null;
  private stopped = false;

  constructor(@Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig) {
    this.emitter.setMaxListeners(0);
  }

  onModuleInit(): void {
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  /** Calls `listener` after each commit of new positions; returns the way to stop listening. */
  subscribe(listener: () => void): () => void {
    this.emitter.on('positions', listener);
    return () => this.emitter.off('positions', listener);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', () => this.emitter.emit('positions'));
    client.on('error', (error) => this.logger.warn(`live stream listener: ${error.message}`));
    client.on('end', () => {
      if (this.stopped) return;
      this.client = null;
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.client = client;
      this.emitter.emit('positions'); // whatever was sequenced while we were away
    } catch (error) {
      this.logger.warn(`live stream listener could not connect: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    }
  }
}
