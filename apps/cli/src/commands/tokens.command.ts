import { generateToken, insertToken } from '@app/api/auth/token.service';
import { withDatabase } from './with-database';

export async function tokensCreateCommand(name: string): Promise<void> {
  await withDatabase(async (db) => {
    const token = generateToken();
    await insertToken(db, name, token);
    console.log(token);
    console.error(
      `token "${name}" created; it is shown only this once. Use it as: Authorization: Bearer <token>`,
    );
  });
}
