import { type AddressInfo } from 'node:net';
import { checkConnectivity, ConfigError, configWarnings, loadConfig } from '@app/config';
import { createDataSource, databaseWarnings, runMigrations } from '@app/persistence';
import { createVerbatimApp } from './create-app';
import { type Roles } from './app.module';
import { checkLocalFiles } from './local-files';

/**
 * Boots a server: validate settings, check the data directory and key files, check PostgreSQL and Redis answer
 * (creating the database if needed), run migrations, warn of database settings that work against us, then start
 * the roles asked for. Every failure before listening ends the process with a message that says what to fix.
 */
export async function runServer(roles: Roles): Promise<void> {
  try {
    const config = loadConfig();
    for (const warning of configWarnings(config, roles)) console.warn(`Warning: ${warning}`);
    checkLocalFiles(config, roles);
    await checkConnectivity(config);
    const dataSource = createDataSource(config.databaseUrl, { poolSize: 2 });
    await dataSource.initialize();
    try {
      await runMigrations(dataSource);
      for (const warning of await databaseWarnings(dataSource)) console.warn(`Warning: ${warning}`);
    } finally {
      await dataSource.destroy();
    }
    const app = await createVerbatimApp(config, roles);
    await app.listen(config.http.port, config.http.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const what = [roles.api && 'API', roles.worker && 'workers'].filter(Boolean).join(' and ');
    console.log(
      `Verbatim ${what} listening on http://${config.http.host}:${port} (health: /health${roles.api ? ', API docs: /api/docs' : ''})`,
    );
  } catch (error) {
    console.error(
      error instanceof ConfigError ? error.message : `Verbatim could not start: ${(error as Error).message}`,
    );
    process.exit(1);
  }
}
