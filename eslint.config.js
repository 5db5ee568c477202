import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'bench/data/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core never imports Electron.' }] }],
      // An array spread into a call puts every element on the stack: past some 100k elements
      // (keys, days, events from a user's file) it throws "Maximum call stack size exceeded" (issue 15).
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min|hypot)$/] > SpreadElement",
          message: 'No spread into Math.max/min: it overflows the stack on long arrays. Use a loop (or reduce).',
        },
        {
          selector: "CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement",
          message: 'No spread into push/unshift/splice: it overflows the stack on long arrays. Use a loop.',
        },
        {
          selector: "CallExpression[callee.object.name='String'][callee.property.name=/^(fromCharCode|fromCodePoint)$/] > SpreadElement",
          message: 'No spread into String.fromCharCode: it overflows the stack on long arrays. Decode with TextDecoder or in slices.',
        },
      ],
    },
  },
  // Layer boundaries as the editor shows them (test/architecture.test.ts checks every folder's,
  // cycles included): the engine imports nothing above it, not even types.
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core never imports Electron.' }],
          patterns: [
            {
              group: ['**/api/**', '**/ledger/**', '**/import/**', '**/csv/**', '**/forecast/**', '**/recommend/**', '**/export/**', '**/demo/**', '**/compare/**', '**/views/**', '**/projection/**', '**/modeling/**', '**/host/**', '**/cli/**'],
              message: 'The engine imports nothing above it (errors.ts, fs/, workers/ and worker-files.ts only).',
            },
          ],
        },
      ],
    },
  },
  // The window runs in a browser: from src/ it imports types, and at run time only code that runs
  // there (never the service's folders, Node, the database or Electron).
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The window reaches Electron only through the preload.' },
            { name: 'better-sqlite3', message: 'The window never opens the ledger: call the API.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The window runs in a browser: no Node modules.' },
            {
              group: ['**/src/api/**', '!**/src/api/channels.ts', '**/src/ledger/**', '**/src/import/**', '**/src/csv/**', '**/src/workers/**', '**/src/fs/**', '**/src/host/**', '**/src/cli/**'],
              allowTypeImports: true,
              message: 'The service’s code runs in the service: import its types only, and call the API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['*.config.ts', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
