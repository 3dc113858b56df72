import { ADMIN_TOKEN_NAME } from '@app/persistence';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startTestApp } from './support/app';
import { startCli, stopAll, waitForExit } from './support/processes';

/** Runs the built `verbatim <args>` on the test environment and waits for it to finish. */
async function verbatim(env: TestEnvironment, ...args: string[]) {
  const proc = startCli(args, env.env());
  const exit = await waitForExit(proc, 30_000);
  return { code: exit.code, output: proc.output() };
}

describe('verbatim tokens (the built CLI) and the seeded admin token', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await createTestEnvironment();
  });
  afterAll(async () => {
    await stopAll();
    await env?.destroy();
  });

  it('creates, lists and revokes tokens, and the API follows', async () => {
    const created = await verbatim(env, 'tokens', 'create', '--name', 'deploy bot');
    expect(created.code).toBe(0);
    const token = /^(vbt_\S+)$/m.exec(created.output)?.[1];
    expect(token).toBeDefined();

    const app = await startTestApp(env.config(), { roles: { api: true, worker: false } });
    try {
      const patch = () => app.http().patch('/api/v1/accounts/00000000-0000-0000-0000-000000000000');
      await patch().set('Authorization', `Bearer ${token}`).send({}).expect(404);

      const listed = await verbatim(env, 'tokens', 'list');
      expect(listed.code).toBe(0);
      const line = listed.output.split('\n').find((l) => l.endsWith('  deploy bot'));
      expect(line).toMatch(/^[0-9a-f-]{36} {2}\S+Z {2}active {2}deploy bot$/);
      expect(listed.output).not.toContain(token);

      const revoked = await verbatim(env, 'tokens', 'revoke', 'deploy bot');
      expect(revoked.code).toBe(0);
      expect(revoked.output).toMatch(/^revoked [0-9a-f-]{36} .* revoked \S+Z {2}deploy bot$/m);
      await patch().set('Authorization', `Bearer ${token}`).send({}).expect(401);

      const again = await verbatim(env, 'tokens', 'revoke', line!.slice(0, 36));
      expect(again.code).toBe(1);
      expect(again.output).toContain('no active token has the id or name');
      expect((await verbatim(env, 'tokens', 'list')).output).toMatch(/ {2}revoked \S+Z {2}deploy bot$/m);
    } finally {
      await app.close();
    }
  });

  it('refuses to create a token under the admin name, or under a blank one', async () => {
    const refused = await verbatim(env, 'tokens', 'create', '--name', ADMIN_TOKEN_NAME);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('is reserved for the token seeded from VERBATIM_ADMIN_TOKEN');
    for (const blank of ['', '   ']) {
      const nameless = await verbatim(env, 'tokens', 'create', '--name', blank);
      expect(nameless.code).toBe(1);
      expect(nameless.output).toContain('--name: say what the token is for');
    }
  });

  it('a changed VERBATIM_ADMIN_TOKEN revokes the previous one at boot', async () => {
    const write = (app: Awaited<ReturnType<typeof startTestApp>>, token: string) =>
      app
        .http()
        .patch('/api/v1/accounts/00000000-0000-0000-0000-000000000000')
        .set('Authorization', `Bearer ${token}`)
        .send({});
    const first = await startTestApp(env.config({ VERBATIM_ADMIN_TOKEN: 'first-admin-token-0123456789' }), {
      roles: { api: true, worker: false },
    });
    await write(first, 'first-admin-token-0123456789').expect(404);
    await first.close();

    const second = await startTestApp(env.config({ VERBATIM_ADMIN_TOKEN: 'second-admin-token-0123456789' }), {
      roles: { api: true, worker: false },
    });
    try {
      await write(second, 'second-admin-token-0123456789').expect(404);
      await write(second, 'first-admin-token-0123456789').expect(401);
    } finally {
      await second.close();
    }
  });
});
