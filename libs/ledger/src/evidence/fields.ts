/**
 * Small strict readers for JSON objects we did not build: each names the offending field in its error, so a
 * malformed bundle or entry says exactly what is wrong ("artifacts[1].size: expected a non-negative integer").
 */
import canonicalize from 'canonicalize';
import { fromBase64, isWellFormedString, utf8 } from '../bytes';
import { LedgerFormatError } from '../errors';

export type JsonObject = { [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** RFC 3339 in UTC with a `Z` and optional fractional seconds (what Date#toISOString writes, and more digits). */
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

export function formatError(path: string, message: string): LedgerFormatError {
  return new LedgerFormatError(path === '' ? message : `${path}: ${message}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw formatError(path, `expected an object, got ${describe(value)}`);
  return value;
}

/** Rejects keys outside `known` (a signed format must not carry data a verifier silently skips). */
export function checkKeys(object: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw formatError(join(path, key), 'unknown field');
  }
}

export function readString(object: Record<string, unknown>, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string')
    throw formatError(join(path, key), `expected a string, got ${describe(value)}`);
  if (!isWellFormedString(value)) throw formatError(join(path, key), 'contains a lone surrogate');
  return value;
}

export function readNonEmptyString(object: Record<string, unknown>, key: string, path: string): string {
  const value = readString(object, key, path);
  if (value.length === 0) throw formatError(join(path, key), 'must not be empty');
  return value;
}

export function readInteger(object: Record<string, unknown>, key: string, path: string, min: number): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw formatError(join(path, key), `expected an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

export function readSha256Hex(object: Record<string, unknown>, key: string, path: string): string {
  const value = readString(object, key, path);
  if (!SHA256_HEX.test(value)) throw formatError(join(path, key), 'expected 64 lowercase hex digits');
  return value;
}

export function readBase64(object: Record<string, unknown>, key: string, path: string): Uint8Array {
  const value = readString(object, key, path);
  try {
    return fromBase64(value);
  } catch {
    throw formatError(join(path, key), 'expected standard padded base64');
  }
}

export function readArray(object: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = object[key];
  if (!Array.isArray(value)) throw formatError(join(path, key), `expected an array, got ${describe(value)}`);
  return value;
}

export function readUtcTimestamp(object: Record<string, unknown>, key: string, path: string): string {
  const value = readString(object, key, path);
  const match = RFC3339_UTC.exec(value);
  const date = match === null ? null : new Date(value);
  // Date accepts 2024-02-30; a round trip through the calendar fields rejects it.
  const valid =
    match !== null &&
    date !== null &&
    !Number.isNaN(date.getTime()) &&
    date.getUTCFullYear() === Number(match[1]) &&
    date.getUTCMonth() + 1 === Number(match[2]) &&
    date.getUTCDate() === Number(match[3]) &&
    date.getUTCHours() === Number(match[4]) &&
    date.getUTCMinutes() === Number(match[5]) &&
    date.getUTCSeconds() === Number(match[6]);
  if (!valid)
    throw formatError(join(path, key), 'expected an RFC 3339 UTC time like 2022-02-27T10:00:00.000Z');
  return value;
}

/** A `\uD800`–`\uDFFF` escape not itself escaped: JSON.stringify writes one only for a lone surrogate. */
const ESCAPED_LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f]/;

/** RFC 8785 bytes of a JSON value; throws for what JCS cannot represent. */
export function jcsBytes(value: unknown, what: string): Uint8Array {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw new LedgerFormatError(`${what} cannot be canonicalized: ${(error as Error).message}`);
  }
  if (text === undefined) throw new LedgerFormatError(`${what} has no JSON representation`);
  if (ESCAPED_LONE_SURROGATE.test(text))
    throw new LedgerFormatError(`${what} holds a lone surrogate, which JCS refuses`);
  return utf8(text);
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return `the number ${value}`;
  return typeof value === 'string' ? 'a string' : `${typeof value} ${JSON.stringify(value)}`;
}
