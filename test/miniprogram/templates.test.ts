/**
 * Rules every WXML template of the mini-program keeps, checked over all of them so new pages
 * are covered without editing this file.
 */
import * as fs from 'fs';
import * as path from 'path';

const mp = path.resolve(__dirname, '../../miniprogram');

function templates(dir: string = mp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'miniprogram_npm' || entry.name === 'node_modules' ? [] : templates(full);
    return entry.name.endsWith('.wxml') ? [full] : [];
  });
}

const all = templates().map((file) => ({ file: path.relative(mp, file), text: fs.readFileSync(file, 'utf8') }));

/** Tap targets at least 44 px tall (88 rpx at 750 rpx a screen), as the issue and WeChat's design guide ask. */
const MIN_TAP_PX = 44;

function px(value: string): number {
  const match = /^(-?\d*\.?\d+)(rpx|px)$/.exec(value.trim());
  if (!match) return 0;
  return match[2] === 'rpx' ? Number(match[1]) / 2 : Number(match[1]);
}

/** The declarations of every rule of a stylesheet, by selector (comments removed). */
function rules(css: string): { selectors: string[]; body: string }[] {
  return [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({
    selectors: m[1].split(',').map((selector) => selector.trim()),
    body: m[2],
  }));
}

function declared(body: string, property: string): string | null {
  return new RegExp(`(?:^|;)\\s*${property}\\s*:\\s*([^;!]+)`).exec(body)?.[1].trim() ?? null;
}

const appWxss = fs.readFileSync(path.join(mp, 'app.wxss'), 'utf8');
/** A CSS variable the `page` rule of app.wxss sets, in px (0 when unset). */
const pageVariable = (name: string) => px(rules(appWxss).find((rule) => rule.selectors.includes('page'))?.body.match(new RegExp(`${name}\\s*:\\s*([^;]+)`))?.[1] ?? '');

/**
 * The height a class gives an element, from the stylesheets that reach the template: its own
 * and, for a page, app.wxss (a component's styles are isolated). A rule counts only where the
 * class alone is the selector, so the height does not depend on where the element sits.
 */
function classHeights(file: string): Map<string, number> {
  const own = path.join(mp, file.replace(/\.wxml$/, '.wxss'));
  const json = JSON.parse(fs.readFileSync(path.join(mp, file.replace(/\.wxml$/, '.json')), 'utf8')) as { component?: boolean };
  const sheets = [fs.existsSync(own) ? fs.readFileSync(own, 'utf8') : '', json.component ? '' : appWxss];
  const heights = new Map<string, number>();
  for (const rule of sheets.flatMap(rules)) {
    const height = Math.max(px(declared(rule.body, 'min-height') ?? ''), px(declared(rule.body, 'height') ?? ''));
    for (const selector of rule.selectors) {
      const name = /^\.([\w-]+)$/.exec(selector)?.[1];
      if (name && height) heights.set(name, Math.max(heights.get(name) ?? 0, height));
    }
  }
  return heights;
}

/** The tallest height any class of this tag's `attribute` (class, custom-class) gives it. */
function heightOf(tag: string, attribute: string, heights: Map<string, number>): number {
  const classes = new RegExp(`\\s${attribute}="([^"]*)"`).exec(tag)?.[1] ?? '';
  return Math.max(0, ...classes.split(/\s+/).map((name) => heights.get(name) ?? 0));
}

/** Every opening tag of the template, attributes included (they may span lines). */
function tags(text: string): string[] {
  return [...text.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<([\w-]+)\b[^>]*>/g)].map((m) => m[0].replace(/\s+/g, ' '));
}

describe('WXML templates', () => {
  it('are found', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map(({ file, text }) => [file, text]))('%s reads every maxlength from FIELD_LIMITS (page data `limits`)', (_file, text) => {
    const literal = [...text.matchAll(/maxlength="([^"]*)"/g)].map((m) => m[1]).filter((value) => !/^\{\{limits\.\w+\}\}$/.test(value));
    expect(literal).toEqual([]);
  });

  describe('tap targets are at least 44 px tall, which the markup and the styles show without layout', () => {
    it('Vant\'s small buttons and card tabs are made 44 px tall for every page (app.wxss)', () => {
      expect(pageVariable('--button-small-height')).toBeGreaterThanOrEqual(MIN_TAP_PX);
      expect(pageVariable('--tabs-card-height')).toBeGreaterThanOrEqual(MIN_TAP_PX);
    });

    it.each(all.map(({ file, text }) => [file, text]))('%s: every control is a 44 px target', (file, text) => {
      const heights = classHeights(file);
      const problems: string[] = [];
      for (const tag of tags(text)) {
        const name = /^<([\w-]+)/.exec(tag)?.[1] ?? '';
        // Mini buttons are 22 px; Vant's popup close icon is an 18 px target.
        if (/\ssize="mini"/.test(tag)) problems.push(`mini control: ${tag}`);
        if (name === 'van-popup' && /\scloseable\b/.test(tag)) problems.push(`Vant's 18 px close icon: ${tag}`);
        // Buttons (any size, small made 44 px above), cells and tabs are tall enough; anything else tapped needs a class that says so.
        const tapped = /\s(?:bindtap|catchtap|bind:tap|catch:tap|bind:click|open-type)=/.test(tag) || name === 'button';
        if (tapped && name !== 'van-button' && name !== 'van-cell' && heightOf(tag, 'class', heights) < MIN_TAP_PX) {
          problems.push(`tapped with no class of min-height ${MIN_TAP_PX} px: ${tag}`);
        }
        if (name === 'van-radio' && heightOf(tag, 'custom-class', heights) < MIN_TAP_PX) {
          problems.push(`radio with no custom-class of min-height ${MIN_TAP_PX} px: ${tag}`);
        }
        // A search's cancel action is 34 px tall by default.
        if (name === 'van-search' && /\sshow-action=/.test(tag) && heightOf(tag, 'cancel-class', heights) < MIN_TAP_PX) {
          problems.push(`search action with no cancel-class of min-height ${MIN_TAP_PX} px: ${tag}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it.each(all.map(({ file, text }) => [file, text]))('%s: a switch is toggled by its whole row, never by its 22 px self', (_file, text) => {
      const source = text.replace(/<!--[\s\S]*?-->/g, '');
      for (const match of source.matchAll(/<van-switch\b[^>]*>/g)) {
        expect(match[0]).not.toMatch(/bind:change/);
        const before = source.slice(0, match.index);
        const cell = before.slice(before.lastIndexOf('<van-cell'));
        expect(cell).toMatch(/^<van-cell\b[^>]*\sbind:click=/);
        expect(cell).not.toContain('</van-cell>');
      }
    });
  });

  it.each(all.map(({ file, text }) => [file, text]))('%s names every plain tappable element for screen readers (aria-role and aria-label)', (_file, text) => {
    const tappable = [...text.matchAll(/<([\w-]+)\b[^>]*\b(?:bindtap|catchtap|bind:tap)=[^>]*>/g)].map((m) => m[0]);
    expect(tappable.filter((tag) => !/\baria-role="[^"]+"/.test(tag) || !/\baria-label="[^"]+"/.test(tag))).toEqual([]);
  });
});
