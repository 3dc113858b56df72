import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

// scripts/build.mjs: the production build (dist/, what Docker and `npm start` run) holds no test code; the
// test build (dist-test/, what the benches run) holds everything.

const ROOT = resolve(__dirname, '..', '..');
const TEST_CODE = /^(libs\/testing|test)\//;

function build(outDir: string, ...flags: string[]): string[] {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--out', outDir, ...flags], {
    stdio: 'pipe',
  });
  return filesUnder(outDir).map((file) => relative(outDir, file));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** The relative modules a built file requires, as paths inside the build. */
function localRequires(outDir: string, file: string): string[] {
  const code = readFileSync(join(outDir, file), 'utf8');
  return [...code.matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)].map(([, path]) =>
    relative(outDir, resolve(dirname(join(outDir, file)), path)),
  );
}

describe('the production build', () => {
  let outDir: string;
  let files: string[];

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'verbatim-build-'));
    files = build(outDir);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('contains the apps and the libs, the demo sandbox included', () => {
    expect(files).toContain('apps/cli/src/main.js');
    expect(files).toContain('apps/api/src/api.module.js');
    expect(files).toContain('apps/worker/src/worker.module.js');
    expect(files).toContain('libs/sandbox/src/mastodon/sandbox-mastodon-server.js');
  });

  it('has the parse worker scripts beside the modules that start them (threads load them by path)', () => {
    expect(files).toContain('libs/sources/src/feeds/feed-parsing.js');
    expect(files).toContain('libs/sources/src/feeds/feed-parse-worker.js');
    expect(files).toContain('libs/sources/src/web/page-parsing.js');
    expect(files).toContain('libs/sources/src/web/page-parse-worker.js');
    expect(files).toContain('libs/sources/src/json-parsing/json-parsing.js');
    expect(files).toContain('libs/sources/src/json-parsing/json-parse-worker.js');
  });

  it('holds the browser verifier as one self-contained script, and no browser code compiled for node', () => {
    expect(files).toContain('assets/verify.js');
    expect(files.filter((file) => file.startsWith('apps/api/src/browser/'))).toEqual([]);
    const script = readFileSync(join(outDir, 'assets', 'verify.js'), 'utf8');
    // an IIFE with nothing left to load: no require, no import, no node built-in, no eval under the CSP
    expect(script).toMatch(/^"use strict";\(\(\)=>\{/);
    expect(script).not.toMatch(/\brequire\(|\bimport\(|node:|\beval\(|new Function\(/);
    // the ledger's verifier is in it, with the browser crypto in place of node:crypto
    expect(script).toContain('SHA-256 of the RFC 8785 bytes of the record is');
    expect(script).toContain('@noble/curves');
  });

  it('contains nothing from libs/testing or test/, and no specs or fixtures', () => {
    expect(files.filter((file) => TEST_CODE.test(file))).toEqual([]);
    expect(files.filter((file) => /\.(spec|e2e-spec|fixture)\.js$/.test(file))).toEqual([]);
  });

  it('requires nothing that is not in it', () => {
    const js = files.filter((file) => file.endsWith('.js'));
    const missing = js.flatMap((file) =>
      localRequires(outDir, file)
        .filter(
          (target) =>
            !files.includes(target) &&
            !files.includes(`${target}.js`) &&
            !files.includes(`${target}/index.js`),
        )
        .map((target) => `${file} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('loads every module of the CLI from the build alone (and the npm dependencies)', () => {
    const help = execFileSync(process.execPath, [join(outDir, 'apps/cli/src/main.js'), 'tokens', '--help'], {
      encoding: 'utf8',
      // the build sits in a temporary directory: show it the dependencies, as /app/node_modules in the image
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    expect(help).toMatch(/create \[options\]/);
    expect(help).toMatch(/list/);
    expect(help).toMatch(/revoke <id-or-name>/);
  });
});

describe('the test build (--tests)', () => {
  it('adds test/ and libs/testing, for the benches', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'verbatim-build-tests-'));
    try {
      const files = build(outDir, '--tests');
      expect(files).toContain('test/bench/log.bench.js');
      expect(files).toContain('libs/testing/src/test-environment.js');
      expect(files).toContain('apps/cli/src/main.js');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
