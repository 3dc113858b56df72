/** How often statements are re-read: VERBATIM_RECHECK_* settings. */
export interface RecheckPolicy {
  /** a check is due once the time since the last one is this fraction of the statement's age (0 < f < 1) */
  fraction: number;
  minSeconds: number;
  maxSeconds: number;
  /** regular checks stop this many days after publication; one more check follows at a year */
  horizonDays: number;
}

const DAY_MS = 86_400_000;
/** the one late check after the horizon: a year after publication */
export const LATE_CHECK_DAYS = 365;

/**
 * When to re-read a statement after a check at `checkedAt`, or null for never again.
 *
 * "Due when the time since the last check is at least `fraction` × the statement's age" with the age taken at
 * the moment of the next check (as diffengine does): t − c ≥ f·(t − p) gives t − c = f·(c − p) / (1 − f).
 * The interval is clamped to [minSeconds, maxSeconds]. The regular series ends with a check at the horizon;
 * after it comes the single late check at a year, then none.
 */
export function nextCheckAt(policy: RecheckPolicy, publishedAt: Date, checkedAt: Date): Date | null {
  const published = publishedAt.getTime();
  const checked = checkedAt.getTime();
  const lateCheck = published + LATE_CHECK_DAYS * DAY_MS;
  if (checked >= lateCheck) return null;
  const age = Math.max(0, checked - published);
  const interval = clamp(
    (policy.fraction * age) / (1 - policy.fraction),
    policy.minSeconds * 1000,
    policy.maxSeconds * 1000,
  );
  const next = checked + Math.ceil(interval);
  const horizon = published + policy.horizonDays * DAY_MS;
  if (next <= horizon) return new Date(next);
  // the regular series ends with a check at the horizon itself
  if (checked < horizon) return new Date(Math.max(horizon, checked + policy.minSeconds * 1000));
  return new Date(Math.max(lateCheck, checked + policy.minSeconds * 1000));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
