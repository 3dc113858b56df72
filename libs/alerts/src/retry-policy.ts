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

/** Whether a subscription whose endpoint has failed since `failingSince` should now be disabled. */
export function shouldDisable(failingSince: Date, now: Date): boolean {
  return now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS;
}

/** A 2xx answer is a delivery; anything else (redirects included: we never follow them with a payload) is not. */
export function isDelivered(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
