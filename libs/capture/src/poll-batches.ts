import {
  type CaptureRunRecord,
  type PollFailureRecord,
  type PreparedPost,
  type WrittenCaptures,
} from '@app/persistence';
import { type PollResult } from '@app/sources';
import { type GroupCommitOptions } from './group-commit';
import { type PollWork } from './capture-work';
import { type RejectedPost } from './prepare-posts';

// The three batches of polls the capture writer groups into one transaction each (group commit): their items,
// sizes and waits, and the pure helpers that split and settle them.

/** A poll whose source said nothing changed, waiting for its batch. */
export interface QuietPoll {
  work: PollWork;
  result: PollResult<unknown> & { kind: 'unchanged' };
}

/** Quiet polls are written in batches of up to 128; a poll waits at most 2 ms for a batch being written. */
export const QUIET_POLL_BATCH: GroupCommitOptions = { maxSize: 128, maxWaitMs: 2 };

/** A poll that failed, its failure worked out (reason, next try), waiting for its batch. */
export interface FailedPoll {
  work: PollWork;
  failure: PollFailureRecord & { httpStatus: number | null };
}

/**
 * Failed polls are written in batches of up to 128, as quiet ones: a source that is down fails every poll of
 * its accounts at the pace they are taken, and hundreds of polls in flight must not each wait for a connection.
 */
export const FAILED_POLL_BATCH: GroupCommitOptions = { maxSize: 128, maxWaitMs: 2 };

/** How a failed poll ends: `failed`, or `deferred` when our own load refused it. */
export function failedOutcome({ failure }: FailedPoll): 'failed' | 'deferred' {
  return failure.againstSource ? 'failed' : 'deferred';
}

/** The capture run a failed poll records. */
export function failedRun(poll: FailedPoll, finishedAt: Date): CaptureRunRecord {
  const { work, failure } = poll;
  return {
    accountId: work.account.id,
    startedAt: work.startedAt,
    finishedAt,
    outcome: failedOutcome(poll),
    httpStatus: failure.httpStatus,
    postsSeen: 0,
    postsNew: 0,
    versionsNew: 0,
    errorCode: failure.errorCode,
    error: failure.error,
  };
}

/** A poll whose source showed posts, prepared (hashed) outside any transaction, waiting for its batch. */
export interface FoundPoll {
  work: PollWork;
  result: PollResult<unknown> & { kind: 'posts' };
  posts: PreparedPost[];
  rejected: RejectedPost[];
}

/** What one poll of a batch stored; null when its claim lost (the due time was already handled). */
export type StoredPoll = { written: WrittenCaptures; skipped: RejectedPost[] } | null;

/**
 * Polls that found posts are written in batches of up to 64 polls, one transaction each; a lone poll on a
 * quiet system is written at once, and a poll waits at most 3 ms for a batch being written.
 */
export const FOUND_POLL_BATCH: GroupCommitOptions = { maxSize: 64, maxWaitMs: 3 };

/**
 * A poll that brings more versions than this is written on its own, as before group commit: its own
 * statements already amortise their cost over many rows, and a batch stays at most 64 × 50 = 3,200 versions,
 * so building a batch's statements never holds the event loop longer than one big page (10,000 posts) alone.
 */
export const FOUND_POLL_BATCH_MAX_VERSIONS = 50;

/**
 * Nor does a poll whose distinct artifacts pass this many bytes (a list page and its releases): a batch of 64
 * such polls would send one statement of gigabytes, past what PostgreSQL takes in one message.
 */
export const FOUND_POLL_BATCH_MAX_BYTES = 8 * 1024 * 1024;

/** The bytes a poll's prepared posts would write: each distinct artifact once, as the writer stores them. */
export function preparedBytes(posts: PreparedPost[]): number {
  const sizes = new Map<string, number>();
  for (const post of posts)
    for (const version of [post, ...(post.history ?? [])])
      for (const artifact of version.artifacts) sizes.set(artifact.sha256, artifact.size);
  let total = 0;
  for (const size of sizes.values()) total += size;
  return total;
}

/** A promise's outcome as `Promise.allSettled` gives it, for one item of a batch. */
export function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

/**
 * Splits a batch into the first poll of each account, written together, and later polls of an account already
 * in it (replayed jobs), written after it one by one so that each claim is checked against the first's result.
 */
export function firstPollPerAccount(polls: { work: PollWork }[]): { inBatch: number[]; after: number[] } {
  const seen = new Set<string>();
  const inBatch: number[] = [];
  const after: number[] = [];
  polls.forEach((poll, i) => {
    if (seen.has(poll.work.account.id)) after.push(i);
    else {
      seen.add(poll.work.account.id);
      inBatch.push(i);
    }
  });
  return { inBatch, after };
}
