// Syntax-only typescript-eslint (no type information): the type-aware presets took ~150 s and
// ~1.9 GB on a 2-core machine for this tree, and `tsc -b` already covers most of what they add.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'coverage/',
      'dist/',
      'functions/fc/dist/',
      // The bundled credvend command (npm run build:cli).
      'functions/node/dist/',
      '.tsbuild/',
      '.wrangler/',
      // Written by `npm run build:schemas`.
      'lib/generated/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `_name` marks a binding kept on purpose: a positional parameter an interface requires, or a
      // key taken out of an object so the rest can be passed on without it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // verbatimModuleSyntax keeps every import that is not marked `type` in the emitted JavaScript;
      // marking types makes clear which imports load code, and the fixer writes the inline form the
      // code already uses.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      // Under verbatimModuleSyntax `import { type A } from 'm'` still loads 'm' for its side effects;
      // `import type { A }` does not.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Loose equality hides type confusion in comparisons of secrets, ids and limits; `== null`
      // stays allowed as the one idiom for "null or undefined".
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Node code: the CLI, the FC handler, build tools and the tests.
    files: ['functions/node/**', 'functions/fc/**', 'test/**', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Product code reaches zod through lib/zod.ts: zod/mini (classic zod would put ~40 KB back
    // into every bundle) with its English messages installed before any schema parses. And it
    // builds its apps on hono/tiny.
    files: ['lib/**/*.ts'],
    ignores: ['lib/zod.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^zod(/|$)', message: 'import * as z from lib/zod.ts' }],
          // Hono's PatternRouter: a few hundred nanoseconds more per match than the default
          // RegExpRouter with credvend's dozen routes, and about 5 KB less for every cold start.
          paths: [
            { name: 'hono', importNames: ['Hono'], message: "import { Hono } from 'hono/tiny'" },
          ],
        },
      ],
    },
  },
  {
    // Shipped to browsers as plain JavaScript, unbundled.
    files: ['lib/browser/**/*.js', 'functions/node/cli/local/demo/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // The demo page loads the ali-oss browser bundle with a <script> tag, which defines `OSS`.
    files: ['functions/node/cli/local/demo/**/*.js'],
    languageOptions: { globals: { OSS: 'readonly' } },
  },
  {
    // Product code has no `any` and keeps none; tests deliberately reshape parsed JSON into invalid
    // input and drive untyped SDKs, where `any` is the honest type.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Compiled only to prove that Node globals, require() included, fail under lib/'s settings.
    files: ['test/fixtures/web-only/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
