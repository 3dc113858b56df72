/**
 * Queue and job names are a contract with jobs already sitting in Redis: never rename one without a plan
 * for the jobs under the old name.
 */
export const QueueName = {
  Poll: 'poll',
  Capture: 'capture',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  PollAccount: 'poll-account',
  CaptureUrl: 'capture-url',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.PollAccount]: { accountId: string; dueAt: string };
  [JobName.CaptureUrl]: { requestId: string };
}
export type JobOf<N extends JobName> = JobPayloads[N];

/** Deterministic job ids: a replayed enqueue of the same work finds the job already there. */
export const jobIds = {
  poll: (accountId: string, dueAt: Date) => `poll.${accountId}.${dueAt.getTime()}`,
  capture: (requestId: string) => `capture.${requestId}`,
};
