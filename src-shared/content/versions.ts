// The content format's own history. A package keeps the format version it was built with; a station
// upgrades older content step by step to the current version and refuses content newer than it knows.
//
// Version 1 (first pilots): `level` was a string such as "A2", part time limits were `timeLimitMinutes`,
// there was no `kind` (every test was a state language test) and speaking items had `allowRerecord`.
// Version 2: `kind` with a level object or a subject, `timeLimitSeconds`, `recordingsAllowed`.
// Version 3 (current): the `numeric` item type (centralized exams). Nothing of version 2 changed, so the
// step is the number alone; it exists so that a station without numeric items refuses such a package as
// too new (PACKAGE_FORMAT_TOO_NEW, "update the station") instead of as malformed.
import { PackageError } from '../errors.ts';
import { CONTENT_FORMAT_VERSION, ExamContent } from './schema.ts';

export const OLDEST_SUPPORTED_CONTENT_VERSION = 1;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const upgrades: Record<number, (content: Json) => Json> = {
  1: (v1) => {
    const levelText = typeof v1.level === 'string' ? v1.level : '';
    const match = /^([ABC])([12])$/.exec(levelText);
    if (!match) throw new PackageError('PACKAGE_MALFORMED', `version 1 content has level "${levelText}", expected A1..C2`);
    const parts = Array.isArray(v1.parts) ? v1.parts : [];
    return {
      ...v1,
      formatVersion: 2,
      kind: 'state-language',
      level: { level: match[1], degree: Number(match[2]) },
      parts: parts.map((part: unknown) => {
        if (!isObject(part)) return part;
        const { timeLimitMinutes, ...rest } = part;
        const tasks = Array.isArray(part.tasks) ? part.tasks : [];
        return {
          ...rest,
          timeLimitSeconds: typeof timeLimitMinutes === 'number' ? Math.round(timeLimitMinutes * 60) : timeLimitMinutes,
          tasks: tasks.map((task: unknown) => {
            if (!isObject(task) || !Array.isArray(task.items)) return task;
            return {
              ...task,
              items: task.items.map((item: unknown) => {
                if (!isObject(item) || item.type !== 'speaking') return item;
                const { allowRerecord, ...others } = item;
                return { ...others, recordingsAllowed: allowRerecord === true ? 2 : 1 };
              }),
            };
          }),
        };
      }),
    };
  },
  2: (v2) => ({ ...v2, formatVersion: 3 }),
};

/** Parse content of any supported version into the current format, or throw a PackageError that says why not. */
export function upgradeContent(raw: unknown): ExamContent {
  if (!isObject(raw) || typeof raw.formatVersion !== 'number' || !Number.isInteger(raw.formatVersion)) {
    throw new PackageError('PACKAGE_MALFORMED', 'content has no integer formatVersion');
  }
  let version = raw.formatVersion;
  if (version > CONTENT_FORMAT_VERSION) {
    throw new PackageError('PACKAGE_FORMAT_TOO_NEW', `content format ${version}, this app reads up to ${CONTENT_FORMAT_VERSION}`);
  }
  if (version < OLDEST_SUPPORTED_CONTENT_VERSION) {
    throw new PackageError('PACKAGE_FORMAT_TOO_OLD', `content format ${version}, oldest supported is ${OLDEST_SUPPORTED_CONTENT_VERSION}`);
  }
  let content: Json = raw;
  while (version < CONTENT_FORMAT_VERSION) {
    const step = upgrades[version];
    if (!step) throw new PackageError('PACKAGE_FORMAT_TOO_OLD', `no upgrade from content format ${version}`);
    content = step(content);
    version += 1;
  }
  const parsed = ExamContent.safeParse(content);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PackageError('PACKAGE_MALFORMED', `content: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}
