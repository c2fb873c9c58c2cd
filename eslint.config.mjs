// ESLint flat config: `npx eslint .` (also run by `npm test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TYPESCRIPT_FILES = ['**/*.ts'];
const NODE_SCRIPT_FILES = ['**/*.mjs'];

/** Node's globals for the plain-JavaScript scripts (`globals` is not a direct dependency). */
const NODE_GLOBALS = Object.fromEntries(
  [
    'AbortController',
    'Buffer',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
    'TextDecoder',
    'TextEncoder',
    'URL',
  ].map((name) => [name, 'readonly']),
);

/** Unused code is an error; a leading `_` marks a deliberately unused name. */
const UNUSED_VARS_OPTIONS = {
  args: 'after-used',
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
  ignoreRestSiblings: true,
};

export default tseslint.config(
  {
    // Root-level *.js files are tool configs (jest.config.js); generated and installed trees are not ours.
    ignores: ['node_modules/', 'cdk.out/', 'reports/', 'coverage/', '.local-data/', '.scratch/', '*.js'],
  },
  js.configs.recommended,
  {
    rules: {
      // `let x; const f = () => x; x = make(f);` cannot be const: the closure needs the name first.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  ...tseslint.configs.recommended.map((config) => ({ ...config, files: TYPESCRIPT_FILES })),
  {
    files: TYPESCRIPT_FILES,
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', UNUSED_VARS_OPTIONS],
    },
  },
  {
    files: NODE_SCRIPT_FILES,
    languageOptions: { sourceType: 'module', globals: NODE_GLOBALS },
    rules: {
      'no-unused-vars': ['error', UNUSED_VARS_OPTIONS],
    },
  },
);
