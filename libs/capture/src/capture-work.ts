import { type DueRecheck } from '@app/persistence';
import { type ResolvedAccount } from '@app/sources';
import { type FoundPost } from './prepare-posts';

// What the use cases hand the capture writer, and what it answers.

/** `deferred`: this process refused the poll for its own load; the account only moved its next poll */
export type PollOutcome = 'captured' | 'unchanged' | 'failed' | 'deferred' | 'stale';
export type CaptureOutcome = 'completed' | 'failed' | 'stale';

/** A recheck in progress: the statements of one account and the due times its job was made for. */
export interface RecheckWork {
  account: { id: string; platform: string; handle: string };
  statements: DueRecheck[];
  startedAt: Date;
}

export interface RecheckOutcome {
  /** statements whose due time this round claimed (the others were handled already) */
  checked: number;
  versionsNew: number;
  observations: number;
}

/** A poll in progress: the account as the job found it and the due time the job was made for. */
export interface PollWork {
  account: {
    id: string;
    platform: string;
    handle: string;
    pollIntervalSeconds: number;
    consecutiveFailures: number;
    /** since when its polls have been deferred for our own load, null when the last one was not deferred */
    deferredSince: Date | null;
  };
  due: Date;
  startedAt: Date;
}

/** A capture request in progress. */
export interface CaptureWork {
  requestId: string;
  url: string;
  /** attempts made before this one */
  attempts: number;
}

/** What a capture found: the account the URL belongs to and its posts. */
export interface CaptureFound {
  account: ResolvedAccount;
  posts: FoundPost[];
}
