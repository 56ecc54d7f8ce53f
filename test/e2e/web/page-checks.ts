import type { AxeResults } from 'axe-core';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Measurements a reader would notice, taken in the page: tap-target sizes, what is in view,
 * colour contrast (WCAG 2 relative luminance), and an axe-core scan.
 */

/** The smallest tap target the 适老化 rules (and WCAG 2.5.5) allow, in CSS px. */
export const TAP = 44;

/** Every tap target on screen smaller than 44×44 CSS px, by its label. */
export async function smallTargets(page: Page) {
  // Inline tel: links inside a sentence are exempt (WCAG 2.5.5/2.5.8 inline exception); the
  // same numbers are 44 px buttons in the header, and heading a reply about danger.
  const targets = await page.locator('button, input, a:not(.text a.tel)').evaluateAll((nodes) =>
    nodes
      .filter((node) => node.getClientRects().length > 0)
      .map((node) => {
        const box = node.getBoundingClientRect();
        return { label: node.textContent?.trim() || node.id, width: box.width, height: box.height };
      }));
  expect(targets.length).toBeGreaterThan(5);
  return targets.filter((target) => target.width < TAP - 0.01 || target.height < TAP - 0.01);
}

/** Whether the element is shown (not display:none) and lies wholly inside the viewport. */
export async function inViewport(locator: Locator) {
  return locator.evaluate((node) => {
    const box = node.getBoundingClientRect();
    return getComputedStyle(node).display !== 'none' && box.width > 0 &&
      box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
  });
}

function luminance(rgb: number[]) {
  const [r, g, b] = rgb.map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string) {
  const [la, lb] = [a, b].map((color) => luminance(color.match(/[\d.]+/g)!.slice(0, 3).map(Number))).sort((x, y) => y - x);
  return (la! + 0.05) / (lb! + 0.05);
}

/**
 * For each control: its text colour, its border, its own fill and the colour behind it (the
 * first opaque background among its ancestors).
 */
export async function controlColours(page: Page, selector: string) {
  return page.locator(selector).evaluateAll((nodes) =>
    nodes
      .filter((node) => node.getClientRects().length > 0)
      .map((node) => {
        const style = getComputedStyle(node);
        let parent = node.parentElement;
        let behind = 'rgb(255, 255, 255)';
        while (parent) {
          const fill = getComputedStyle(parent).backgroundColor;
          if (!fill.startsWith('rgba(0, 0, 0, 0)') && fill !== 'transparent') {
            behind = fill;
            break;
          }
          parent = parent.parentElement;
        }
        const own = style.backgroundColor;
        return { label: node.textContent?.trim() ?? '', text: style.color, border: style.borderTopColor, own, behind };
      }));
}

export const opaque = (colour: string) => !colour.startsWith('rgba(0, 0, 0, 0)') && colour !== 'transparent';

/**
 * Runs axe-core (its source passed in) over the page. The page's CSP (script-src 'self')
 * refuses an inline <script>, so addScriptTag({ content }) cannot inject axe; an evaluation
 * over CDP is not subject to the page's CSP.
 */
export async function runAxe(page: Page, axeSource: string) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(): Promise<AxeResults> } };
    const results = await axe.run();
    return {
      violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((node) => node.target.join(' ')) })),
      passes: results.passes.length,
      incomplete: results.incomplete.map((v) => v.id),
    };
  });
}
