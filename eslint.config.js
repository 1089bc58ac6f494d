// Lint rules that keep the process boundaries visible: only src-main/electron imports electron,
// the renderer imports no Node built-ins, and src-shared imports neither.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noElectron = { name: 'electron', message: 'Only src-main/electron/ may import electron.' };
const noNode = nodeBuiltins.map((name) => ({ name, message: 'This code also runs in the renderer: no Node built-ins.' }));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.data/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }] }],
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [{ group: ['../src-main/*', '../../src-main/*', '**/src-main/**', '**/src-server/**'], message: 'The renderer reaches the station only through the StationApi client.' }] }],
    },
  },
  {
    files: ['src-shared/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron, ...noNode], patterns: [{ group: ['**/src-main/**', '**/src-renderer/**', '**/src-server/**'], message: 'src-shared depends on nothing but itself.' }] }],
    },
  },
  {
    files: ['src-shared/node/**'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ group: ['**/src-main/**', '**/src-renderer/**', '**/src-server/**'], message: 'src-shared/node depends on nothing but src-shared.' }] }],
    },
  },
);
