import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the linter keeps the process boundaries', () => {
  it('lets only src-main/electron import electron', async () => {
    expect(await importErrors('src-main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await importErrors('src-main/station/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([expect.stringContaining('Only src-main/electron/ may import electron.')]);
    expect(await importErrors('src-server/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
  });

  it('keeps Node built-ins and main-process code out of the renderer', async () => {
    expect(await importErrors('src-renderer/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toHaveLength(1);
    expect(await importErrors('src-renderer/x.ts', "import fs from 'fs';\nexport const r = fs;\n")).toHaveLength(1);
    expect(await importErrors('src-renderer/x.ts', "import { StationService } from '../src-main/station/service.ts';\nexport const s = StationService;\n")).toHaveLength(1);
    expect(await importErrors('src-renderer/x.ts', "import { StationError } from '../src-shared/errors.ts';\nexport const e = StationError;\n")).toEqual([]);
  });

  it('keeps src-shared free of Node, electron and the other sides', async () => {
    expect(await importErrors('src-shared/x.ts', "import { createHash } from 'node:crypto';\nexport const h = createHash;\n")).toHaveLength(1);
    expect(await importErrors('src-shared/x.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).toHaveLength(1);
    expect(await importErrors('src-shared/x.ts', "import { openStationDatabase } from '../src-main/station/database.ts';\nexport const o = openStationDatabase;\n")).toHaveLength(1);
    expect(await importErrors('src-shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});
