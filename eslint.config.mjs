// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns of the project's own layers, for the boundary rules below. */
const LAYER = {
  config: { group: ['**/config', '**/config/*'], message: 'config/ is read by lib/ only: pass values in as props.' },
  lib: { group: ['**/lib', '**/lib/*', '**/lib/**'], message: 'lib/ composes stacks; nothing below it imports it.' },
  stacks: { group: ['**/stacks', '**/stacks/*'], message: 'stacks/ compose constructs; constructs never import them.' },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.test-out/**', '.bench/**', 'coverage/**', 'app/**', '**/*.d.ts'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Templates and reports are untyped JSON; tests read them as such.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // CDK constructs are created for their side effects on the tree.
      'no-new': 'off',
    },
  },
  // --- Layer boundaries: constructs are reused by other teams, stacks only wire -----------------
  {
    files: ['constructs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LAYER.config, LAYER.lib, LAYER.stacks] }],
    },
  },
  {
    files: ['stacks/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [LAYER.config, LAYER.lib] }],
    },
  },
  {
    // Config is data plus validation: it may use the constructs' pure rule functions, nothing else.
    files: ['config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            LAYER.lib,
            LAYER.stacks,
            {
              regex: String.raw`^\.\./constructs/(?!(shared/problems|network/subnet-layout|compute/fargate-size|[a-z]+/[a-z-]+-rules)$)`,
              message: "config/ may import only the constructs' pure rule functions (constructs/<layer>/*-rules).",
            },
            { regex: '^(aws-cdk-lib|constructs)(/|$)', message: 'config/ is plain data: no CDK types.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'lib/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
);
