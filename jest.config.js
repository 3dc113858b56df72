// Two projects: `unit` (specs beside the code) and `e2e` (suites in test/ against real Postgres and Redis).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
  },
];
const moduleNameMapper = {
  '^@app/([a-z]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
// apps are aliased too, for end-to-end suites
const appMapper = {
  '^@app/(api|worker|cli)$': '<rootDir>/apps/$1/src',
  '^@app/(api|worker|cli)/(.*)$': '<rootDir>/apps/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // these ship ESM only (canonicalize; pkijs, asn1js and their dependencies): let SWC turn them into CommonJS for jest
  // linkedom's own dependencies (css-select, htmlparser2 10 and theirs) are ESM only too
  transformIgnorePatterns: [
    '/node_modules/(?!(canonicalize|pkijs|asn1js|bytestreamjs|@peculiar|@noble|linkedom|css-select|css-what|nth-check|htmlparser2|entities|dom-serializer|boolbase|domhandler|domutils|domelementtype|html-escaper|cssomnom|uhyphen)/)',
  ],
  moduleNameMapper: { ...appMapper, ...moduleNameMapper },
};
module.exports = {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // test/tooling: checks of the repository's own tooling (lint layers, the production build)
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/tooling/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
    },
  ],
};
