import { ErrorCode, SourceError } from '@app/core';
import { type HttpResponse } from './http-client';

/** Unix-seconds values below this are read as "seconds from now" (IETF RateLimit draft: delta-seconds). */
const DELTA_SECONDS_BELOW = 1e9;

/** The longest wait a source may ask for when the client was given no maximum (VERBATIM_RETRY_MAX_SECONDS's default). */
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * When the platform said to come back, from whichever rate-limit header it sent:
 * - `Retry-After`: delta seconds or an HTTP date (RFC 9110);
 * - `X-RateLimit-Reset`: ISO 8601 (Mastodon);
 * - `RateLimit-Reset`: unix seconds (Bluesky), or delta seconds when small (IETF draft);
 * - `x-rate-limit-reset`: unix seconds (X).
 * Header names are expected lower-cased, as HttpResponse has them.
 * The answer lies between `now` and `now + maxSeconds`: a source must not park its own archiving for decades
 * with one header. Values no clock can hold (NaN, beyond year 275760) count as not said.
 */
export function retryAtFromHeaders(
  headers: Record<string, string>,
  now: Date = new Date(),
  maxSeconds: number = DEFAULT_MAX_RETRY_AFTER_SECONDS,
): Date | null {
  const asked = askedRetryMs(headers, now.getTime());
  if (asked === null || Number.isNaN(asked)) return null;
  const latest = now.getTime() + Math.max(0, maxSeconds) * 1000;
  return new Date(Math.max(now.getTime(), Math.min(asked, latest)));
}

/** The time asked for, in ms since the epoch, unclamped (may be ±Infinity or NaN); null when not said. */
function askedRetryMs(headers: Record<string, string>, now: number): number | null {
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    const at = /^\d+$/.test(retryAfter) ? now + Number(retryAfter) * 1000 : dateMs(retryAfter);
    if (at !== null) return at;
  }
  const mastodon = headers['x-ratelimit-reset']?.trim();
  if (mastodon) {
    const at = /^\d+$/.test(mastodon) ? Number(mastodon) * 1000 : dateMs(mastodon);
    if (at !== null) return at;
  }
  const ietf = headers['ratelimit-reset']?.trim();
  if (ietf && /^\d+$/.test(ietf)) {
    const n = Number(ietf);
    return n < DELTA_SECONDS_BELOW ? now + n * 1000 : n * 1000;
  }
  const x = headers['x-rate-limit-reset']?.trim();
  if (x && /^\d+$/.test(x)) return Number(x) * 1000;
  return null;
}

/**
 * Passes 2xx and 304; otherwise throws the SourceError a connector should surface:
 * 401/403 auth required, 404 not found, 410 gone, 429 rate limited, anything else unavailable.
 */
export function throwForStatus(response: HttpResponse, what: string): void {
  const { status } = response;
  if ((status >= 200 && status < 300) || status === 304) return;
  const detail = errorTextOf(response.body);
  const message = `${what}: HTTP ${status}${detail ? `: ${detail}` : ''}`;
  // the client's answer is clamped to the configured maximum; a response built elsewhere gets the default
  const retryAt =
    status === 429 || status === 503 ? (response.retryAt ?? retryAtFromHeaders(response.headers)) : null;
  throw new SourceError(codeFor(status), message, status, retryAt);
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return ErrorCode.SourceAuthRequired;
  if (status === 404) return ErrorCode.SourceNotFound;
  if (status === 410) return ErrorCode.SourceGone;
  if (status === 429) return ErrorCode.SourceRateLimited;
  return ErrorCode.SourceUnavailable;
}

/**
 * Error bodies past this many bytes are not parsed for their text: real ones are a few hundred bytes, and a hostile
 * source answering an error with megabytes of nested JSON would hold the event loop while it is parsed.
 */
export const ERROR_TEXT_MAX_BYTES = 16 * 1024;

/**
 * The error text of a JSON error body, in the shapes platforms use:
 * `{"error":"Record not found"}` (Mastodon), `{"error":"NotFound","message":"..."}` (Bluesky),
 * `{"title":"...","detail":"..."}` and `{"errors":[{"detail":"..."}]}` (X). Null when not JSON, or too big to read.
 */
function errorTextOf(body: Buffer): string | null {
  if (body.length > ERROR_TEXT_MAX_BYTES) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const first = Array.isArray(parsed.errors) && isObject(parsed.errors[0]) ? parsed.errors[0] : {};
  const parts = [
    parsed.error,
    parsed.message,
    parsed.error_description,
    parsed.detail ?? parsed.title,
    first.detail ?? first.message,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  const text = [...new Set(parts)].join(': ');
  return text ? text.slice(0, 300) : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dateMs(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
