import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/', 'dist/', 'node_modules/', 'coverage/', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // CommonJS entry points that cdk8s-cli loads with require(), and the tests' stand-ins for command-line tools.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Scripts that mongosh runs in the MongoDB pods: its shell globals, and Node's require and process.
    files: ['lib/components/*/scripts/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { require: 'readonly', process: 'readonly', Mongo: 'readonly', print: 'readonly', quit: 'readonly', sleep: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and check rules read manifests, which are untyped JSON from any source.
    files: ['test/**/*.ts', 'lib/checks/**/*.ts', 'lib/components/*/rules.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
