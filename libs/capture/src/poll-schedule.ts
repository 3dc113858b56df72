import { LOCAL_OVERLOAD_RETRY_MS } from '@app/core';

/** When to poll next after a successful poll that was due at `due`: keep the rhythm, but never catch up in a burst. */
export function nextPollAfterSuccess(due: Date, intervalSeconds: number, now: Date): Date {
  const onRhythm = due.getTime() + intervalSeconds * 1000;
  return new Date(onRhythm > now.getTime() ? onRhythm : now.getTime() + intervalSeconds * 1000);
}

/** The longest wait before a first deferred poll is tried again (never longer than the account's interval). */
export const LOCAL_OVERLOAD_RETRY_MAX_SECONDS = 30;

/**
 * When to try again a poll (or an on-demand capture) that this process refused for its own load. The source is not
 * at fault, so a first deferral comes back soon: between LOCAL_OVERLOAD_RETRY_MS and LOCAL_OVERLOAD_RETRY_MAX_SECONDS.
 * One deferred again and again waits longer each time, between half and all of the time it has been deferred so
 * far, so that a lasting overload is not made worse by its own retries; never longer than `longestWaitSeconds` (an
 * account's interval), so at worst a deferred account is tried twice as often as it is polled. The moment is random
 * in that window, so the polls of one overloaded moment do not all come back in the same one.
 */
export function nextPollAfterLocalOverload(
  longestWaitSeconds: number,
  deferredSince: Date | null,
  now: Date,
  random = Math.random,
): Date {
  const deferredForSeconds = deferredSince ? Math.max(0, now.getTime() - deferredSince.getTime()) / 1000 : 0;
  const latest = Math.min(longestWaitSeconds, Math.max(LOCAL_OVERLOAD_RETRY_MAX_SECONDS, deferredForSeconds));
  const soonest = Math.min(Math.max(LOCAL_OVERLOAD_RETRY_MS / 1000, deferredForSeconds / 2), latest / 2);
  return new Date(now.getTime() + (soonest + random() * (latest - soonest)) * 1000);
}

/**
 * When to try a failing source again: when the platform said (rate limits), otherwise exponential backoff
 * from the base, never sooner than the account's interval nor later than the maximum. The maximum bounds the
 * platform's word too: a watched party answering "come back in 95 years" must not stop its own archiving.
 */
export function nextPollAfterFailure(
  consecutiveFailures: number,
  intervalSeconds: number,
  policy: { retryBaseSeconds: number; retryMaxSeconds: number },
  retryAt: Date | null,
  now: Date,
): Date {
  const latest = now.getTime() + policy.retryMaxSeconds * 1000;
  if (retryAt && retryAt.getTime() > now.getTime()) return new Date(Math.min(retryAt.getTime(), latest));
  const backoff = policy.retryBaseSeconds * 2 ** Math.min(consecutiveFailures - 1, 30);
  const seconds = Math.min(policy.retryMaxSeconds, Math.max(intervalSeconds, backoff));
  return new Date(now.getTime() + seconds * 1000);
}
