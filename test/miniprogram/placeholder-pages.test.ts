/**
 * Every tab of the bar is a working page: the last placeholder (提案, 即将上线) gave way to the
 * proposals tab, and no tab may fall back to one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { miniprogramRoot } from '../helpers/simulate';

const app = JSON.parse(fs.readFileSync(path.join(miniprogramRoot, 'app.json'), 'utf8')) as { tabBar: { list: { pagePath: string; text: string }[] } };

describe.each(app.tabBar.list.map((tab) => [tab.text, tab.pagePath]))('the %s tab (%s)', (_text, pagePath) => {
  it('is a page of its own, not a 即将上线 placeholder', () => {
    const template = fs.readFileSync(path.join(miniprogramRoot, `${pagePath}.wxml`), 'utf8');
    expect(template).not.toContain('coming-soon');
    expect(template).not.toContain('即将上线');
    const script = fs.readFileSync(path.join(miniprogramRoot, `${pagePath}.ts`), 'utf8');
    expect(script).not.toMatch(/definePage\(\{\s*data:\s*\{\}\s*\}\)/);
  });
});
