// Shared Jest settings. @swc/jest strips types only; `pnpm typecheck` runs tsc.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
  // Under CI a timer or socket that a failed test left open must not keep
  // Jest, and the whole run, waiting forever; Jest still names the handle.
  // Locally Jest waits, so that `--detectOpenHandles` can find the leak.
  forceExit: process.env.CI === 'true',
};
