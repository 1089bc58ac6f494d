// Lint rules, and the one that keeps the process boundaries visible: `exam-station/boundaries`.
//
// Every file the linter sees lies in an area (below, AREAS), and every bare package name the code imports
// is in a class (PACKAGES). An area says which classes of package and which other areas it may import;
// everything else is an error, and so is a package no class names. test/lint-boundaries.test.ts lints
// a matrix of probes against this file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

// What each class means, as the messages say it.
const CLASSES = {
  'browser-safe': 'browser-safe',
  node: 'Node-only',
  electron: 'Electron',
  tooling: 'test/tooling-only',
  types: 'types-only',
};

// Every package the code may import by name: all of package.json's dependencies and devDependencies.
// An import of a package not in this table is an error; add the package here, in the class that says
// where it can run, before using it.
const PACKAGES = {
  // Run in the renderer and in Node.
  zod: 'browser-safe',
  react: 'browser-safe',
  'react-dom': 'browser-safe', // react-dom/client in the renderer; in tests under jsdom
  zustand: 'browser-safe',

  // Need Node: native addons, sockets, the file system, or (kysely) the database layer. Kysely's core would
  // load in a browser, but here it only ever drives better-sqlite3 or pg, and SQL stays out of the renderer.
  'better-sqlite3': 'node',
  pg: 'node',
  kysely: 'node',
  fastify: 'node',
  'fastify-type-provider-zod': 'node',
  '@fastify/static': 'node',
  '@fastify/swagger': 'node',
  '@fastify/swagger-ui': 'node',
  // The room's LAN: WebSocket over mutual TLS, the room's certificate authority, SRP pairing.
  ws: 'node',
  '@peculiar/x509': 'node',
  'fast-srp-hap': 'node',
  // DNS-SD: the hub advertises its room, a seat browses for it.
  '@homebridge/ciao': 'node',
  'bonjour-service': 'node',
  // The room's protocol PDF and the QR code of its digest, made on the hub.
  pdfkit: 'node',
  qrcode: 'node',

  // Only src-main/electron imports it.
  electron: 'electron',

  // Tests, builds and linting; production code (src-*) never imports them.
  vitest: 'tooling',
  'playwright-core': 'tooling',
  '@redocly/openapi-core': 'tooling',
  '@testing-library/react': 'tooling',
  jsdom: 'tooling',
  vite: 'tooling',
  '@vitejs/plugin-react': 'tooling',
  eslint: 'tooling',
  '@eslint/js': 'tooling',
  'typescript-eslint': 'tooling',
  globals: 'tooling',
  typescript: 'tooling',
  'electron-builder': 'tooling',

  // Types without code of their own: anything may `import type` from them, only tooling imports values.
  'openapi-types': 'types',
  '@types/better-sqlite3': 'types',
  '@types/node': 'types',
  '@types/pg': 'types',
  '@types/ws': 'types',
  '@types/pdfkit': 'types',
  '@types/qrcode': 'types',
  '@types/react': 'types',
  '@types/react-dom': 'types',
};

const ALL_CLASSES = Object.keys(CLASSES);
// Paths are the project's, whatever directory eslint runs from.
const ROOT = import.meta.dirname;
const nodeBuiltins = new Set(builtinModules);

// The areas, most specific first. `packages`: the classes it may import (Node built-ins count as Node-only);
// `code`: the areas it may import by relative path. Files in no src-* area, and the assets/docs the code
// might refer to, are 'other'.
const AREAS = [
  {
    area: 'src-shared/node',
    label: 'src-shared/node/',
    packages: ['browser-safe', 'node'],
    code: ['src-shared', 'src-shared/node'],
    why: 'it is shared by the station and the server and may reach neither, nor the renderer',
  },
  {
    area: 'src-shared',
    label: 'src-shared/ (outside src-shared/node/)',
    packages: ['browser-safe'],
    code: ['src-shared'],
    why: 'this code runs in the renderer too; code that needs Node goes in src-shared/node/',
  },
  {
    area: 'src-renderer',
    label: 'src-renderer/',
    packages: ['browser-safe'],
    code: ['src-renderer', 'src-shared'],
    why: 'the renderer runs in Chromium without Node and reaches the station only through the StationApi client',
  },
  {
    area: 'src-main/electron',
    label: 'src-main/electron/',
    packages: ['browser-safe', 'node', 'electron'],
    code: ['src-main/electron', 'src-main', 'src-shared', 'src-shared/node'],
    why: 'the Electron shell drives the station, not the server or the renderer\'s code',
  },
  {
    area: 'src-main',
    label: 'src-main/ (outside src-main/electron/)',
    packages: ['browser-safe', 'node'],
    code: ['src-main', 'src-shared', 'src-shared/node'],
    why: 'the station is plain Node; only src-main/electron/ imports electron',
  },
  {
    area: 'src-server',
    label: 'src-server/',
    packages: ['browser-safe', 'node'],
    code: ['src-server', 'src-shared', 'src-shared/node'],
    why: 'the central server is a program of its own and shares only src-shared/ with the station',
  },
];
const TOOLING = { area: 'tooling', label: 'tests and config files', packages: ALL_CLASSES, code: null, why: '' };
const CODE_LABELS = {
  'src-shared/node': 'src-shared/node/',
  'src-shared': 'src-shared/',
  'src-renderer': 'src-renderer/',
  'src-main/electron': 'src-main/electron/',
  'src-main': 'src-main/',
  'src-server': 'src-server/',
  test: 'test/',
  config: 'a config file',
  outside: 'outside the project',
};

/** The area of a path relative to the project root, in POSIX form. */
function areaOf(path) {
  if (path === '..' || path.startsWith('../') || isAbsolute(path)) return 'outside';
  for (const { area } of AREAS) if (path === area || path.startsWith(`${area}/`)) return area;
  if (path === 'test' || path.startsWith('test/')) return 'test';
  if (/^[^/]+\.config\.[cm]?[jt]s$/.test(path)) return 'config';
  return 'other';
}

/** Simulators stand in for outside systems in tests; production code must never load one. */
function isSimulator(path) {
  return /^src-server\/(.+\/)?simulators(\/|$)/.test(path) || /^src-[^/]+\/(.+\/)?[^/]+\.simulator(\.[cm]?[jt]sx?)?$/.test(path);
}

function packageName(specifier) {
  const [first, second] = specifier.split('/');
  return first.startsWith('@') && second ? `${first}/${second}` : first;
}

const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Each area imports only the packages and code its process can load' },
    schema: [],
    messages: {
      noArea: 'This file lies in no area eslint.config.js knows: put it under src-*/ or test/, or add its area to AREAS in eslint.config.js.',
      unclassified: '{{name}} is not classified: add it to PACKAGES in eslint.config.js as browser-safe, Node-only, Electron, test/tooling-only or types-only.',
      package: '{{area}} may not import "{{specifier}}" ({{what}}): {{why}}.',
      builtin: '{{area}} may not import the Node built-in "{{specifier}}": {{why}}.',
      typesOnlyValue: '"{{specifier}}" is a types-only package: use `import type`.',
      code: '{{area}} may not import code from {{target}} ("{{specifier}}"): {{why}}.',
      tooling: 'Production code may not import "{{specifier}}" ({{what}}).',
      simulator: 'Production code may not import a simulator ("{{specifier}}"); only tests may.',
      computed: 'This import\'s specifier is computed, so the linter cannot check it: production code names what it imports.',
    },
  },
  create(context) {
    const toPosix = (p) => p.split(sep).join('/');
    const self = toPosix(relative(ROOT, context.filename));
    const selfArea = areaOf(self);
    const rules = selfArea === 'test' || selfArea === 'config' ? TOOLING : AREAS.find((a) => a.area === selfArea);
    const production = rules !== TOOLING;
    const selfIsSimulator = isSimulator(self);

    function checkPackage(node, specifier, name, typeOnly) {
      const cls = PACKAGES[name];
      if (cls === undefined) {
        const named = specifier === name ? `"${name}"` : `"${name}" (imported as "${specifier}")`;
        return context.report({ node, messageId: 'unclassified', data: { name: named } });
      }
      if (cls === 'types') {
        if (production && !typeOnly) context.report({ node, messageId: 'typesOnlyValue', data: { specifier } });
        return;
      }
      if (rules.packages.includes(cls)) return;
      if (cls === 'tooling') return context.report({ node, messageId: 'tooling', data: { what: CLASSES[cls], specifier } });
      context.report({ node, messageId: 'package', data: { area: rules.label, specifier, what: CLASSES[cls], why: rules.why } });
    }

    function check(node, specifier, typeOnly) {
      if (specifier === null) {
        if (production) context.report({ node, messageId: 'computed' });
        return;
      }
      const bare = specifier.replace(/[?#].*$/, '');
      if (bare.startsWith('node:') || nodeBuiltins.has(bare)) {
        if (!rules.packages.includes('node')) context.report({ node, messageId: 'builtin', data: { area: rules.label, specifier, why: rules.why } });
        return;
      }
      if (!bare.startsWith('.') && !bare.startsWith('/')) return checkPackage(node, specifier, packageName(bare), typeOnly);

      const target = toPosix(relative(ROOT, resolve(dirname(context.filename), bare)));
      // A path into node_modules is still that package.
      const modules = target.split('/').lastIndexOf('node_modules');
      if (modules >= 0) {
        const name = packageName(target.split('/').slice(modules + 1).join('/'));
        if (name) return checkPackage(node, specifier, name, typeOnly);
      }
      if (!production) return;
      const targetArea = areaOf(target);
      if (isSimulator(target) && !selfIsSimulator) return context.report({ node, messageId: 'simulator', data: { specifier } });
      if (targetArea === 'other' || rules.code.includes(targetArea)) return;
      context.report({ node, messageId: 'code', data: { area: rules.label, target: CODE_LABELS[targetArea], specifier, why: rules.why } });
    }

    const literal = (source) => {
      if (source?.type === 'Literal' && typeof source.value === 'string') return source.value;
      if (source?.type === 'TemplateLiteral' && source.expressions.length === 0) return source.quasis[0].value.cooked;
      return null;
    };
    const fromDeclaration = (node) => {
      if (node.source) check(node.source, literal(node.source), node.importKind === 'type' || node.exportKind === 'type');
    };

    return {
      Program(node) {
        if (!rules) context.report({ node, messageId: 'noArea' });
      },
      ImportDeclaration: (node) => rules && fromDeclaration(node),
      ExportNamedDeclaration: (node) => rules && fromDeclaration(node),
      ExportAllDeclaration: (node) => rules && fromDeclaration(node),
      ImportExpression: (node) => rules && check(node.source, literal(node.source), false),
      TSImportType: (node) => rules && check(node.source ?? node.argument?.literal, literal(node.source ?? node.argument?.literal), true),
      TSImportEqualsDeclaration(node) {
        if (rules && node.moduleReference.type === 'TSExternalModuleReference') {
          const source = node.moduleReference.expression;
          check(source, literal(source), node.importKind === 'type');
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.data/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'exam-station': { rules: { boundaries } } },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'exam-station/boundaries': 'error',
    },
  },
  {
    files: ['src-renderer/**', 'src-shared/**'],
    ignores: ['src-shared/node/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
