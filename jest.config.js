'use strict';
// Tests run in a zone that is neither UTC (the cloud) nor Shanghai (the business), so code that
// leans on the host's zone fails here instead of in production.
process.env.TZ = 'America/New_York';
const transform = { '^.+\\.ts$': '<rootDir>/test/helpers/esbuild-transform.js' };
const common = { rootDir: __dirname, transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'db', testMatch: ['<rootDir>/test/db/**/*.test.ts'] },
    // Instances cold-start the real SDK in worker threads; on a loaded 2-core machine that is slow.
    { ...common, displayName: 'functions', testMatch: ['<rootDir>/test/functions/**/*.test.ts'], testTimeout: 30_000 },
    // Built .js first: pages are tested as DevTools runs them.
    { ...common, displayName: 'miniprogram', testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts'], moduleFileExtensions: ['js', 'ts', 'json'] },
  ],
  // Project-level testTimeout is not applied by Jest 30; the functions project needs the long one.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
