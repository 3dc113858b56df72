import { sha256Hex } from '@app/core';
import { useTestDatabase } from '@app/testing/test-database';
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
  const database = useTestDatabase();
  beforeEach(() => database.db.query('DELETE FROM api_tokens'));

  it('stores only the hash and accepts the token until it is revoked by id', async () => {
    const token = generateToken();
    expect(token).toMatch(/^vbt_[A-Za-z0-9_-]{32}$/);
    await insertToken(database.db, 'ci', token);
    const [row]: { token_sha256: string }[] = await database.db.query('SELECT token_sha256 FROM api_tokens');
    expect(row.token_sha256).toBe(sha256Hex(token));
    expect(await isTokenValid(database.db, token)).toBe(true);
    expect(await isTokenValid(database.db, generateToken())).toBe(false);

    const [listed] = await listTokens(database.db);
    expect(listed).toMatchObject({ name: 'ci', revokedAt: null });
    const revoked = await revokeTokens(database.db, listed.id);
    expect(revoked).toEqual([{ ...listed, revokedAt: expect.any(Date) }]);
    expect(await isTokenValid(database.db, token)).toBe(false);
    // revoking again finds nothing active
    expect(await revokeTokens(database.db, listed.id)).toEqual([]);
  });

  it('revokes every active token with a name, and only those', async () => {
    const [a, b, other] = [generateToken(), generateToken(), generateToken()];
    await insertToken(database.db, 'deploy', a);
    await insertToken(database.db, 'deploy', b);
    await insertToken(database.db, 'backup', other);
    const revoked = await revokeTokens(database.db, 'deploy');
    expect(revoked.map((t) => t.name)).toEqual(['deploy', 'deploy']);
    expect(await isTokenValid(database.db, a)).toBe(false);
    expect(await isTokenValid(database.db, b)).toBe(false);
    expect(await isTokenValid(database.db, other)).toBe(true);
    expect(await revokeTokens(database.db, 'nobody')).toEqual([]);
    const states = (await listTokens(database.db)).map((t) => [t.name, t.revokedAt === null]);
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
    await insertToken(database.db, 'cli', unrelated);
    expect(await seedAdminToken(database.db, first)).toEqual({ active: true, revoked: 0 });
    // a restart with the same value changes nothing
    expect(await seedAdminToken(database.db, first)).toEqual({ active: true, revoked: 0 });
    expect(await seedAdminToken(database.db, second)).toEqual({ active: true, revoked: 1 });
    expect(await isTokenValid(database.db, first)).toBe(false);
    expect(await isTokenValid(database.db, second)).toBe(true);
    expect(await isTokenValid(database.db, unrelated)).toBe(true);
    const admins = (await listTokens(database.db)).filter((t) => t.name === ADMIN_TOKEN_NAME);
    expect(admins.map((t) => t.revokedAt === null)).toEqual([false, true]);
  });

  it('keeps a revoked admin token revoked when it is seeded again', async () => {
    const admin = generateToken();
    await seedAdminToken(database.db, admin);
    await revokeTokens(database.db, ADMIN_TOKEN_NAME);
    expect(await seedAdminToken(database.db, admin)).toEqual({ active: false, revoked: 0 });
    expect(await isTokenValid(database.db, admin)).toBe(false);
  });
});
