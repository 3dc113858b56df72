import { BodyRefused, MAX_JSON_DEPTH, refuseDeepJson } from './json-nesting';

describe('refuseDeepJson', () => {
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
