import { type DataSource } from 'typeorm';
import { sha256Hex } from '@app/core';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { createDataSource } from '../data-source';
import {
  ADMIN_TOKEN_NAME,
  generateToken,
  insertToken,
  isTokenValid,
  listTokens,
  revokeTokens,
  seedAdminToken,
} from './api-tokens';

describe('API tokens (on a real database)', () => {
  let env: TestEnvironment;
  let db: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });
  beforeEach(() => db.query('DELETE FROM api_tokens'));

  it('stores only the hash and accepts the token until it is revoked by id', async () => {
    const token = generateToken();
    expect(token).toMatch(/^vbt_[A-Za-z0-9_-]{32}$/);
    await insertToken(db, 'ci', token);
    const [row]: { token_sha256: string }[] = await db.query('SELECT token_sha256 FROM api_tokens');
    expect(row.token_sha256).toBe(sha256Hex(token));
    expect(await isTokenValid(db, token)).toBe(true);
    expect(await isTokenValid(db, generateToken())).toBe(false);

    const [listed] = await listTokens(db);
    expect(listed).toMatchObject({ name: 'ci', revokedAt: null });
    const revoked = await revokeTokens(db, listed.id);
    expect(revoked).toEqual([{ ...listed, revokedAt: expect.any(Date) }]);
    expect(await isTokenValid(db, token)).toBe(false);
    // revoking again finds nothing active
    expect(await revokeTokens(db, listed.id)).toEqual([]);
  });

  it('revokes every active token with a name, and only those', async () => {
    const [a, b, other] = [generateToken(), generateToken(), generateToken()];
    await insertToken(db, 'deploy', a);
    await insertToken(db, 'deploy', b);
    await insertToken(db, 'backup', other);
    const revoked = await revokeTokens(db, 'deploy');
    expect(revoked.map((t) => t.name)).toEqual(['deploy', 'deploy']);
    expect(await isTokenValid(db, a)).toBe(false);
    expect(await isTokenValid(db, b)).toBe(false);
    expect(await isTokenValid(db, other)).toBe(true);
    expect(await revokeTokens(db, 'nobody')).toEqual([]);
    const states = (await listTokens(db)).map((t) => [t.name, t.revokedAt === null]);
    expect(states).toEqual(
      expect.arrayContaining([
        ['deploy', false],
        ['deploy', false],
        ['backup', true],
      ]),
    );
  });

  it('seeding a different admin token revokes the one seeded before', async () => {
    const first = generateToken();
    const second = generateToken();
    const unrelated = generateToken();
    await insertToken(db, 'cli', unrelated);
    expect(await seedAdminToken(db, first)).toEqual({ active: true, revoked: 0 });
    // a restart with the same value changes nothing
    expect(await seedAdminToken(db, first)).toEqual({ active: true, revoked: 0 });
    expect(await seedAdminToken(db, second)).toEqual({ active: true, revoked: 1 });
    expect(await isTokenValid(db, first)).toBe(false);
    expect(await isTokenValid(db, second)).toBe(true);
    expect(await isTokenValid(db, unrelated)).toBe(true);
    const admins = (await listTokens(db)).filter((t) => t.name === ADMIN_TOKEN_NAME);
    expect(admins.map((t) => t.revokedAt === null)).toEqual([false, true]);
  });

  it('keeps a revoked admin token revoked when it is seeded again', async () => {
    const admin = generateToken();
    await seedAdminToken(db, admin);
    await revokeTokens(db, ADMIN_TOKEN_NAME);
    expect(await seedAdminToken(db, admin)).toEqual({ active: false, revoked: 0 });
    expect(await isTokenValid(db, admin)).toBe(false);
  });
});
