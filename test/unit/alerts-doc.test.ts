/**
 * docs/alerts.md shows one alert of each kind as the deployed stack sends it.
 * Each block under an `<!-- example: NAME -->` marker must be exactly what the
 * notifier renders for test/support/alert-examples.ts (so the page can never
 * drift from the code), and every example must be on the page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderedExamples } from '../support/alert-examples';

const page = readFileSync(new URL('../../docs/alerts.md', import.meta.url), 'utf8');

/** The page's examples: the fenced block after each marker, by name. */
function pageExamples(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) found.set(match[1]!, match[2]!);
  return found;
}

describe('docs/alerts.md', () => {
  const expected = renderedExamples();
  const shown = pageExamples(page);

  it('shows every example, and only those', () => {
    expect([...shown.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))('%s is what the notifier sends, character for character', (name) => {
    expect(shown.get(name), `paste this into docs/alerts.md under <!-- example: ${name} -->:\n${expected[name]}`).toBe(expected[name]);
  });

  it('finds a changed word: the comparison is exact', () => {
    const changed = page.replace('Nobody has taken it yet.', 'Nobody took it yet.');
    expect(changed).not.toBe(page);
    expect(pageExamples(changed).get('redraw_not_created.email')).not.toBe(expected['redraw_not_created.email']);
  });
});
