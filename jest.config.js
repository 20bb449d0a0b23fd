// Test layers, run in this order of cost. `npm test` runs them all; a single layer runs with
// `npx jest --selectProjects <name>` once `npm run setup` has been run.
const tsJest = { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false } }] };

/** @type {import('jest').Config} */
module.exports = {
  // Longest files first, also on a machine without jest's cache (CI): see the file.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
    },
    {
      displayName: 'smoke',
      testMatch: ['<rootDir>/test/smoke/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      slowTestThreshold: 120,
    },
    {
      displayName: 'terraform',
      testMatch: ['<rootDir>/test/terraform/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      slowTestThreshold: 120,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      slowTestThreshold: 60,
    },
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      slowTestThreshold: 300,
    },
    {
      // Bad inputs, faults, concurrency and leaks on the local stack; each test records its row of RELIABILITY.md.
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/reliability/test-times.ts'],
      transform: tsJest,
      testEnvironment: 'node',
      slowTestThreshold: 300,
    },
  ],
};
