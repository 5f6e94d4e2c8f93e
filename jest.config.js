/**
 * `npm test` always runs the suite on an embedded PGlite ("pglite" project) and, when
 * TEST_DATABASE_URL names a Postgres server, a second time against it ("postgres" project).
 * @type {import('jest').Config}
 */
const project = (name) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: [`<rootDir>/test/setup/${name}.ts`],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
});

module.exports = {
  projects: [project('pglite'), ...(process.env.TEST_DATABASE_URL ? [project('postgres')] : [])],
  // PGlite starts in 1–3 s per file and Postgres databases are created per file.
  testTimeout: 60_000,
  // Two cores here; each PGlite instance takes a few hundred MB.
  maxWorkers: 2,
  // Every response and log line of the run is scanned for a secret sentinel at the end.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};
