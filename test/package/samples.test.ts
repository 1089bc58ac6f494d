import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreItem } from '../../src-shared/content/answer-key.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import type { ItemKey } from '../../src-shared/content/answer-key.ts';
import { listItems, maxPointsOfPart } from '../../src-shared/content/schema.ts';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { decodeContainer } from '../../src-shared/node/package/container.ts';
import { openPackage } from '../../src-shared/node/package/reader.ts';
import { makeKeys } from '../support/fixtures.ts';

const samples = join(import.meta.dirname, '../../assets/samples');

/** The answer a candidate gives who answers exactly what the key says. */
function keyedAnswer(key: ItemKey): ResponseValue | undefined {
  switch (key.type) {
    case 'single-choice': return { type: key.type, optionId: key.optionId };
    case 'multiple-choice': return { type: key.type, optionIds: key.optionIds };
    case 'true-false-not-given': return { type: key.type, choice: key.choice };
    case 'gap-fill': return { type: key.type, gaps: Object.fromEntries(Object.entries(key.gaps).map(([g, ok]) => [g, ok[0]!])) };
    case 'matching': return { type: key.type, pairs: key.pairs };
    case 'ordering': return { type: key.type, order: key.order };
    case 'short-text': return { type: key.type, text: key.accepted[0]! };
    case 'numeric': return { type: key.type, text: `${String(key.value)}${key.unitRequired ? ` ${key.units[0]!}` : ''}` };
    default: return undefined;
  }
}

describe('the sample tests in assets/samples', () => {
  const keys = makeKeys();
  it.each(['a2', 'b1'])('%s builds into a package that opens, and the keyed answers score full marks', (name) => {
    const built = buildPackage({ sourceDir: join(samples, name), signingKey: keys.signingKey, validFrom: new Date(0), validUntil: new Date('2100-01-01') });
    const { manifest, ciphertext } = decodeContainer(built.file);
    const { content, readMedia } = openPackage(manifest, ciphertext, built.contentKey);
    expect(content.language).toBe('lv');
    expect(content.parts.map((p) => p.kind)).toEqual(['listening', 'reading', 'writing', 'speaking']);
    expect(built.unusedMedia).toEqual([]);
    for (const { item } of listItems(content)) {
      const key = built.answerKey.items[item.id]!;
      const score = scoreItem(item, key, keyedAnswer(key));
      expect(score.kind === 'rater' || score.points === score.max, `item ${item.id}`).toBe(true);
    }
    const audio = content.parts[0]!.tasks.flatMap((t) => t.stimuli).filter((s) => s.type === 'audio');
    expect(audio.length).toBeGreaterThan(0);
    for (const stimulus of audio) expect(readMedia(stimulus.media)!.subarray(0, 4).toString('latin1')).toBe('OggS');
  });

  it('the grade 9 mathematics exam is a centralized exam of three freely named parts with their own times, and its keyed answers score full marks', () => {
    const built = buildPackage({ sourceDir: join(samples, 'mat9'), signingKey: keys.signingKey, validFrom: new Date(0), validUntil: new Date('2100-01-01') });
    const { manifest, ciphertext } = decodeContainer(built.file);
    const { content, readMedia } = openPackage(manifest, ciphertext, built.contentKey);
    expect(content.kind === 'centralized' && content.subject).toBe('Matemātika');
    expect(content.language).toBe('lv');
    expect(built.unusedMedia).toEqual([]);
    expect(content.parts.map((p) => [p.kind, p.title, p.timeLimitSeconds / 60, maxPointsOfPart(p)])).toEqual([
      ['custom', '1. daļa. Skaitļi un izteiksmes', 20, 7],
      ['custom', '2. daļa. Ģeometrija un dati', 25, 7],
      ['custom', '3. daļa. Uzdevumi ar risinājumu', 40, 10],
    ]);
    const types = new Set(listItems(content).map((e) => e.item.type));
    expect([...types].sort()).toEqual(['extended-writing', 'numeric', 'single-choice']);
    for (const { item } of listItems(content)) {
      const key = built.answerKey.items[item.id]!;
      const score = scoreItem(item, key, keyedAnswer(key));
      expect(score.kind === 'rater' || score.points === score.max, `item ${item.id}`).toBe(true);
    }
    expect(readMedia('media/temperature.svg')!.subarray(0, 5).toString('latin1')).toBe('<?xml');
  });

  it('A2 has three tasks and 15 points in each of its four parts (MK 157)', () => {
    const built = buildPackage({ sourceDir: join(samples, 'a2'), signingKey: keys.signingKey, validFrom: new Date(0), validUntil: new Date('2100-01-01') });
    const { manifest, ciphertext } = decodeContainer(built.file);
    const { content } = openPackage(manifest, ciphertext, built.contentKey);
    expect(content.kind === 'state-language' && content.level).toEqual({ level: 'A', degree: 2 });
    expect(content.parts.map((p) => [p.tasks.length, maxPointsOfPart(p)])).toEqual([[3, 15], [3, 15], [3, 15], [3, 15]]);
    expect(content.parts.map((p) => p.timeLimitSeconds / 60)).toEqual([25, 30, 35, 15]);
  });
});
