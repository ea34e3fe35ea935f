import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// pipelines/ is what the product does; functions/ is how it runs. A pipeline that imported a
// cloud SDK, a driver or an HTTP framework could no longer run on both runtimes (DESIGN.md §2).
const forbiddenInPipelines = [
  { group: ['@google-cloud/*', '@sendgrid/*', 'better-sqlite3', '@duckdb/*', 'duckdb', 'firebase-admin'], message: 'pipelines/ talks to ports; put SDKs and drivers in functions/gcp or functions/embedded.' },
  { group: ['express', 'fastify', 'hono', 'koa', 'node:http', 'node:https', 'http', 'https', 'node:net', 'undici'], message: 'pipelines/ never speaks HTTP; entries in functions/ translate requests.' },
  { group: ['**/functions/**'], message: 'pipelines/ must not depend on functions/.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stryker-tmp/**', 'reports/**', '.nudge/**', 'terraform/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', URLSearchParams: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['pipelines/**/*.ts'],
    ignores: ['pipelines/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInPipelines }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock (DESIGN.md §4).' }],
    },
  },
);
