// What the centre page's cards share (CentrePage.tsx, CentreUsb.tsx): dates, sizes and role names in the
// person's language, and the banner a refusal is shown in, in both languages.
import { rolesWith } from '../../src-shared/contracts/staff-rights.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import { STAFF_ROLE_NAMES, type StaffRight } from '../../src-shared/rules/staff.ts';
import type { UiLanguage } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

const locale = (lang: UiLanguage): string => (lang === 'lv' ? 'lv-LV' : 'en-GB');

/** Date and time to the second, as the person's language writes it (02.12.2026 09:41:05). */
export function dateTime(iso: string, lang: UiLanguage): string {
  return new Date(iso).toLocaleString(locale(lang), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function megabytes(bytes: number, lang: UiLanguage): string {
  const mb = bytes / (1024 * 1024);
  return mb.toLocaleString(lang, { maximumFractionDigits: mb < 1 ? 2 : 1 });
}

/** The roles that hold a right, in the person's language: "eksāmenu centra darbinieks vai IT speciālists". */
export function rolesText(right: StaffRight, lang: UiLanguage): string {
  const names = rolesWith(right).map((role) => STAFF_ROLE_NAMES[role][lang]);
  const or = lang === 'lv' ? 'vai' : 'or';
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${or} ${names.at(-1)}`;
}

export function ErrorBanner({ error, testId }: { error: BilingualText | null; testId?: string }) {
  if (!error) return null;
  return (
    <p className="banner banner-error" role="alert" data-testid={testId}>
      <Bilingual text={error} />
    </p>
  );
}
