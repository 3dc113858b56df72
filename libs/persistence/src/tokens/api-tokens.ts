import { randomBytes } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { sha256Hex } from '@app/core';

/**
 * The name the token from VERBATIM_ADMIN_TOKEN is stored under. It marks which token was seeded as admin, so
 * that seeding a different one can revoke the one it replaces; `verbatim tokens create` refuses this name.
 */
export const ADMIN_TOKEN_NAME = 'admin (VERBATIM_ADMIN_TOKEN)';

export interface ApiToken {
  id: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

type Queryable = DataSource | EntityManager;

interface ApiTokenRow {
  id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new random token: shown once to whoever made it, stored only as its hash. */
export function generateToken(): string {
  return `vbt_${randomBytes(24).toString('base64url')}`;
}

/** Stores the token's hash under `name`; a token already stored (revoked or not) is left as it is. */
export async function insertToken(db: Queryable, name: string, token: string): Promise<void> {
  await db.query(
    `INSERT INTO api_tokens (name, token_sha256) VALUES ($1, $2) ON CONFLICT (token_sha256) DO NOTHING`,
    [name, sha256Hex(token)],
  );
}

/** True when the token is stored and not revoked. */
export async function isTokenValid(db: Queryable, token: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL`,
    [sha256Hex(token)],
  );
  return rows.length > 0;
}

/** Every token, oldest first; revoked ones too, so an operator can see what was revoked and when. */
export async function listTokens(db: Queryable): Promise<ApiToken[]> {
  const rows: ApiTokenRow[] = await db.query(
    `SELECT id, name, created_at, revoked_at FROM api_tokens ORDER BY created_at, id`,
  );
  return rows.map(toApiToken);
}

/**
 * Revokes the active token with this id, or every active token with this name. Returns what was revoked
 * (nothing when no active token matches).
 */
export async function revokeTokens(db: Queryable, idOrName: string): Promise<ApiToken[]> {
  const column = UUID.test(idOrName) ? 'id' : 'name';
  const [rows]: [ApiTokenRow[], number] = await db.query(
    `UPDATE api_tokens SET revoked_at = now() WHERE ${column} = $1 AND revoked_at IS NULL
     RETURNING id, name, created_at, revoked_at`,
    [idOrName],
  );
  return rows.map(toApiToken);
}

/**
 * Seeds VERBATIM_ADMIN_TOKEN and revokes any earlier admin token, so changing the variable retires the old
 * token. A seeded token that was revoked stays revoked (`active: false`): revocation is deliberate.
 */
export async function seedAdminToken(
  db: DataSource,
  token: string,
): Promise<{ active: boolean; revoked: number }> {
  return db.transaction(async (tx) => {
    await insertToken(tx, ADMIN_TOKEN_NAME, token);
    const [, revoked]: [unknown[], number] = await tx.query(
      `UPDATE api_tokens SET revoked_at = now()
       WHERE name = $1 AND token_sha256 <> $2 AND revoked_at IS NULL`,
      [ADMIN_TOKEN_NAME, sha256Hex(token)],
    );
    return { active: await isTokenValid(tx, token), revoked };
  });
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return { id: row.id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at };
}
