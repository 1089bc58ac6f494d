// The process boundaries as the linter enforces them (`exam-station/boundaries` in eslint.config.js).
// Probes are source texts at virtual paths in each area, linted with the project's own configuration.
// The expectations below are written out by hand, not read from eslint.config.js: the matrices are
// the statement of the arrows, and the config must agree with them.
//
// A forbidden probe passes only if the boundary rule reports exactly one problem, with the expected kind,
// naming the specifier. An allowed probe passes only if the file parses and the rule reports nothing,
// and the same file with an unclassified import added reports exactly that import: so an allowed probe
// cannot pass because the rule never ran at that path.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });
const RULE = 'exam-station/boundaries';

interface Outcome {
  /** messageId of each problem the boundary rule reported. */
  ids: string[];
  messages: string[];
  lines: number[];
  /** Parse errors: a probe that does not parse proves nothing. */
  fatal: string[];
}

async function lint(file: string, code: string): Promise<Outcome> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  const messages = result?.messages ?? [];
  const ours = messages.filter((m) => m.ruleId === RULE);
  return {
    ids: ours.map((m) => m.messageId ?? '?'),
    messages: ours.map((m) => m.message),
    lines: ours.map((m) => m.line),
    fatal: messages.filter((m) => m.fatal).map((m) => m.message),
  };
}

/** '✓' when allowed, otherwise the messageId of the one error the probe must produce. */
type Expect = '✓' | 'package' | 'builtin' | 'tooling' | 'typesOnlyValue' | 'code' | 'simulator' | 'unclassified' | 'computed' | 'noArea';

/**
 * What a probe comes to: '✓' when the rule reports nothing there and, with an unclassified import added,
 * reports exactly that import (so the rule runs at this path); else the messageIds it reported.
 */
async function outcomeOf(file: string, code: string): Promise<string> {
  const outcome = await lint(file, code);
  if (outcome.fatal.length > 0) return `does not parse: ${outcome.fatal.join('; ')}`;
  if (outcome.ids.length > 0) return outcome.ids.join(',');
  const control = await lint(file, `${code}\nimport 'left-pad';\n`);
  const line = code.split('\n').length + 1;
  if (control.ids.join(',') !== 'unclassified' || control.lines[0] !== line) return `the rule does not run here (control: ${control.ids.join(',') || 'nothing'})`;
  return '✓';
}

async function expectProbe(file: string, code: string, expected: Expect, names: string): Promise<void> {
  if (expected === '✓') {
    expect(await outcomeOf(file, code)).toBe('✓');
    return;
  }
  const outcome = await lint(file, code);
  expect(outcome.fatal, 'the probe must parse').toEqual([]);
  expect(outcome.ids).toEqual([expected]);
  expect(outcome.messages[0]).toContain(names);
}

// The areas, by a file in each.
const AREAS = {
  shared: { file: 'src-shared/x.ts', name: 'src-shared' },
  sharedNode: { file: 'src-shared/node/x.ts', name: 'src-shared/node' },
  renderer: { file: 'src-renderer/x.tsx', name: 'the renderer' },
  station: { file: 'src-main/station/x.ts', name: 'the station (src-main)' },
  electron: { file: 'src-main/electron/x.ts', name: 'src-main/electron' },
  server: { file: 'src-server/x.ts', name: 'the server (src-server)' },
  test: { file: 'test/x.test.ts', name: 'a test' },
  config: { file: 'vite.x.config.ts', name: 'a config file' },
} as const;
type Area = keyof typeof AREAS;
const areaNames = Object.keys(AREAS) as Area[];

// What is imported by name, one representative each.
const PACKAGE_TARGETS = {
  browserSafe: { what: 'browser-safe packages (zod)', specifier: 'zod', code: "import { z } from 'zod';\nexport const s = z.string();\n" },
  node: { what: 'Node-only packages (pg)', specifier: 'pg', code: "import pg from 'pg';\nexport const p = pg;\n" },
  sqlite: { what: 'Node-only packages (better-sqlite3)', specifier: 'better-sqlite3', code: "import Database from 'better-sqlite3';\nexport const d = Database;\n" },
  builtin: { what: 'Node built-ins (node:crypto)', specifier: 'node:crypto', code: "import { createHash } from 'node:crypto';\nexport const h = createHash;\n" },
  bareBuiltin: { what: 'Node built-ins by their bare name (fs)', specifier: 'fs', code: "import fs from 'fs';\nexport const f = fs;\n" },
  electron: { what: 'electron', specifier: 'electron', code: "import { app } from 'electron';\nexport const a = app;\n" },
  tooling: { what: 'test/tooling-only packages (vitest)', specifier: 'vitest', code: "import { expect } from 'vitest';\nexport const e = expect;\n" },
  types: { what: 'types from types-only packages (import type from openapi-types)', specifier: 'openapi-types', code: "import type { OpenAPIV3 } from 'openapi-types';\nexport type D = OpenAPIV3.Document;\n" },
  typesValue: { what: 'values from types-only packages (openapi-types)', specifier: 'openapi-types', code: "import { OpenAPIV3 } from 'openapi-types';\nexport const m = OpenAPIV3;\n" },
  unknown: { what: 'a package eslint.config.js does not classify (left-pad)', specifier: 'left-pad', code: "import leftPad from 'left-pad';\nexport const l = leftPad;\n" },
} as const;
type PackageTarget = keyof typeof PACKAGE_TARGETS;

const PACKAGE_ARROWS: Record<Area, Record<PackageTarget, Expect>> = {
  shared:     { browserSafe: '✓', node: 'package', sqlite: 'package', builtin: 'builtin', bareBuiltin: 'builtin', electron: 'package', tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  sharedNode: { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: 'package', tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  renderer:   { browserSafe: '✓', node: 'package', sqlite: 'package', builtin: 'builtin', bareBuiltin: 'builtin', electron: 'package', tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  station:    { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: 'package', tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  electron:   { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: '✓',       tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  server:     { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: 'package', tooling: 'tooling', types: '✓', typesValue: 'typesOnlyValue', unknown: 'unclassified' },
  test:       { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: '✓',       tooling: '✓',       types: '✓', typesValue: '✓',              unknown: 'unclassified' },
  config:     { browserSafe: '✓', node: '✓',       sqlite: '✓',       builtin: '✓',       bareBuiltin: '✓',       electron: '✓',       tooling: '✓',       types: '✓', typesValue: '✓',              unknown: 'unclassified' },
};

// What is imported by relative path: a file in each area.
const CODE_TARGETS = {
  shared: { what: 'src-shared', file: 'src-shared/errors.ts' },
  sharedNode: { what: 'src-shared/node', file: 'src-shared/node/request-signing.ts' },
  renderer: { what: 'the renderer', file: 'src-renderer/text.ts' },
  station: { what: 'the station (src-main)', file: 'src-main/station/service.ts' },
  electron: { what: 'src-main/electron', file: 'src-main/electron/main.ts' },
  server: { what: 'the server (src-server)', file: 'src-server/app.ts' },
  test: { what: 'test/', file: 'test/support/fixtures.ts' },
  simulatorDir: { what: 'a simulator under src-server/**/simulators/', file: 'src-server/registries/simulators/viis.ts' },
  simulatorFile: { what: 'a *.simulator.ts', file: 'src-server/registries/viis.simulator.ts' },
} as const;
type CodeTarget = keyof typeof CODE_TARGETS;

const CODE_ARROWS: Record<Area, Record<CodeTarget, Expect>> = {
  shared:     { shared: '✓', sharedNode: 'code', renderer: 'code', station: 'code', electron: 'code', server: 'code', test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  sharedNode: { shared: '✓', sharedNode: '✓',    renderer: 'code', station: 'code', electron: 'code', server: 'code', test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  renderer:   { shared: '✓', sharedNode: 'code', renderer: '✓',    station: 'code', electron: 'code', server: 'code', test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  station:    { shared: '✓', sharedNode: '✓',    renderer: 'code', station: '✓',    electron: 'code', server: 'code', test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  electron:   { shared: '✓', sharedNode: '✓',    renderer: 'code', station: '✓',    electron: '✓',    server: 'code', test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  server:     { shared: '✓', sharedNode: '✓',    renderer: 'code', station: 'code', electron: 'code', server: '✓',    test: 'code', simulatorDir: 'simulator', simulatorFile: 'simulator' },
  test:       { shared: '✓', sharedNode: '✓',    renderer: '✓',    station: '✓',    electron: '✓',    server: '✓',    test: '✓',    simulatorDir: '✓',         simulatorFile: '✓' },
  config:     { shared: '✓', sharedNode: '✓',    renderer: '✓',    station: '✓',    electron: '✓',    server: '✓',    test: '✓',    simulatorDir: '✓',         simulatorFile: '✓' },
};

function specifierFrom(file: string, target: string): string {
  const path = relative(dirname(file), target).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

const verb = (expected: Expect) => (expected === '✓' ? 'can' : 'cannot');

describe('what each area may import by package name', () => {
  for (const area of areaNames) {
    for (const [target, { what, specifier, code }] of Object.entries(PACKAGE_TARGETS) as [PackageTarget, (typeof PACKAGE_TARGETS)[PackageTarget]][]) {
      const expected = PACKAGE_ARROWS[area][target];
      it(`${AREAS[area].name} ${verb(expected)} import ${what}`, async () => {
        await expectProbe(AREAS[area].file, code, expected, `"${specifier}"`);
      });
    }
  }
});

describe('what each area may import by relative path', () => {
  for (const area of areaNames) {
    for (const [target, { what, file }] of Object.entries(CODE_TARGETS) as [CodeTarget, (typeof CODE_TARGETS)[CodeTarget]][]) {
      const expected = CODE_ARROWS[area][target];
      const specifier = specifierFrom(AREAS[area].file, file);
      it(`${AREAS[area].name} ${verb(expected)} import ${what} (${specifier})`, async () => {
        await expectProbe(AREAS[area].file, `import * as m from '${specifier}';\nexport const x = m;\n`, expected, `"${specifier}"`);
      });
    }
  }
});

describe('the cases issue 8 names', () => {
  const cases: { name: string; file: string; code: string; expected: Expect; names: string }[] = [
    { name: 'src-shared cannot import better-sqlite3', file: 'src-shared/x.ts', code: "import Database from 'better-sqlite3';\nexport const d = Database;\n", expected: 'package', names: 'Node-only' },
    { name: 'the renderer cannot import pg', file: 'src-renderer/x.tsx', code: "import pg from 'pg';\nexport const p = pg;\n", expected: 'package', names: 'Node-only' },
    { name: 'the renderer cannot import node:fs', file: 'src-renderer/x.tsx', code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", expected: 'builtin', names: '"node:fs"' },
    { name: 'the station cannot import electron', file: 'src-main/station/x.ts', code: "import { app } from 'electron';\nexport const a = app;\n", expected: 'package', names: 'only src-main/electron/ imports electron' },
    { name: 'the station cannot import the server (../../src-server/app.ts)', file: 'src-main/station/x.ts', code: "import { buildApp } from '../../src-server/app.ts';\nexport const b = buildApp;\n", expected: 'code', names: 'from src-server/' },
    { name: 'the server cannot import the station (../src-main/station/service.ts)', file: 'src-server/x.ts', code: "import { StationService } from '../src-main/station/service.ts';\nexport const s = StationService;\n", expected: 'code', names: 'from src-main/' },
    { name: 'src-shared cannot import src-shared/node (./node/request-signing.ts)', file: 'src-shared/x.ts', code: "import * as signing from './node/request-signing.ts';\nexport const s = signing;\n", expected: 'code', names: 'from src-shared/node/' },
    { name: 'src-server/registries/viis.ts cannot import a simulator under simulators/', file: 'src-server/registries/viis.ts', code: "import { simulate } from './simulators/viis.ts';\nexport const s = simulate;\n", expected: 'simulator', names: '"./simulators/viis.ts"' },
    { name: 'src-server/registries/viis.ts cannot import a *.simulator.ts', file: 'src-server/registries/viis.ts', code: "import { simulate } from './viis.simulator.ts';\nexport const s = simulate;\n", expected: 'simulator', names: '"./viis.simulator.ts"' },
    { name: 'src-main/x.ts cannot import vitest', file: 'src-main/x.ts', code: "import { expect } from 'vitest';\nexport const e = expect;\n", expected: 'tooling', names: '"vitest"' },
    { name: 'the renderer can import zod', file: 'src-renderer/x.tsx', code: "import { z } from 'zod';\nexport const s = z.string();\n", expected: '✓', names: '' },
    { name: 'the server can import pg', file: 'src-server/x.ts', code: "import pg from 'pg';\nexport const p = pg;\n", expected: '✓', names: '' },
    { name: 'src-shared/node can import node:crypto', file: 'src-shared/node/x.ts', code: "import { createHash } from 'node:crypto';\nexport const h = createHash;\n", expected: '✓', names: '' },
    { name: 'src-main/electron can import electron', file: 'src-main/electron/x.ts', code: "import { app } from 'electron';\nexport const a = app;\n", expected: '✓', names: '' },
    { name: 'the renderer can import react-dom/client', file: 'src-renderer/x.tsx', code: "import { createRoot } from 'react-dom/client';\nexport const c = createRoot;\n", expected: '✓', names: '' },
    {
      name: 'a test can import anything classified: electron, pg, vitest, node:fs, the station, the server, a simulator',
      file: 'test/station/x.test.ts',
      code: [
        "import { app } from 'electron';",
        "import pg from 'pg';",
        "import { expect } from 'vitest';",
        "import { readFileSync } from 'node:fs';",
        "import { StationService } from '../../src-main/station/service.ts';",
        "import { buildApp } from '../../src-server/app.ts';",
        "import { simulate } from '../../src-server/registries/simulators/viis.ts';",
        'export const all = [app, pg, expect, readFileSync, StationService, buildApp, simulate];',
        '',
      ].join('\n'),
      expected: '✓',
      names: '',
    },
  ];
  for (const { name, file, code, expected, names } of cases) {
    it(name, async () => {
      await expectProbe(file, code, expected, names);
    });
  }
});

describe('a package maps to its name, whatever subpath is imported', () => {
  const cases: [Area, string, Expect][] = [
    ['renderer', 'react-dom/client', '✓'],
    ['renderer', 'zod/v4', '✓'],
    ['renderer', 'zustand/vanilla', '✓'],
    ['renderer', 'kysely/helpers/postgres', 'package'],
    ['server', 'kysely/helpers/postgres', '✓'],
    ['shared', '@fastify/swagger-ui', 'package'],
    ['server', '@fastify/swagger-ui', '✓'],
    ['station', 'electron/main', 'package'],
    ['electron', 'electron/main', '✓'],
    ['renderer', '@testing-library/react/pure', 'tooling'],
    ['test', '@testing-library/react/pure', '✓'],
    ['station', 'vitest/config', 'tooling'],
    ['config', 'vitest/config', '✓'],
    ['renderer', 'node:fs/promises', 'builtin'],
    ['renderer', 'fs/promises', 'builtin'],
    ['shared', 'node:stream/promises', 'builtin'],
    ['sharedNode', 'node:stream/promises', '✓'],
    ['server', 'left-pad/lib/index.js', 'unclassified'],
    ['server', '@left/pad', 'unclassified'],
    ['test', '@left/pad', 'unclassified'],
  ];
  for (const [area, specifier, expected] of cases) {
    it(`${AREAS[area].name} ${verb(expected)} import ${specifier}`, async () => {
      await expectProbe(AREAS[area].file, `import * as m from '${specifier}';\nexport const x = m;\n`, expected, `"${specifier}"`);
    });
  }
});

describe('every form of import is checked', () => {
  // Each form, for a package and for code by relative path.
  const forms: [string, (s: string) => string][] = [
    ['import x from', (s) => `import x from '${s}';\nexport const y = x;\n`],
    ['a side-effect import', (s) => `import '${s}';\n`],
    ['import * as', (s) => `import * as x from '${s}';\nexport const y = x;\n`],
    ['import type', (s) => `import type { X } from '${s}';\nexport type Y = X;\n`],
    ['import { type X } (kept as an import under verbatimModuleSyntax)', (s) => `import { type X } from '${s}';\nexport type Y = X;\n`],
    ['export { x } from', (s) => `export { x } from '${s}';\n`],
    ['export type { X } from', (s) => `export type { X } from '${s}';\n`],
    ['export * from', (s) => `export * from '${s}';\n`],
    ['export * as x from', (s) => `export * as x from '${s}';\n`],
    ["a dynamic import('...')", (s) => `export const load = () => import('${s}');\n`],
    ['a dynamic import of a template literal', (s) => `export const load = () => import(\`${s}\`);\n`],
    ["typeof import('...')", (s) => `export type X = typeof import('${s}');\n`],
  ];
  for (const [form, code] of forms) {
    it(`the renderer cannot import pg by ${form}`, async () => {
      await expectProbe('src-renderer/x.tsx', code('pg'), 'package', '"pg"');
    });
    it(`the server can import pg by ${form}`, async () => {
      await expectProbe('src-server/x.ts', code('pg'), '✓', '');
    });
    it(`the renderer cannot import the station by ${form}`, async () => {
      await expectProbe('src-renderer/x.tsx', code('../src-main/station/service.ts'), 'code', '"../src-main/station/service.ts"');
    });
    it(`src-main/electron can import the station by ${form}`, async () => {
      await expectProbe('src-main/electron/x.ts', code('../station/service.ts'), '✓', '');
    });
  }

  it('anything may import type from a types-only package, but production code may not import its values', async () => {
    await expectProbe('src-renderer/x.tsx', "export type { OpenAPIV3 } from 'openapi-types';\n", '✓', '');
    await expectProbe('src-renderer/x.tsx', "export type D = import('openapi-types').OpenAPIV3.Document;\n", '✓', '');
    await expectProbe('src-renderer/x.tsx', "import { type OpenAPIV3 } from 'openapi-types';\nexport type D = OpenAPIV3.Document;\n", 'typesOnlyValue', '"openapi-types"');
  });

  it('production code cannot import by a computed specifier; tests can', async () => {
    const code = "const name = ['p', 'g'].join('');\nexport const load = () => import(name);\n";
    await expectProbe('src-server/x.ts', code, 'computed', 'computed');
    await expectProbe('test/x.test.ts', code, '✓', '');
  });

  it('the renderer cannot reach a package through a path into node_modules', async () => {
    await expectProbe('src-renderer/x.tsx', "import pg from '../node_modules/pg/lib/index.js';\nexport const p = pg;\n", 'package', 'Node-only');
    await expectProbe('src-server/x.ts', "import pg from '../node_modules/pg/lib/index.js';\nexport const p = pg;\n", '✓', '');
  });
});

describe('simulators', () => {
  it('a simulator can import another simulator and the server code it simulates against', async () => {
    await expectProbe('src-server/registries/simulators/viis.ts', "import { a } from './other.ts';\nimport { b } from '../../app.ts';\nexport const x = [a, b];\n", '✓', '');
    await expectProbe('src-server/registries/viis.simulator.ts', "import { a } from './simulators/other.ts';\nexport const x = a;\n", '✓', '');
  });

  it('a simulator is production code for everything else: no test/tooling packages, no test/', async () => {
    await expectProbe('src-server/registries/simulators/viis.ts', "import { expect } from 'vitest';\nexport const e = expect;\n", 'tooling', '"vitest"');
    await expectProbe('src-server/registries/simulators/viis.ts', "import * as f from '../../../test/support/fixtures.ts';\nexport const x = f;\n", 'code', 'from test/');
  });

  it('the station cannot import a simulator of the server either', async () => {
    await expectProbe('src-main/station/x.ts', "import { s } from '../../src-server/registries/simulators/viis.ts';\nexport const x = s;\n", 'simulator', 'simulator');
  });
});

describe('every file is in an area', () => {
  it('a file outside src-*, test/ and the root config files is an error until its area is added', async () => {
    await expectProbe('scripts/x.ts', 'export const x = 1;\n', 'noArea', 'no area');
  });

  it('a config file below the top level is not a config file: src-main/x.config.ts is the station', async () => {
    await expectProbe('src-main/x.config.ts', "import { defineConfig } from 'vite';\nexport const c = defineConfig;\n", 'tooling', '"vite"');
  });
});

// Each dependency in package.json, by the class issue 8 puts it in. This list is checked against
// package.json, so a dependency added there must be classified here and in eslint.config.js.
type Class = 'browser-safe' | 'Node-only' | 'Electron' | 'test/tooling-only' | 'types-only';
const DEPENDENCY_CLASSES: Record<string, Class> = {
  zod: 'browser-safe',
  react: 'browser-safe',
  'react-dom': 'browser-safe',
  zustand: 'browser-safe',
  'better-sqlite3': 'Node-only',
  pg: 'Node-only',
  kysely: 'Node-only',
  fastify: 'Node-only',
  'fastify-type-provider-zod': 'Node-only',
  '@fastify/static': 'Node-only',
  '@fastify/swagger': 'Node-only',
  '@fastify/swagger-ui': 'Node-only',
  ws: 'Node-only',
  '@peculiar/x509': 'Node-only',
  'fast-srp-hap': 'Node-only',
  '@homebridge/ciao': 'Node-only',
  'bonjour-service': 'Node-only',
  pdfkit: 'Node-only',
  qrcode: 'Node-only',
  electron: 'Electron',
  vitest: 'test/tooling-only',
  'playwright-core': 'test/tooling-only',
  '@redocly/openapi-core': 'test/tooling-only',
  '@testing-library/react': 'test/tooling-only',
  jsdom: 'test/tooling-only',
  vite: 'test/tooling-only',
  '@vitejs/plugin-react': 'test/tooling-only',
  eslint: 'test/tooling-only',
  '@eslint/js': 'test/tooling-only',
  'typescript-eslint': 'test/tooling-only',
  globals: 'test/tooling-only',
  typescript: 'test/tooling-only',
  'electron-builder': 'test/tooling-only',
  'openapi-types': 'types-only',
  '@types/better-sqlite3': 'types-only',
  '@types/node': 'types-only',
  '@types/pg': 'types-only',
  '@types/ws': 'types-only',
  '@types/pdfkit': 'types-only',
  '@types/qrcode': 'types-only',
  '@types/react': 'types-only',
  '@types/react-dom': 'types-only',
};
// The column of PACKAGE_ARROWS each class behaves like.
const CLASS_COLUMN: Record<Class, PackageTarget> = {
  'browser-safe': 'browserSafe',
  'Node-only': 'node',
  Electron: 'electron',
  'test/tooling-only': 'tooling',
  'types-only': 'typesValue',
};

describe('every dependency is classified', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].sort();

  it("the expected classes cover exactly package.json's dependencies and devDependencies", () => {
    expect(Object.keys(DEPENDENCY_CLASSES).sort()).toEqual(dependencies);
  });

  for (const [name, cls] of Object.entries(DEPENDENCY_CLASSES)) {
    it(`${name} is ${cls}: imported where ${cls} packages may be, refused elsewhere`, async () => {
      const expected: Partial<Record<Area, string>> = {};
      const actual: Partial<Record<Area, string>> = {};
      for (const area of areaNames) {
        expected[area] = PACKAGE_ARROWS[area][CLASS_COLUMN[cls]];
        actual[area] = await outcomeOf(AREAS[area].file, `import * as m from '${name}';\nexport const x = m;\n`);
      }
      expect(actual).toEqual(expected);
      if (cls === 'types-only') {
        for (const area of areaNames) {
          expect(await outcomeOf(AREAS[area].file, `import type * as m from '${name}';\nexport type X = typeof m;\n`)).toBe('✓');
        }
      }
    });
  }
});
