/**
 * The names of the labs Junction routes orders to, by the slug it gives
 * (`lab_test.lab.slug`, CONTRACT §11: the report's `lab`), for pages that say
 * a lab in words beside its code. The slugs are those DOMAIN.md names;
 * Junction may add others, which read as their code alone. Pure.
 */

/** A lab's name by its slug. */
export const LAB_NAMES: Readonly<Record<string, string>> = {
  quest: 'Quest Diagnostics',
  labcorp: 'Labcorp',
  bioreference: 'BioReference',
  sonora_quest: 'Sonora Quest',
};

/** The report's lab when Junction gave none (CONTRACT §11). */
export const UNKNOWN_LAB = 'unknown';

/** A lab's name, "Lab not given" for the report's `unknown`, or null when the slug is none this table knows. */
export function labName(slug: string): string | null {
  if (slug === UNKNOWN_LAB) return 'Lab not given';
  return Object.hasOwn(LAB_NAMES, slug) ? LAB_NAMES[slug]! : null;
}
