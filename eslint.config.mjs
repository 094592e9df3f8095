// ESLint flat config: typescript-eslint with type information.
// Two rules carry the architecture: floating promises are errors, and `vscode` may only be
// imported by the UI layer (src/ui/**, src/extension.ts) and the extension-host tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import path from 'node:path';

const LAYER_MAY_IMPORT = {
  common: [],
  auth: ['common'],
  azure: ['auth', 'common'],
  lineage: ['azure', 'auth', 'common'],
  workflows: ['lineage', 'azure', 'auth', 'common'],
  ui: ['workflows', 'lineage', 'azure', 'auth', 'common'],
  sandbox: ['common'],
};
const SRC = path.join(import.meta.dirname, 'src');
const layerOf = (file) => path.relative(SRC, file).split(path.sep)[0].replace(/\.ts$/, '');
const layeringRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const from = layerOf(context.filename);
    const allowed = LAYER_MAY_IMPORT[from];
    const check = (node, spec) => {
      if (!allowed || typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(context.filename), spec));
      if (to !== from && to in LAYER_MAY_IMPORT && !allowed.includes(to)) {
        context.report({ node, message: `Layering: src/${from} may not import src/${to} (ui -> workflows -> lineage/azure -> auth -> common; the sandbox imports only common).` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

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
  // the product's layers (only on src/common). Checked on the resolved path of every relative import.
  { files: ['src/**/*.ts'], plugins: { gds: { rules: { layering: layeringRule } } }, rules: { 'gds/layering': 'error' } },
  {
    files: ['src/ui/**/*.ts', 'src/extension.ts', 'test/extension/**/*.ts', 'test/bench/activation.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
