/** @jest-config-loader ts-node */
/** @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from 'jest';

// swc transpiles only; `npm run build` (tsc --noEmit) is the type check.
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

/** Tests at the top of test/ that build what they need themselves. */
const STANDALONE = [
  'config',
  'config-aws',
  'config-docs',
  'config-environments',
  'acknowledgments',
  'boundaries',
  'validation-cache',
].map((name) => `<rootDir>/test/${name}.test.ts`);

/**
 * Two projects:
 * - `constructs`: construct, config, rule-pack and Lambda tests that build their own small stacks; no global
 *   synthesis (`npm test -- --selectProjects constructs`, a few seconds);
 * - `environments`: tests of the synthesized environments, which read one synthesis of every
 *   environment made once per run in `globalSetup`.
 * Plain `npm test` runs both.
 */
const config: Config = {
  testTimeout: 60_000,
  // Jest's default leaves one core idle; much of the suite waits on child processes and servers.
  maxWorkers: '100%',
  projects: [
    {
      displayName: 'constructs',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: [
        '<rootDir>/test/constructs/**/*.test.ts',
        '<rootDir>/test/lambda/**/*.test.ts',
        '<rootDir>/test/rules/**/*.test.ts',
        '<rootDir>/test/operations/**/*.test.ts',
        '<rootDir>/test/diff/**/*.test.ts',
        '<rootDir>/test/app/**/*.test.ts',
        ...STANDALONE,
      ],
      transform,
    },
    {
      displayName: 'environments',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/*.test.ts'],
      testPathIgnorePatterns: STANDALONE,
      transform,
      // Runs only when a test of this project is selected.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      snapshotSerializers: ['<rootDir>/test/support/asset-serializer.ts'],
    },
  ],
};

export default config;
