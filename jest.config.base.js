// Shared Jest settings. @swc/jest strips types only; `pnpm typecheck` runs tsc.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
};
