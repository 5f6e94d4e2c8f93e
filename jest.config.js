/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // PGlite starts in 1–3 s per file and Postgres databases are created per file.
  testTimeout: 60_000,
  // Two cores here; each PGlite instance takes a few hundred MB.
  maxWorkers: 2,
  // Every response and log line of the run is scanned for a secret sentinel at the end.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
};
