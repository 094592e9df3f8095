// ESLint flat config: typescript-eslint with type information.
// Two rules carry the architecture: floating promises are errors, and `vscode` may only be
// imported by the UI layer (src/ui/**, src/extension.ts) and the extension-host tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.sandbox/**', 'test-results/**', 'bench-results/**', '*.vsix', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/ui/** and src/extension.ts may import vscode; keep workflows, clients and the sandbox plain Node.' }],
      }],
    },
  },
  // The layers: ui -> workflows -> lineage/azure -> auth -> common. The sandbox depends on none of
  // the product's layers (only on src/common).
  ...[
    ['src/common/**/*.ts', ['**/auth/**', '**/azure/**', '**/workflows/**', '**/lineage/**', '**/ui/**', '**/sandbox/**']],
    ['src/auth/**/*.ts', ['**/azure/**', '**/workflows/**', '**/lineage/**', '**/ui/**', '**/sandbox/**']],
    ['src/azure/**/*.ts', ['**/workflows/**', '**/lineage/**', '**/ui/**', '**/sandbox/**']],
    ['src/lineage/**/*.ts', ['**/workflows/**', '**/ui/**', '**/sandbox/**']],
    ['src/workflows/**/*.ts', ['**/ui/**', '**/sandbox/**']],
    ['src/sandbox/**/*.ts', ['**/auth/**', '**/azure/**', '**/workflows/**', '**/lineage/**', '**/ui/**']],
  ].map(([files, group]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/ui/** and src/extension.ts may import vscode.' }],
        patterns: [{ group, message: 'Layering: ui -> workflows -> lineage/azure -> auth -> common; the sandbox imports only src/common.' }],
      }],
    },
  })),
  {
    files: ['src/ui/**/*.ts', 'src/extension.ts', 'test/extension/**/*.ts', 'test/bench/activation.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
