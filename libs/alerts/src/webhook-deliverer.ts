import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { MetricsService } from '@app/observability';
import {
  claimDueDeliveries,
  recordDeliveryAttempts,
  type AttemptRecord,
  webhookIdOf,
  type ClaimedDelivery,
} from '@app/persistence';
import { GuardedHttpClient } from '@app/sources';
import { isDelivered, nextAttemptAt, shouldDisable } from './retry-policy';
import { webhookHeaders } from './standard-webhooks';

/** A receiver's reply body is not ours to keep: read (and dropped) up to this much of it, then cut off. */
const RESPONSE_LIMIT = 1024 * 1024;

/**
 * Sends due webhook deliveries, signed per Standard Webhooks, through the guarded HTTP client (so the private
 * network guard, timeouts and size limits apply), records every attempt, and schedules retries with backoff
 * and jitter; a subscription whose endpoint has failed for a day is disabled.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger(WebhookDeliverer.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly http: GuardedHttpClient,
    private readonly metrics: MetricsService,
  ) {}

  /** One round: claims up to the concurrency's worth of due deliveries and sends them at once. */
  async deliverOnce(): Promise<{ attempted: number; more: boolean }> {
    const limit = this.config.alerts.webhookConcurrency;
    // longer than any one send may take, so a live sender's lease never runs out under it
    const leaseSeconds = Math.ceil(this.config.alerts.webhookTimeoutMs / 1000) + 5;
    const claimed = await claimDueDeliveries(this.db.manager, limit, leaseSeconds);
    if (claimed.length === 0) return { attempted: 0, more: false };
    const attempts = await Promise.all(claimed.map((delivery) => this.send(delivery)));
    // one transaction for the round; a crash before it re-sends the round after the lease (at least once)
    await this.db.transaction((tx) => recordDeliveryAttempts(tx, attempts));
    for (const attempt of attempts)
      this.metrics.webhookDeliveries.inc({ outcome: attempt.delivered ? 'delivered' : 'failed' });
    return { attempted: claimed.length, more: claimed.length === limit };
  }

  /** Sends one delivery and says how it went; never throws for the endpoint's failures. */
  private async send(delivery: ClaimedDelivery): Promise<AttemptRecord> {
    const attemptedAt = new Date();
    const headers = webhookHeaders(delivery.secret, {
      id: webhookIdOf(delivery.eventId),
      timestamp: attemptedAt,
      body: delivery.payload,
    });
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // streamed, not buffered: the reply is not held against the bytes our polls may receive at once
      await this.http.download(
        delivery.url,
        {
          method: 'POST',
          headers,
          body: delivery.payload,
          // the reply's length is ours to judge below, not a reason to refuse the answer before its status
          maxBytes: Number.MAX_SAFE_INTEGER,
          followRedirects: false,
          timeoutMs: this.config.alerts.webhookTimeoutMs,
        },
        async (response) => {
          statusCode = response.status;
          // drained and dropped, so the connection can carry the next delivery; a longer reply is cut off
          let read = 0;
          for await (const chunk of response.body as AsyncIterable<Buffer>)
            if ((read += chunk.length) > RESPONSE_LIMIT) break;
        },
      );
    } catch (failure) {
      // with a status, the receiver answered: a reply body that then failed (too slow, cut off) changes nothing
      if (statusCode === null) error = (failure as Error).message;
    }
    if (statusCode !== null && !isDelivered(statusCode)) error = `the endpoint answered HTTP ${statusCode}`;
    const latencyMs = Date.now() - attemptedAt.getTime();
    const delivered = error === null;
    const failingSince = delivery.failingSince ?? attemptedAt;
    const disable =
      !delivered && shouldDisable(failingSince, attemptedAt)
        ? `the endpoint has failed since ${failingSince.toISOString()}: ${error}`
        : null;
    if (disable) this.logger.warn(`subscription ${delivery.subscriptionId} disabled: ${disable}`);
    return {
      deliveryId: delivery.id,
      subscriptionId: delivery.subscriptionId,
      attemptedAt,
      statusCode,
      latencyMs,
      error,
      delivered,
      nextAttemptAt: delivered
        ? null
        : nextAttemptAt(delivery.attempts + 1, this.config.alerts.webhookRetryBaseSeconds, attemptedAt),
      disable,
    };
  }
}
