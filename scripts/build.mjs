// Compiles apps/, libs/ and test/ into dist/ with SWC, keeping the source layout so that
// the @app/* aliases (rewritten to relative paths by SWC) resolve. Type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'dist');

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts'))
      yield path;
  }
}

rmSync(outDir, { recursive: true, force: true });
const jobs = [];
for (const top of ['apps', 'libs', 'test']) {
  for (const file of sources(join(root, top))) {
    const target = join(outDir, file.slice(root.length + 1)).replace(/\.ts$/, '.js');
    jobs.push(
      transformFile(file, { cwd: root, sourceMaps: 'inline' }).then(({ code }) => {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, code);
      }),
    );
  }
}
await Promise.all(jobs);
