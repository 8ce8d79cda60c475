/**
 * The console's tap targets as a thumb or a pointer meets them (CONTRACT §12,
 * issue 72 item 7; WCAG 2.2 2.5.8): every link, button, field and disclosure
 * shown in the header and main, with the box that acts on it. A radio or a
 * checkbox inside its label acts from the whole label; a worklist card's link
 * from the whole card, which its cover fills. Links inside a sentence (inline,
 * beside words of their block that belong to no target) are WCAG's inline
 * exception and are listed apart, so a test can say what it left out. What is
 * hidden, visually hidden or moved off the screen (the skip link until focused)
 * is no target.
 */
import type { Page } from 'playwright-core';

export interface TapTarget {
  /** "button Take it", "a Back to All open", "input field-reference". */
  name: string;
  width: number;
  height: number;
}

export interface TapTargets {
  targets: TapTarget[];
  /** Links inside a sentence, left out of `targets`. */
  inline: string[];
}

/** Runs in the page: plain JavaScript, as page.evaluate takes it (the tests compile without the DOM's types). */
const MEASURE = `(() => {
  const TARGET = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const describe = (element) => {
    const name = element.getAttribute('aria-label') || (element.labels && element.labels[0] && element.labels[0].textContent.trim()) || element.textContent.trim() || element.id || element.getAttribute('name') || '';
    return element.tagName.toLowerCase() + ' ' + name.replace(/\\s+/g, ' ').slice(0, 48);
  };
  const blockOf = (element) => {
    let at = element.parentElement;
    while (at && getComputedStyle(at).display.startsWith('inline')) at = at.parentElement;
    return at;
  };
  /** Words of the link's block that belong to no target: then the link sits in a sentence. */
  const inSentence = (element) => {
    if (element.tagName !== 'A' || getComputedStyle(element).display !== 'inline') return false;
    const block = blockOf(element);
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!/[A-Za-z]/.test(node.textContent)) continue;
      const holder = node.parentElement;
      if (holder.closest(TARGET + ', label') || holder.closest('.visually-hidden')) continue;
      return true;
    }
    return false;
  };
  const targets = [];
  const inline = [];
  for (const element of document.querySelectorAll('header ' + TARGET.split(', ').join(', header ') + ', main ' + TARGET.split(', ').join(', main '))) {
    if (element.closest('details:not([open]) > :not(summary)')) continue;
    const own = element.getBoundingClientRect();
    if (own.width <= 1 || own.height <= 1 || own.right <= 0 || getComputedStyle(element).visibility === 'hidden') continue;
    if (inSentence(element)) {
      inline.push(describe(element));
      continue;
    }
    const label = /^(radio|checkbox)$/.test(element.type || '') ? element.closest('label') : null;
    const card = element.classList.contains('row-link') ? element.closest('.row-card') : null;
    const box = (card || label || element).getBoundingClientRect();
    targets.push({ name: describe(element), width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10 });
  }
  return { targets, inline };
})()`;

/** The page's tap targets now, and the inline links it left out. */
export async function tapTargets(page: Page): Promise<TapTargets> {
  return page.evaluate<TapTargets>(MEASURE);
}

/** The targets of the page smaller than `min` px on a side, each as "name: W x H". */
export async function smallTargets(page: Page, min: number): Promise<string[]> {
  const { targets } = await tapTargets(page);
  return targets.filter((target) => target.width < min || target.height < min).map((target) => `${target.name}: ${target.width} x ${target.height}`);
}
