import { ErrorCode, SourceError } from '@app/core';
import { type HttpResponse } from './http-client';

/** Unix-seconds values below this are read as "seconds from now" (IETF RateLimit draft: delta-seconds). */
const DELTA_SECONDS_BELOW = 1e9;

/**
 * When the platform said to come back, from whichever rate-limit header it sent:
 * - `Retry-After`: delta seconds or an HTTP date (RFC 9110);
 * - `X-RateLimit-Reset`: ISO 8601 (Mastodon);
 * - `RateLimit-Reset`: unix seconds (Bluesky), or delta seconds when small (IETF draft);
 * - `x-rate-limit-reset`: unix seconds (X).
 * Header names are expected lower-cased, as HttpResponse has them.
 */
export function retryAtFromHeaders(headers: Record<string, string>, now: Date = new Date()): Date | null {
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    const at = /^\d+$/.test(retryAfter) ? afterSeconds(now, Number(retryAfter)) : dateOrNull(retryAfter);
    if (at) return at;
  }
  const mastodon = headers['x-ratelimit-reset']?.trim();
  if (mastodon) {
    const at = /^\d+$/.test(mastodon) ? unixSeconds(Number(mastodon)) : dateOrNull(mastodon);
    if (at) return at;
  }
  const ietf = headers['ratelimit-reset']?.trim();
  if (ietf && /^\d+$/.test(ietf)) {
    const n = Number(ietf);
    return n < DELTA_SECONDS_BELOW ? afterSeconds(now, n) : unixSeconds(n);
  }
  const x = headers['x-rate-limit-reset']?.trim();
  if (x && /^\d+$/.test(x)) return unixSeconds(Number(x));
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
  const retryAt = status === 429 || status === 503 ? retryAtFromHeaders(response.headers) : null;
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
 * The error text of a JSON error body, in the shapes platforms use:
 * `{"error":"Record not found"}` (Mastodon), `{"error":"NotFound","message":"..."}` (Bluesky),
 * `{"title":"...","detail":"..."}` and `{"errors":[{"detail":"..."}]}` (X). Null when not JSON.
 */
function errorTextOf(body: Buffer): string | null {
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

function afterSeconds(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

function unixSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

function dateOrNull(text: string): Date | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}
