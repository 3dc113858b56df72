// Compiles TypeScript with SWC, keeping the source layout so that the @app/* aliases (rewritten to
// relative paths by SWC) resolve. Type checking is `npm run typecheck`.
//
//   node scripts/build.mjs               production: apps/ and libs/ into dist/, without libs/testing,
//                                        specs or fixtures (what the Docker image and `npm start` run)
//   node scripts/build.mjs --tests       everything, test/ and libs/testing included, into dist-test/
//                                        (the benches run from there)
//   node scripts/build.mjs --out <dir>   either of the above into <dir> instead
//
// Both also bundle the browser verifier (apps/api/src/browser/verify-entry.ts) with esbuild into
// <out>/assets/verify.js, which the API serves at GET /assets/verify.js.
import { transformFile } from '@swc/core';
import { build as esbuild } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const { values: args } = parseArgs({ options: { tests: { type: 'boolean' }, out: { type: 'string' } } });
const outDir = resolve(args.out ?? join(root, args.tests ? 'dist-test' : 'dist'));

/** Test code never enters the production build: the fakes, the e2e suites, the benches, specs, fixtures. */
const TEST_ONLY_DIRS = ['libs/testing', 'test'];
const TEST_ONLY_FILES = /\.(spec|e2e-spec|fixture)\.ts$/;
/** Browser code is bundled by esbuild below (assets/verify.js), never compiled for Node. */
const BROWSER_ONLY_DIRS = ['apps/api/src/browser'];
const tops = args.tests ? ['apps', 'libs', 'test'] : ['apps', 'libs'];

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(root, path);
    if (entry.isDirectory()) {
      if (BROWSER_ONLY_DIRS.includes(rel)) continue;
      if (args.tests || !TEST_ONLY_DIRS.includes(rel)) yield* sources(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      if (!entry.name.endsWith('.spec.ts') && (args.tests || !TEST_ONLY_FILES.test(entry.name))) yield path;
    }
  }
}

rmSync(outDir, { recursive: true, force: true });
const jobs = [];
for (const top of tops) {
  for (const file of sources(join(root, top))) {
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    jobs.push(
      transformFile(file, { cwd: root, sourceMaps: 'inline' }).then(({ code }) => {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, code);
      }),
    );
  }
}
await Promise.all(jobs);

/**
 * In the browser bundle, the ledger's crypto module (node:crypto) is replaced by its browser twin
 * (WebCrypto, else @noble): the rest of the verification code is bundled unchanged, the code the CLI runs.
 */
const LEDGER_CRYPTO = join(root, 'libs', 'ledger', 'src', 'crypto');
const ledgerBrowserCrypto = {
  name: 'ledger-browser-crypto',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/(\.\.\/)*crypto$/ }, (args) =>
      resolve(args.resolveDir, args.path) === LEDGER_CRYPTO
        ? { path: `${LEDGER_CRYPTO}.browser.ts` }
        : undefined,
    );
  },
};
await esbuild({
  entryPoints: [join(root, 'apps', 'api', 'src', 'browser', 'verify-entry.ts')],
  outfile: join(outDir, 'assets', 'verify.js'),
  tsconfig: join(root, 'apps', 'api', 'src', 'browser', 'tsconfig.json'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2020',
  minify: true,
  plugins: [ledgerBrowserCrypto],
  logLevel: 'warning',
});
