import { createHash } from 'node:crypto';

/**
 * Queue and job names are a contract with jobs already sitting in Redis: never rename one without a plan
 * for the jobs under the old name.
 */
export const QueueName = {
  Poll: 'poll',
  Capture: 'capture',
  Log: 'log',
  Anchor: 'anchor',
  /** the outbox sequencer: one job at a time */
  Outbox: 'outbox',
  Webhooks: 'webhooks',
  /** re-reads of known posts: a queue of their own, so polls for new posts never wait behind them */
  Recheck: 'recheck',
  /** media files of captured versions: a queue of their own, so a slow video never delays a capture */
  Media: 'media',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  /** one poll: what the scheduler enqueued before polls went in groups; still run for jobs left in Redis */
  PollAccount: 'poll-account',
  /** up to `POLLS_PER_JOB` polls due about together */
  PollAccounts: 'poll-accounts',
  CaptureUrl: 'capture-url',
  IntegrateLog: 'integrate-log',
  AnchorCheckpoint: 'anchor-checkpoint',
  SequenceEvents: 'sequence-events',
  DeliverWebhooks: 'deliver-webhooks',
  RecheckStatements: 'recheck-statements',
  DownloadMedia: 'download-media',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** One account's poll for one due time (ISO). */
export interface PollDue {
  accountId: string;
  dueAt: string;
}

export interface JobPayloads {
  [JobName.PollAccount]: PollDue;
  [JobName.PollAccounts]: { polls: PollDue[] };
  [JobName.CaptureUrl]: { requestId: string };
  [JobName.IntegrateLog]: Record<string, never>;
  [JobName.AnchorCheckpoint]: { size: number };
  [JobName.SequenceEvents]: Record<string, never>;
  [JobName.DeliverWebhooks]: Record<string, never>;
  /** statements of one account and the due times (ISO) the job claims them by */
  [JobName.RecheckStatements]: { accountId: string; statements: { id: string; dueAt: string }[] };
  /** the media items still pending of one version */
  [JobName.DownloadMedia]: { statementId: string; version: number };
}
export type JobOf<N extends JobName> = JobPayloads[N];

/** Deterministic job ids: a replayed enqueue of the same work finds the job already there. */
export const jobIds = {
  /**
   * named by the group's first poll and a digest of all of them: the same group offered again is the same job,
   * a group made otherwise (other polls with it) another, which runs its polls again as `stale` no-ops
   */
  polls: (polls: { id: string; dueAt: Date }[]) =>
    `polls.${polls[0].id}.${polls[0].dueAt.getTime()}.${createHash('sha256')
      .update(polls.map((p) => `${p.id}@${p.dueAt.getTime()}`).join(','))
      .digest('hex')
      .slice(0, 16)}`,
  capture: (requestId: string) => `capture.${requestId}`,
  /** one integration per checkpoint interval: every capture in the interval joins the same job */
  integrate: (slot: number) => `integrate.${slot}`,
  anchor: (size: number) => `anchor.${size}`,
  /** one sequencing and one delivery round per 100 ms slot: a burst of commits makes one job */
  sequence: (slot: number) => `sequence.${slot}`,
  deliver: (slot: number) => `deliver.${slot}`,
  /** named by the batch's first statement and its due time: a repeated tick finds the same batch queued */
  recheck: (accountId: string, first: { id: string; dueAt: Date }) =>
    `recheck.${accountId}.${first.id}.${first.dueAt.getTime()}`,
  /** one download job per version: enqueuing it again while it waits adds nothing */
  media: (statementId: string, version: number) => `media.${statementId}.${version}`,
};

/**
 * Worker lock settings: a job whose worker died (kill -9) is handed to another worker after about
 * lockDuration + stalledInterval instead of BullMQ's default minute. Live jobs renew their lock.
 */
export const WORKER_LOCKS = { lockDuration: 10_000, stalledInterval: 5_000 } as const;
