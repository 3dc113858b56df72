/** How long an endpoint may keep failing before its subscription is disabled. */
export const DISABLE_AFTER_FAILING_MS = 24 * 3600 * 1000;
/** The longest wait between two attempts. */
const MAX_DELAY_MS = 12 * 3600 * 1000;

/**
 * When to try a delivery again after its `attempts`-th failure: the base times 5^(attempts-1), at most 12 h,
 * so that with the default 5 s base eight attempts span most of a day (after 5 s, 25 s, 2 min, 10 min, 52 min,
 * 4.3 h, 12 h) and the next failure, a day after the first, disables the subscription. ±20% jitter keeps
 * deliveries that failed together from coming back together.
 */
export function nextAttemptAt(attempts: number, baseSeconds: number, now: Date, random = Math.random): Date {
  const delay = Math.min(MAX_DELAY_MS, baseSeconds * 1000 * 5 ** Math.min(attempts - 1, 20));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return new Date(now.getTime() + Math.round(delay * jitter));
}

/** The soonest and latest retry of a delivery this process did not send for its own load (`local-overload`). */
export const DEFERRED_RETRY_SECONDS = { soonest: 5, latest: 30 } as const;

/**
 * When to try again a delivery deferred for our own load: soon, as the endpoint is not at fault, and at a random
 * moment, so the deliveries of one overloaded moment do not all come back in the same one. Not sooner than
 * `retryAt` when the refusal named a time.
 */
export function nextAttemptAfterDeferral(now: Date, retryAt: Date | null, random = Math.random): Date {
  const { soonest, latest } = DEFERRED_RETRY_SECONDS;
  const at = now.getTime() + (soonest + random() * (latest - soonest)) * 1000;
  return new Date(Math.max(at, retryAt?.getTime() ?? 0));
}

/** Whether a subscription whose endpoint has failed since `failingSince` should now be disabled. */
export function shouldDisable(failingSince: Date, now: Date): boolean {
  return now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
}

/** A 2xx answer is a delivery; anything else (redirects included: we never follow them with a payload) is not. */
export function isDelivered(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
