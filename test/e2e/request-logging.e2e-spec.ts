import { storage } from 'nestjs-pino/storage';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startTestApp, type TestApp } from './support/app';

/**
 * The workers share the API's process in the single-machine install. nestjs-pino's request middleware runs
 * each request inside an AsyncLocalStorage, and the first such request turns promise hooks on for the whole
 * process, for good: every promise of every poll then pays for them. Requests are logged without it.
 */
describe('request logging', () => {
  let env: TestEnvironment;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(env.config());
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  it('serves requests without entering nestjs-pino’s AsyncLocalStorage', async () => {
    await app.http().get('/api/v1/statements').expect(200);
    await app.http().get('/api/v1/statements/not-a-uuid').expect(400);
    await app.http().get('/health').expect(200);
    // AsyncLocalStorage.enabled: set by its first run(), when Node 20 starts the promise hooks it needs (later
    // Node versions carry the context without promise hooks, and may not have the field)
    expect((storage as unknown as { enabled?: boolean }).enabled).not.toBe(true);
  });
});
