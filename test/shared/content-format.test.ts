import { describe, expect, it } from 'vitest';
import { CONTENT_FORMAT_VERSION, ExamContent, listItems } from '../../src-shared/content/schema.ts';
import { upgradeContent } from '../../src-shared/content/versions.ts';
import { CodedError } from '../../src-shared/errors.ts';
import { countWords, responseMismatch } from '../../src-shared/content/responses.ts';
import { asContentFormat1, miniExamSource } from '../support/fixtures.ts';

function venueContent(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(miniExamSource(), (key, value: unknown) => (key === 'answer' || key === 'rubric' ? undefined : value))) as Record<string, unknown>;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CodedError ? error.code : `not a StationError: ${String(error)}`;
  }
  return undefined;
}

describe('exam content format', () => {
  it('parses a test with every item type and lists its items in order', () => {
    const content = upgradeContent(venueContent());
    expect(listItems(content).map((e) => e.item.type)).toEqual([
      'single-choice', 'true-false-not-given', 'multiple-choice', 'gap-fill', 'matching', 'ordering', 'short-text', 'extended-writing', 'speaking',
    ]);
    expect(content.pastePolicy).toBe('block');
  });

  it('refuses duplicate identifiers, gaps that do not match the text and min words above max words', () => {
    const dup = venueContent() as { parts: { tasks: { items: { id: string }[] }[] }[] };
    dup.parts[0]!.tasks[0]!.items[1]!.id = 'l1-q1';
    expect(ExamContent.safeParse(dup).success).toBe(false);

    const gaps = venueContent() as { parts: { tasks: { items: Record<string, unknown>[] }[] }[] };
    gaps.parts[1]!.tasks[0]!.items[0]!.text = 'Tikai {{g1}}.';
    expect(ExamContent.safeParse(gaps).success).toBe(false);

    const words = venueContent() as { parts: { tasks: { items: Record<string, unknown>[] }[] }[] };
    words.parts[2]!.tasks[0]!.items[0]!.minWords = 500;
    expect(ExamContent.safeParse(words).success).toBe(false);
  });

  it('refuses a custom part in a state language test', () => {
    const content = venueContent() as { parts: { kind: string }[] };
    content.parts[0]!.kind = 'custom';
    expect(codeOf(() => upgradeContent(content))).toBe('PACKAGE_MALFORMED');
  });

  it('upgrades version 1 content (level string, minutes, allowRerecord) to the current format', () => {
    const v1 = asContentFormat1(venueContent());
    expect(v1).toMatchObject({ formatVersion: 1, level: 'A2' });
    expect(v1.kind).toBeUndefined();
    const upgraded = upgradeContent(JSON.parse(JSON.stringify(v1)));
    expect(upgraded.kind).toBe('state-language');
    expect(upgraded.kind === 'state-language' && upgraded.level).toEqual({ level: 'A', degree: 2 });
    expect(upgraded.parts.map((p) => p.timeLimitSeconds)).toEqual([600, 900, 1200, 600]);
    const speaking = listItems(upgraded).find((e) => e.item.type === 'speaking')!.item;
    expect(speaking.type === 'speaking' && speaking.recordingsAllowed).toBe(2);
  });

  it('reads version 2 content (before numeric items) unchanged as the current format', () => {
    const v2 = { ...venueContent(), formatVersion: 2 };
    const upgraded = upgradeContent(JSON.parse(JSON.stringify(v2)));
    expect(upgraded).toEqual(upgradeContent(venueContent()));
    expect(upgraded.formatVersion).toBe(CONTENT_FORMAT_VERSION);
  });

  it('refuses content from a newer format and content that is too old, with clear codes', () => {
    expect(codeOf(() => upgradeContent({ ...venueContent(), formatVersion: CONTENT_FORMAT_VERSION + 1 }))).toBe('PACKAGE_FORMAT_TOO_NEW');
    expect(codeOf(() => upgradeContent({ ...venueContent(), formatVersion: 0 }))).toBe('PACKAGE_FORMAT_TOO_OLD');
    expect(codeOf(() => upgradeContent({ title: 'no version' }))).toBe('PACKAGE_MALFORMED');
    expect(codeOf(() => upgradeContent({ ...venueContent(), formatVersion: 1, level: 'D7' }))).toBe('PACKAGE_MALFORMED');
  });

  it('checks that an answer fits its item', () => {
    const content = upgradeContent(venueContent());
    const item = (id: string) => listItems(content).find((e) => e.item.id === id)!.item;
    expect(responseMismatch(item('l1-q1'), { type: 'single-choice', optionId: 'b' })).toBeUndefined();
    expect(responseMismatch(item('l1-q1'), { type: 'single-choice', optionId: 'z' })).toMatch(/unknown choice/);
    expect(responseMismatch(item('l1-q1'), { type: 'short-text', text: 'b' })).toMatch(/single-choice/);
    expect(responseMismatch(item('r1-q1'), { type: 'gap-fill', gaps: { g1: 'riga', g2: '350' } })).toBeUndefined();
    expect(responseMismatch(item('r1-q1'), { type: 'gap-fill', gaps: { g9: 'x' } })).toMatch(/unknown gap/);
    expect(responseMismatch(item('r1-q3'), { type: 'ordering', order: ['e1', 'e1'] })).toMatch(/repeated/);
    expect(responseMismatch(item('r1-q4'), { type: 'short-text', text: 'x'.repeat(51) })).toMatch(/longer/);
  });

  it('counts words with Latvian diacritics and hyphenated words', () => {
    expect(countWords('Labdien! Es esmu Jānis, dzīvoju Rīgā.')).toBe(6);
    expect(countWords('  ')).toBe(0);
    expect(countWords('sociāli-ekonomiskais jautājums')).toBe(2);
  });
});
