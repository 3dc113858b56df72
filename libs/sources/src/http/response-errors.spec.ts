import { ErrorCode, SourceError } from '@app/core';
import { type HttpResponse } from './http-client';
import { ERROR_TEXT_MAX_BYTES, retryAtFromHeaders, throwForStatus } from './response-errors';

const now = new Date('2026-03-01T12:00:00Z');

describe('retryAtFromHeaders', () => {
  it('reads Retry-After in seconds', () => {
    expect(retryAtFromHeaders({ 'retry-after': '120' }, now)).toEqual(new Date('2026-03-01T12:02:00Z'));
  });

  it('reads Retry-After as an HTTP date', () => {
    expect(retryAtFromHeaders({ 'retry-after': 'Sun, 01 Mar 2026 12:30:00 GMT' }, now)).toEqual(
      new Date('2026-03-01T12:30:00Z'),
    );
  });

  it("reads Mastodon's X-RateLimit-Reset (ISO 8601 with microseconds)", () => {
    expect(retryAtFromHeaders({ 'x-ratelimit-reset': '2026-03-01T12:05:00.000000Z' }, now)).toEqual(
      new Date('2026-03-01T12:05:00Z'),
    );
  });

  it("reads Bluesky's RateLimit-Reset as unix seconds", () => {
    const at = new Date('2026-03-01T12:10:00Z');
    expect(retryAtFromHeaders({ 'ratelimit-reset': String(at.getTime() / 1000) }, now)).toEqual(at);
  });

  it('reads a small RateLimit-Reset as seconds from now (IETF draft)', () => {
    expect(retryAtFromHeaders({ 'ratelimit-reset': '30' }, now)).toEqual(new Date('2026-03-01T12:00:30Z'));
  });

  it("reads X's x-rate-limit-reset as unix seconds", () => {
    expect(retryAtFromHeaders({ 'x-rate-limit-reset': '1772366400' }, now)).toEqual(
      new Date('2026-03-01T12:00:00Z'),
    );
  });

  it('prefers Retry-After and ignores what it cannot read', () => {
    expect(retryAtFromHeaders({ 'retry-after': '60', 'ratelimit-reset': '1772366400' }, now)).toEqual(
      new Date('2026-03-01T12:01:00Z'),
    );
    expect(retryAtFromHeaders({ 'retry-after': 'soon', 'ratelimit-reset': '10' }, now)).toEqual(
      new Date('2026-03-01T12:00:10Z'),
    );
    expect(retryAtFromHeaders({ 'x-rate-limit-reset': 'later' }, now)).toBeNull();
    expect(retryAtFromHeaders({}, now)).toBeNull();
  });
});

describe('retryAtFromHeaders: bounded waits', () => {
  const inAnHour = new Date('2026-03-01T13:00:00Z');

  it.each([
    ['Retry-After of 3,000,000,000 seconds', { 'retry-after': '3000000000' }],
    ['Retry-After with 400 digits', { 'retry-after': '9'.repeat(400) }],
    ['Retry-After in year 9999', { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }],
    ['X-RateLimit-Reset in year 9999', { 'x-ratelimit-reset': '9999-12-31T23:59:59Z' }],
    ['X-RateLimit-Reset as huge epoch seconds', { 'x-ratelimit-reset': '3000000000000' }],
    ['RateLimit-Reset as epoch seconds in 2065', { 'ratelimit-reset': '3000000000' }],
    ['RateLimit-Reset as a small delta beyond the cap', { 'ratelimit-reset': '999999999' }],
    ['x-rate-limit-reset far away', { 'x-rate-limit-reset': '99999999999' }],
  ])('clamps %s to the maximum', (_label, headers) => {
    expect(retryAtFromHeaders(headers, now, 3600)).toEqual(inAnHour);
  });

  it('keeps a wait within the maximum as asked, and uses the default maximum when none is given', () => {
    expect(retryAtFromHeaders({ 'retry-after': '120' }, now, 3600)).toEqual(new Date('2026-03-01T12:02:00Z'));
    expect(retryAtFromHeaders({ 'retry-after': '3000000000' }, now)).toEqual(inAnHour);
    expect(retryAtFromHeaders({ 'retry-after': '600' }, now, 60)).toEqual(new Date('2026-03-01T12:01:00Z'));
  });

  it.each([
    ['a negative Retry-After', { 'retry-after': '-5' }],
    ['a date in the past', { 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' }],
    ['a reset of zero', { 'x-rate-limit-reset': '0' }],
  ])('reads %s as "now", never earlier', (_label, headers) => {
    expect(retryAtFromHeaders(headers, now, 3600)).toEqual(now);
  });

  it.each([
    ['NaN', { 'retry-after': 'NaN' }],
    ['a date no clock can hold', { 'retry-after': 'Sat, 01 Jan 275761 00:00:00 GMT' }],
    [
      'garbage',
      { 'x-ratelimit-reset': 'tomorrow-ish', 'ratelimit-reset': '1e12', 'x-rate-limit-reset': '-1' },
    ],
  ])('ignores %s without throwing', (_label, headers) => {
    expect(retryAtFromHeaders(headers, now, 3600)).toBeNull();
  });
});

describe('throwForStatus', () => {
  const response = (status: number, body = '', headers: Record<string, string> = {}): HttpResponse => ({
    status,
    headers,
    head: Buffer.from(`HTTP/1.1 ${status} \r\n\r\n`, 'latin1'),
    body: Buffer.from(body),
    url: 'https://example.org/x',
    redirects: [],
  });
  const thrown = (r: HttpResponse): SourceError => {
    try {
      throwForStatus(r, 'fetching the status');
    } catch (error) {
      if (error instanceof SourceError) return error;
      throw error;
    }
    throw new Error('expected throwForStatus to throw');
  };

  it.each([200, 204, 299, 304])('passes %i', (status) => {
    expect(() => throwForStatus(response(status), 'x')).not.toThrow();
  });

  it.each([
    [401, ErrorCode.SourceAuthRequired],
    [403, ErrorCode.SourceAuthRequired],
    [404, ErrorCode.SourceNotFound],
    [410, ErrorCode.SourceGone],
    [429, ErrorCode.SourceRateLimited],
    [500, ErrorCode.SourceUnavailable],
    [503, ErrorCode.SourceUnavailable],
    [400, ErrorCode.SourceUnavailable],
    [302, ErrorCode.SourceUnavailable],
  ])('maps %i to %s', (status, code) => {
    const error = thrown(response(status));
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.message).toBe(`fetching the status: HTTP ${status}`);
  });

  it('does not parse an error body past ERROR_TEXT_MAX_BYTES (a hostile one would hold the event loop)', () => {
    const text = (padding: number) => `{"error":"Record not found","pad":"${'x'.repeat(padding)}"}`;
    const fits = text(ERROR_TEXT_MAX_BYTES - text(0).length);
    expect(thrown(response(404, fits)).message).toBe('fetching the status: HTTP 404: Record not found');
    expect(thrown(response(404, text(ERROR_TEXT_MAX_BYTES))).message).toBe('fetching the status: HTTP 404');
  });

  it('names the error text of a JSON body', () => {
    expect(thrown(response(404, '{"error":"Record not found"}')).message).toBe(
      'fetching the status: HTTP 404: Record not found',
    );
    expect(thrown(response(400, '{"error":"NotFound","message":"Post not found: at://x"}')).message).toBe(
      'fetching the status: HTTP 400: NotFound: Post not found: at://x',
    );
    expect(
      thrown(response(404, '{"errors":[{"detail":"Could not find tweet with id: [1]."}]}')).message,
    ).toBe('fetching the status: HTTP 404: Could not find tweet with id: [1].');
    expect(thrown(response(500, '<html>oops</html>')).message).toBe('fetching the status: HTTP 500');
  });

  it("prefers the guarded client's clamped retryAt over the raw header", () => {
    const clamped = new Date('2026-03-01T13:00:00Z');
    const error = thrown({ ...response(429, '', { 'retry-after': '3000000000' }), retryAt: clamped });
    expect(error.retryAt).toEqual(clamped);
    const unclamped = thrown(response(503, '', { 'retry-after': '3000000000' }));
    expect(unclamped.retryAt!.getTime() - Date.now()).toBeLessThanOrEqual(3600 * 1000);
  });

  it('gives a 429 the time to come back', () => {
    // a reset ten minutes from the real clock, which throwForStatus reads
    const reset = Math.floor(Date.now() / 1000) + 600;
    const error = thrown(response(429, '', { 'x-rate-limit-reset': String(reset) }));
    expect(error.retryAt).toEqual(new Date(reset * 1000));
    expect(thrown(response(429)).retryAt).toBeNull();
  });
});
