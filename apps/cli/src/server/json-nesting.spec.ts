import { BodyRefused, jsonDepthExceeds, MAX_JSON_DEPTH, refuseDeepJson } from './json-nesting';

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not brackets inside strings or after escaped quotes', () => {
    expect(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonDepthExceeds(`{"url":"${'['.repeat(1000)}"}`, 1)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"${'{'.repeat(1000)}"}`, 1)).toBe(false);
    expect(jsonDepthExceeds(`["\\\\",${'['.repeat(3)}]]]]`, 3)).toBe(true);
  });

  it('refuses 100,000 nested arrays with a 400 that says why', () => {
    const body = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
    let refused: unknown;
    try {
      refuseDeepJson(undefined, undefined, body, 'utf-8');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(BodyRefused);
    expect(refused).toMatchObject({ status: 400, type: 'entity.too.deep' });
    expect((refused as Error).message).toContain(`nested too deeply (more than ${MAX_JSON_DEPTH} levels`);
  });

  it('lets a body at the limit through', () => {
    const body = Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
    expect(() => refuseDeepJson(undefined, undefined, body, 'utf-8')).not.toThrow();
  });
});
