import { Command, Option } from 'commander';
import { VERBATIM_VERSION } from '@app/core';
import { demoCommand } from './commands/demo.command';
import { migrateCommand } from './commands/migrate.command';
import { serveCommand } from './commands/serve.command';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from './commands/tokens.command';
import { registerVerifyCommand } from './commands/verify.command';
import { auditCommand, type AuditCommandOptions } from './commands/audit.command';
import { extractCommand, type ExtractCommandOptions } from './commands/extract.command';

/** A wrong option or argument: the commands' own checks (verify, audit, extract) exit 2 for theirs too. */
const EXIT_USAGE = 2;

const program = new Command()
  .name('verbatim')
  .description('Verbatim: a verifiable archive of official statements')
  .version(VERBATIM_VERSION)
  // commander exits 1 on a wrong option, which to a script means "not verified" or "audit failed"; set before
  // the commands are added, which inherit it. Help and --version (exit code 0) end as commander ends them.
  .exitOverride((error) => {
    if (error.exitCode !== 0) process.exit(EXIT_USAGE);
  });

program
  .command('serve')
  .description('run migrations, then the API and/or the workers')
  .addOption(
    new Option('--role <role>', 'what this process runs').choices(['all', 'api', 'worker']).default('all'),
  )
  .action((opts: { role: 'all' | 'api' | 'worker' }) => serveCommand(opts.role));

program
  .command('migrate')
  .description('create the database if it does not exist yet, and apply pending migrations')
  .action(migrateCommand);

const tokens = program.command('tokens').description('API tokens for writes');
tokens
  .command('create')
  .description('make a new token; it is printed once and stored only as its hash')
  .option('--name <name>', 'what the token is for', 'cli')
  .action((opts: { name: string }) => tokensCreateCommand(opts.name));
tokens
  .command('list')
  .description('list every token (id, created, active or revoked, name); never the tokens themselves')
  .action(tokensListCommand);
tokens
  .command('revoke')
  .description('revoke the token with this id, or every active token with this name')
  .argument('<id-or-name>', 'a token id from `verbatim tokens list`, or a token name')
  .action(async (idOrName: string) => {
    process.exitCode = await tokensRevokeCommand(idOrName);
  });

program
  .command('demo')
  .description(
    "archive Dmytro Kuleba's post of 27 February 2022 from a local X-shaped API, end to end, with no internet",
  )
  .option('--keep', 'keep the server running afterwards so you can browse the API')
  .action((opts: { keep?: boolean }) => demoCommand(opts));

registerVerifyCommand(program);

program
  .command('extract')
  .description(
    'read an article (text or HTML) for the statements it quotes and record them as quoted statements',
  )
  .argument('<file>', 'the article, as text or HTML')
  .addOption(
    new Option('--format <format>', 'how to read the file (default: HTML if it looks like markup)').choices([
      'text',
      'html',
    ]),
  )
  .option('--source-url <url>', "where the article was published, kept as the quotes' provenance")
  .option('--dry-run', 'print what was found; record nothing and never open the database')
  .option('--json', 'print the result as JSON')
  .action(async (file: string, opts: ExtractCommandOptions) => {
    process.exitCode = await extractCommand(file, opts);
  });

program
  .command('audit')
  .description('recompute the whole log from its entries and check every node, checkpoint and artifact')
  .option('--key <key-or-file>', "the log's verifier key (default: the configured log key)")
  .option('--batch-size <n>', 'entries read per query', '10000')
  .option('--json', 'print the full report as JSON')
  .action(async (opts: AuditCommandOptions) => {
    process.exitCode = await auditCommand(opts);
  });

program.parseAsync().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
