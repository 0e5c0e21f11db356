// typescript-eslint's recommended rules over every package and dev/ (the type checker runs separately: npm run typecheck).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'artifacts/**', '.nx/**', '**/build/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', setImmediate: 'readonly', WebAssembly: 'readonly', fetch: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly', globalThis: 'readonly' } },
    rules: {
      // Unused names starting with _ are deliberate (destructuring to omit a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Published coefficients and reference values keep all their digits, as printed in the source they cite.
    files: ['packages/diagnostics/src/normal.ts', 'packages/diagnostics/src/*.test.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
);
