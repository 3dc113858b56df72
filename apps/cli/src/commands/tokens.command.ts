import {
  ADMIN_TOKEN_NAME,
  generateToken,
  insertToken,
  listTokens,
  revokeTokens,
  type ApiToken,
} from '@app/persistence';
import { withDatabase } from './with-database';

export async function tokensCreateCommand(name: string): Promise<void> {
  // the name is how a token is listed and revoked: a blank one could be neither told apart nor named
  if (name.trim() === '') throw new Error('--name: say what the token is for, such as "newsroom-alerts"');
  // the admin name marks the token seeded from VERBATIM_ADMIN_TOKEN: a second one would be revoked at boot
  if (name === ADMIN_TOKEN_NAME)
    throw new Error(`"${ADMIN_TOKEN_NAME}" is reserved for the token seeded from VERBATIM_ADMIN_TOKEN`);
  await withDatabase(async (db) => {
    const token = generateToken();
    await insertToken(db, name, token);
    console.log(token);
    console.error(
      `token "${name}" created; it is shown only this once. Use it as: Authorization: Bearer <token>`,
    );
  });
}

export async function tokensListCommand(): Promise<void> {
  await withDatabase(async (db) => {
    const tokens = await listTokens(db);
    if (tokens.length === 0) {
      console.error('no tokens yet: make one with `verbatim tokens create --name <what-for>`');
      return;
    }
    for (const token of tokens) console.log(describeToken(token));
  });
}

/** Revokes by id, or every active token with that name; exits 1 when nothing active matched. */
export async function tokensRevokeCommand(idOrName: string): Promise<number> {
  return withDatabase(async (db) => {
    const revoked = await revokeTokens(db, idOrName);
    if (revoked.length === 0) {
      console.error(`no active token has the id or name "${idOrName}" (see \`verbatim tokens list\`)`);
      return 1;
    }
    for (const token of revoked) console.log(`revoked ${describeToken(token)}`);
    return 0;
  });
}

/** One line per token: id, created, state, name (last, as it may contain spaces). */
function describeToken(token: ApiToken): string {
  const state = token.revokedAt ? `revoked ${token.revokedAt.toISOString()}` : 'active';
  return `${token.id}  ${token.createdAt.toISOString()}  ${state}  ${token.name}`;
}
