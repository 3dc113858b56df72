import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// The layer rules of eslint.config.mjs, run on fixture texts with realistic paths: each forbidden direction
// must be reported by no-restricted-imports, and the imports the layers rely on must pass.

interface Case {
  what: string;
  filePath: string;
  code: string;
}
interface Forbidden extends Case {
  /** part of the message that names the broken rule */
  says: string;
}
type Message = { ruleId: string | null; message: string; fatal: boolean };

const use = (source: string, name = 'Thing') =>
  `import { ${name} } from '${source}';\nexport const used = ${name};\n`;

const APP_TO_APP = 'An app never imports another app';
const LIB_TO_APP = 'A lib never imports an app';
const NOTHING_OF_OURS = 'imports nothing of ours';
const NO_TESTING = 'Production code never imports @app/testing';
const RELATIVE_APPS = 'Do not reach into apps/ by a relative path';
/** any `../../`: a relative path that leaves its lib or app (caught whatever the target) */
const CROSS_BOUNDARY = 'Use the @app/<lib> aliases across lib and app boundaries';

const FORBIDDEN: Forbidden[] = [
  {
    what: 'api imports the worker',
    filePath: 'apps/api/src/statements/reindex.ts',
    code: use('@app/worker', 'WorkerModule'),
    says: APP_TO_APP,
  },
  {
    what: 'worker imports a file of the api',
    filePath: 'apps/worker/src/poll/poll-account.use-case.ts',
    code: use('@app/api/auth/token.service', 'TokenService'),
    says: APP_TO_APP,
  },
  {
    what: 'api imports the cli (the composition root)',
    filePath: 'apps/api/src/accounts/accounts.controller.ts',
    code: `import { type Roles } from '@app/cli/server';\nexport type R = Roles;\n`,
    says: APP_TO_APP,
  },
  {
    what: 'worker reaches the api by a relative path',
    filePath: 'apps/worker/src/worker.module.ts',
    code: use('../../api/src/api.module', 'ApiModule'),
    says: CROSS_BOUNDARY,
  },
  {
    what: 'the composition root imports an app file, not its index',
    filePath: 'apps/cli/src/commands/serve.command.ts',
    code: use('@app/worker/poll/poll-account.use-case', 'PollAccountUseCase'),
    says: 'composition root',
  },
  {
    what: 'sources imports the worker',
    filePath: 'libs/sources/src/mastodon/mastodon-connector.ts',
    code: use('@app/worker', 'SchedulerService'),
    says: LIB_TO_APP,
  },
  {
    what: 'persistence re-exports from the api',
    filePath: 'libs/persistence/src/index.ts',
    code: `export * from '@app/api';\n`,
    says: LIB_TO_APP,
  },
  {
    what: 'a lib reaches an app by a relative path',
    filePath: 'libs/persistence/src/tokens/api-tokens.ts',
    code: use('../../../../apps/api/src/auth/token.service', 'TokenService'),
    says: RELATIVE_APPS,
  },
  {
    what: 'the testing lib imports an app',
    filePath: 'libs/testing/src/test-environment.ts',
    code: use('@app/cli/server', 'AppModule'),
    says: LIB_TO_APP,
  },
  {
    what: 'a lib spec imports an app',
    filePath: 'libs/log/src/integrate-log.spec.ts',
    code: use('@app/worker', 'WorkerModule'),
    says: LIB_TO_APP,
  },
  {
    what: 'core imports persistence',
    filePath: 'libs/core/src/record.ts',
    code: use('@app/persistence', 'createDataSource'),
    says: NOTHING_OF_OURS,
  },
  {
    what: 'ledger imports core',
    filePath: 'libs/ledger/src/merkle.ts',
    code: use('@app/core', 'sha256Hex'),
    says: NOTHING_OF_OURS,
  },
  {
    what: 'ledger imports an app',
    filePath: 'libs/ledger/src/evidence/bundle.ts',
    code: use('@app/api', 'ApiModule'),
    says: NOTHING_OF_OURS,
  },
  {
    what: 'core reaches another lib by a relative path',
    filePath: 'libs/core/src/hash.ts',
    code: use('../../config/src/config', 'loadConfig'),
    says: CROSS_BOUNDARY,
  },
  {
    what: 'a ledger spec imports a lib other than testing',
    filePath: 'libs/ledger/src/merkle.spec.ts',
    code: use('@app/log', 'LogModule'),
    says: NOTHING_OF_OURS,
  },
  {
    what: 'the demo imports the test fakes',
    filePath: 'apps/cli/src/commands/demo.command.ts',
    code: use('@app/testing/fake-mastodon', 'startFakeMastodon'),
    says: NO_TESTING,
  },
  {
    what: 'a worker use case imports the test fakes',
    filePath: 'apps/worker/src/capture/capture-url.use-case.ts',
    code: use('@app/testing', 'testHttpClient'),
    says: NO_TESTING,
  },
  {
    what: 'the sandbox imports the test fakes',
    filePath: 'libs/sandbox/src/mastodon/sandbox-mastodon-server.ts',
    code: use('@app/testing/fake-mastodon', 'startFakeMastodon'),
    says: NO_TESTING,
  },
  {
    what: 'ledger code imports the test TSA',
    filePath: 'libs/ledger/src/timestamp/request-timestamp.ts',
    code: use('@app/testing/test-tsa', 'startTestTsa'),
    says: NOTHING_OF_OURS,
  },
];

const ALLOWED: Case[] = [
  {
    what: 'the composition root imports the api and worker indexes',
    filePath: 'apps/cli/src/server/app.module.ts',
    code: `import { ApiModule } from '@app/api';\nimport { WorkerModule } from '@app/worker';\nexport const roles = [ApiModule, WorkerModule];\n`,
  },
  {
    what: 'an app imports libs',
    filePath: 'apps/api/src/accounts/track-account.use-case.ts',
    code: `import { sha256Hex } from '@app/core';\nimport { insertToken } from '@app/persistence';\nexport const x = [sha256Hex, insertToken];\n`,
  },
  {
    what: 'an app imports its own files',
    filePath: 'apps/worker/src/worker.module.ts',
    code: use('./poll/poll-account.use-case', 'PollAccountUseCase'),
  },
  {
    what: 'an app spec imports the test helpers',
    filePath: 'apps/api/src/auth/token.guard.spec.ts',
    code: use('@app/testing/test-environment', 'createTestEnvironment'),
  },
  {
    what: 'a lib spec imports the test fakes',
    filePath: 'libs/sources/src/mastodon/mastodon-connector.spec.ts',
    code: use('@app/testing/fake-mastodon', 'startFakeMastodon'),
  },
  {
    what: 'a ledger spec imports the test TSA and its own fixture',
    filePath: 'libs/ledger/src/timestamp/timestamp-token.spec.ts',
    code: `import { startTestTsa } from '@app/testing/test-tsa';\nimport { buildSampleLog } from '@app/ledger/evidence/sample-bundle.fixture';\nexport const x = [startTestTsa, buildSampleLog];\n`,
  },
  {
    what: 'ledger imports its own modules',
    filePath: 'libs/ledger/src/evidence/bundle.ts',
    code: use('../merkle', 'leafHash'),
  },
  {
    what: 'the test fakes import production libs',
    filePath: 'libs/testing/src/fake-mastodon/fake-mastodon-server.ts',
    code: `import { renderStatus } from '@app/sandbox';\nimport { createDataSource } from '@app/persistence';\nexport const x = [renderStatus, createDataSource];\n`,
  },
  {
    what: 'the demo imports the sandbox',
    filePath: 'apps/cli/src/commands/demo.command.ts',
    code: use('@app/sandbox', 'startSandboxMastodon'),
  },
  {
    what: 'end-to-end support imports apps and the test helpers',
    filePath: 'test/e2e/support/app.ts',
    code: `import { AppModule } from '@app/cli/server';\nimport { SchedulerService } from '@app/worker';\nimport { createTestEnvironment } from '@app/testing/test-environment';\nexport const x = [AppModule, SchedulerService, createTestEnvironment];\n`,
  },
];

function lint(cases: Case[]): Message[][] {
  const output = execFileSync(process.execPath, [join(__dirname, 'lint-imports.mjs')], {
    input: JSON.stringify(cases.map(({ code, filePath }) => ({ code, filePath }))),
    encoding: 'utf8',
  });
  return JSON.parse(output) as Message[][];
}

describe('the layer rules in eslint.config.mjs', () => {
  let forbidden: Message[][];
  let allowed: Message[][];

  beforeAll(() => {
    const results = lint([...FORBIDDEN, ...ALLOWED]);
    forbidden = results.slice(0, FORBIDDEN.length);
    allowed = results.slice(FORBIDDEN.length);
  });

  it.each(FORBIDDEN.map((c, i) => [c.what, i] as const))('reports: %s', (_what, i) => {
    const messages = forbidden[i];
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    expect(messages.map((m) => m.message).join('\n')).toContain(FORBIDDEN[i].says);
  });

  it.each(ALLOWED.map((c, i) => [c.what, i] as const))('allows: %s', (_what, i) => {
    expect(allowed[i]).toEqual([]);
  });
});
