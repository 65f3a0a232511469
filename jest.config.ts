/** @jest-config-loader ts-node */
/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc transpiles only; `npm run build` (tsc --noEmit) is the type check.
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Synthesizes every environment once per run; test files read the result from disk.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  snapshotSerializers: ['<rootDir>/test/support/asset-serializer.ts'],
  testTimeout: 60_000,
};

export default config;
