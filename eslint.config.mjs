import { readdirSync } from 'node:fs';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// ---- Layers (docs/architecture.md): apps -> libs, never back up, never sideways between apps. ----
// Read from the tree, so a new app or lib is covered without touching this file.
const dirsOf = (dir) =>
  readdirSync(new URL(dir, import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
const APPS = dirsOf('./apps');
const LIBS = dirsOf('./libs');
/**
 * The one app allowed to import apps: `verbatim serve` assembles ApiModule and WorkerModule into a process
 * (apps/cli/src/server). It may use their public index only (`@app/api`, `@app/worker`), never their insides.
 */
const COMPOSITION_ROOT = 'cli';
/** The domain and the log: plain TypeScript that imports nothing of ours (the browser verifier runs ledger). */
const STANDALONE_LIBS = ['core', 'ledger'];

const alias = (names) => `^@app/(${names.join('|')})(/|$)`;
/** a relative path with an `apps/` or `libs/<name>` segment: reaching across the tree without an alias */
const relativeInto = (path) => `^\\.\\.?/(.*/)?${path}(/|$)`;

const CROSS_BOUNDARY = {
  group: ['../../*'],
  message: 'Use the @app/<lib> aliases across lib and app boundaries.',
};
const NO_RELATIVE_APPS = {
  regex: relativeInto('apps'),
  message:
    'Do not reach into apps/ by a relative path: libs never import apps, and apps never import each other.',
};
const NO_TESTING = [
  {
    regex: alias(['testing']),
    message:
      'Production code never imports @app/testing (fakes and failure injection); only specs and test/ do.',
  },
  { regex: relativeInto('libs/testing'), message: 'Production code never imports libs/testing.' },
];
const noApps = (message) => [{ regex: alias(APPS), message }, NO_RELATIVE_APPS];

function appPatterns(app) {
  if (app === COMPOSITION_ROOT)
    return [
      {
        regex: `^@app/(${APPS.filter((other) => other !== app).join('|')})/`,
        message: `apps/${app} is the composition root: import an app only through its public index (@app/<app>), not its files.`,
      },
      NO_RELATIVE_APPS,
    ];
  return [
    {
      regex: alias(APPS.filter((other) => other !== app)),
      message: `An app never imports another app: share code through a lib; only apps/${COMPOSITION_ROOT} (the composition root) assembles apps.`,
    },
    NO_RELATIVE_APPS,
  ];
}

function libPatterns(lib, { spec }) {
  if (STANDALONE_LIBS.includes(lib)) {
    // its own alias is itself; its specs may still use the test helpers
    const allowed = spec ? [lib, 'testing'] : [lib];
    return [
      {
        regex: `^@app/(?!(${allowed.join('|')})(/|$))`,
        message: `libs/${lib} imports nothing of ours (no @app/* libs or apps): it is plain TypeScript others build on.`,
      },
      { regex: relativeInto('libs'), message: `libs/${lib} imports nothing of ours.` },
      NO_RELATIVE_APPS,
    ];
  }
  return noApps('A lib never imports an app: move what both need into a lib.');
}

const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns: [CROSS_BOUNDARY, ...patterns] }] },
});

const SPECS = '**/*.spec.ts';
const layerRules = [
  ...APPS.flatMap((app) => [
    restrict([`apps/${app}/**/*.ts`], [...appPatterns(app), ...NO_TESTING], [SPECS]),
    restrict([`apps/${app}/**/${SPECS}`], appPatterns(app)),
  ]),
  ...LIBS.flatMap((lib) => [
    restrict(
      [`libs/${lib}/**/*.ts`],
      [...libPatterns(lib, { spec: false }), ...(lib === 'testing' ? [] : NO_TESTING)],
      [SPECS],
    ),
    restrict([`libs/${lib}/**/${SPECS}`], libPatterns(lib, { spec: true })),
  ]),
];

export default tseslint.config(
  {
    // JavaScript (build output, configs, test/tooling helpers) is outside the TypeScript project the typed rules use
    ignores: [
      'dist/**',
      'dist-test/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      'scripts/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // test/ (end-to-end suites, benches) may import anything; the layers below narrow this per app and lib
      'no-restricted-imports': ['error', { patterns: [CROSS_BOUNDARY] }],
    },
  },
  ...layerRules,
);
