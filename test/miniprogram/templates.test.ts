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

describe('WXML templates', () => {
  it('are found', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map(({ file, text }) => [file, text]))('%s reads every maxlength from FIELD_LIMITS (page data `limits`)', (_file, text) => {
    const literal = [...text.matchAll(/maxlength="([^"]*)"/g)].map((m) => m[1]).filter((value) => !/^\{\{limits\.\w+\}\}$/.test(value));
    expect(literal).toEqual([]);
  });

  it.each(all.map(({ file, text }) => [file, text]))('%s names every plain tappable element for screen readers (aria-role and aria-label)', (_file, text) => {
    const tappable = [...text.matchAll(/<([\w-]+)\b[^>]*\b(?:bindtap|catchtap|bind:tap)=[^>]*>/g)].map((m) => m[0]);
    expect(tappable.filter((tag) => !/\baria-role="[^"]+"/.test(tag) || !/\baria-label="[^"]+"/.test(tag))).toEqual([]);
  });
});
