import { ErrorCode, VerbatimError } from '@app/core';
import { type VerbatimConfig } from '@app/config';

/**
 * The one check of a requested poll interval's lower bound, for tracking an account and for changing one: the
 * operator's VERBATIM_MIN_POLL_INTERVAL_SECONDS (30 by default). The DTOs keep no minimum of their own, whose
 * message would name another number. null, like a field left out, asks for no interval.
 */
export function refusePollIntervalBelowMinimum(
  seconds: number | null | undefined,
  polling: VerbatimConfig['polling'],
): void {
  const minimum = polling.minIntervalSeconds;
  if (seconds != null && seconds < minimum)
    throw new VerbatimError(
      ErrorCode.InvalidInput,
      `pollIntervalSeconds: must be at least ${minimum} (VERBATIM_MIN_POLL_INTERVAL_SECONDS)`,
    );
}
