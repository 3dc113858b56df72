import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import {
  advanceOutboxBoundary,
  appendToOutbox,
  beginOutboxRound,
  insertDeliveries,
  liveSubscriptions,
  notifyOutbox,
  unsequencedEvents,
} from '@app/persistence';
import { subscriptionWants, webhookPayload } from './event-payload';
import { matchesAnyKeyword } from './keyword-match';

const BATCH = 1000;

export interface SequencingRound {
  /** events given a position */
  sequenced: number;
  /** deliveries created for them */
  deliveries: number;
  /** another round may find more (the batch was full, or another sequencer held the lock) */
  more: boolean;
}

/**
 * The outbox sequencer: gives every committed event a position, exactly once and in an order that keeps each
 * statement's events in the order they were written, fixes the payload subscribers receive, and creates one
 * delivery per matching subscription, all in one transaction under an advisory lock. Listening API processes
 * (the live stream) are notified at commit.
 */
@Injectable()
export class OutboxSequencer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  sequenceOnce(): Promise<SequencingRound> {
    return this.db.transaction(async (tx) => {
      const round = await beginOutboxRound(tx);
      if (!round) return { sequenced: 0, deliveries: 0, more: true };
      const events = await unsequencedEvents(tx, round, BATCH);
      const full = events.length >= BATCH;
      // a full batch may have left events below the horizon: the boundary moves only past a complete read
      if (!full) await advanceOutboxBoundary(tx, round.horizon);
      if (events.length === 0) return { sequenced: 0, deliveries: 0, more: false };

      const payloads = events.map((e) => ({
        eventId: e.id,
        payload: Buffer.from(JSON.stringify(webhookPayload(e, this.config.alerts.publicUrl))),
      }));
      const positions = await appendToOutbox(tx, payloads);
      const subscriptions = await liveSubscriptions(tx);
      const deliveries = events.flatMap((event, i) =>
        subscriptions
          .filter((s) => BigInt(positions[i]) > BigInt(s.startsAfter))
          .filter((s) => subscriptionWants(s, event, matchesAnyKeyword))
          .map((s) => ({ subscriptionId: s.id, position: positions[i], statementId: event.statementId })),
      );
      const created = await insertDeliveries(tx, deliveries);
      await notifyOutbox(tx, positions[positions.length - 1]);
      return { sequenced: events.length, deliveries: created, more: full };
    });
  }
}
