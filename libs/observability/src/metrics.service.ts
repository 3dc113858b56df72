import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process. A registry per instance, so tests can boot several apps in one process. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly polls = new Counter({
    name: 'verbatim_polls_total',
    help: 'Account polls by platform and outcome (captured, unchanged, failed; deferred: refused for our own load)',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly captures = new Counter({
    name: 'verbatim_versions_captured_total',
    help: 'Statement versions written, by platform',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  readonly unreadEditHistories = new Counter({
    name: 'verbatim_edit_history_failures_total',
    help: 'Edited posts whose platform edit history could not be read (the post itself was kept), by platform',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  readonly truncatedEditHistories = new Counter({
    name: 'verbatim_edit_history_truncated_total',
    help: 'Edit histories that listed more versions than one post may add, some left out (the first and newest kept), by platform',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  /** how long after its due time a poll started: the archive keeping up, or falling behind */
  readonly pollLateness = new Histogram({
    name: 'verbatim_poll_lateness_seconds',
    help: 'Time from an account poll being due to the poll starting',
    labelNames: ['platform'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly pollDuration = new Histogram({
    name: 'verbatim_poll_duration_seconds',
    help: 'Time to poll one account and store what it returned',
    labelNames: ['platform'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /**
   * Tries to anchor a signed checkpoint outside the log, by the TSA's or the witness's URL (a try that finds the
   * anchor already stored is not counted): failures going on for longer than the anchor retry delay mean evidence
   * bundles go out without that anchor. Counted by the worker processes, which make the tries.
   */
  readonly checkpointAnchors = new Counter({
    name: 'verbatim_checkpoint_anchors_total',
    help: 'Checkpoint anchoring tries by kind (timestamp: an RFC 3161 TSA; cosignature: a witness), anchor and outcome (anchored, failed)',
    labelNames: ['kind', 'anchor', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'verbatim_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'verbatim_queue_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  /** the Bluesky push path (Jetstream): events that brought a poll or a recheck forward, and dropped messages */
  readonly pushEvents = new Counter({
    name: 'verbatim_push_events_total',
    help: 'Push messages by source and what they did (posted, deleted, malformed)',
    labelNames: ['source', 'kind'] as const,
    registers: [this.registry],
  });

  readonly pushConnected = new Gauge({
    name: 'verbatim_push_connected',
    help: 'Whether the push subscription of a source is connected (1) or not (0)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  /**
   * Set when scraped: tracked accounts whose polls this archive keeps deferring for its own load, and how long the
   * longest-deferred one has waited. Above zero for minutes, the archive is falling behind its accounts. Read from
   * the database, so every process reports the same archive-wide value (aggregate with max, not sum); NaN when the
   * database did not answer.
   */
  readonly deferredAccounts = new Gauge({
    name: 'verbatim_accounts_deferred',
    help: "Tracked accounts whose polls are being deferred for this archive's own load (local-overload); archive-wide",
    registers: [this.registry],
  });

  readonly longestDeferral = new Gauge({
    name: 'verbatim_accounts_deferred_longest_seconds',
    help: 'How long the longest-deferred tracked account has had its polls deferred (0 when none is); archive-wide',
    registers: [this.registry],
  });

  /** read when scraped: how much of its bound the guarded HTTP client is using (see `watchHttpBodies`) */
  private httpBodies: () => { inFlight: number; limit: number } = () => ({ inFlight: 0, limit: 0 });

  /**
   * Response bytes being received at once against their bound (VERBATIM_HTTP_BYTES_IN_FLIGHT): near it, polls
   * are being deferred (`verbatim_polls_total{outcome="deferred"}`) and the bound or the concurrency wants a look.
   */
  readonly httpBodyBytes = new Gauge({
    name: 'verbatim_http_body_bytes',
    help: 'Bytes of response bodies being received at once (in_flight) and the bound on them (limit)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => {
      const { inFlight, limit } = this.httpBodies();
      this.httpBodyBytes.set({ kind: 'in_flight' }, inFlight);
      this.httpBodyBytes.set({ kind: 'limit' }, limit);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'verbatim_' });
  }

  /** Where `verbatim_http_body_bytes` is read from: the process's guarded HTTP client. */
  watchHttpBodies(read: () => { inFlight: number; limit: number }): void {
    this.httpBodies = read;
  }
}
