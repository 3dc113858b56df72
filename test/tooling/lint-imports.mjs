// Lints source texts with the repository's eslint.config.mjs and prints what no-restricted-imports says.
// A child process because ESLint loads its flat config with import(), which jest's module sandbox refuses.
// Input (stdin): [{ "code": "...", "filePath": "libs/core/src/x.ts" }, ...]; output (stdout): one array of
// messages per input. Type-aware rules are switched off: the layer rules need no types, and the paths are
// made up, so the TypeScript project would not know them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = resolve(import.meta.dirname, '..', '..');
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: resolve(root, 'eslint.config.mjs'),
  overrideConfig: [tseslint.configs.disableTypeChecked],
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
const results = [];
for (const { code, filePath } of cases) {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, filePath), warnIgnored: true });
  results.push(
    result.messages.map(({ ruleId, message, fatal }) => ({ ruleId, message, fatal: fatal ?? false })),
  );
}
process.stdout.write(JSON.stringify(results));
