// The interface's words (src-renderer/text.ts): every key is said somewhere in the renderer, so the
// catalogue holds no text that no screen shows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEXT } from '../src-renderer/text.ts';

const renderer = join(import.meta.dirname, '..', 'src-renderer');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && path !== join(renderer, 'text.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('the text catalogue', () => {
  it('has no key that the renderer never uses', () => {
    const code = sources(renderer).join('\n');
    const unused = Object.keys(TEXT).filter((key) => !code.includes(`'${key}'`) && !code.includes(`TEXT.${key}`));
    expect(unused).toEqual([]);
  });
});
