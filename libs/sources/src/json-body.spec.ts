import { ErrorCode, SourceError } from '@app/core';
import { MAX_JSON_BODY_DEPTH, parseJson } from './json-body';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJson', () => {
  it('reads JSON nested as deep as MAX_JSON_BODY_DEPTH', () => {
    expect(parseJson(Buffer.from(nested(MAX_JSON_BODY_DEPTH)), 'page')).toBeInstanceOf(Array);
  });

  it('refuses deeper JSON as nested too deeply, before parsing it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(() => parseJson(Buffer.from(nested(MAX_JSON_BODY_DEPTH + 1)), 'X timeline of @mfa')).toThrow(
        new SourceError(
          ErrorCode.SourceInvalidResponse,
          'X timeline of @mfa: the response is nested too deeply',
        ),
      );
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses what is not JSON', () => {
    expect(() => parseJson(Buffer.from('<html>'), 'page')).toThrow('page: the response is not JSON');
  });
});
