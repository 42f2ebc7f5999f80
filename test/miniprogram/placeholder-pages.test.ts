/**
 * @jest-environment jsdom
 */
import { renderPage } from '../helpers/simulate';
import { attributeOf } from './page-helpers';

describe.each([
  ['pages/proposals/index', 'comment-o', '提案功能即将上线', '在这里向学校提交意见和建议，随时查看办理进度和答复。'],
])('placeholder tab %s', (pagePath, icon, title, text) => {
  it('says honestly what will be there, with an icon, and no bare 即将上线', () => {
    const page = renderPage(pagePath);
    expect(page.getByText(title)).toBeTruthy();
    expect(page.getByText(text)).toBeTruthy();
    expect(page.getByText('正在开发中，上线后可直接在这里使用')).toBeTruthy();
    expect(attributeOf(page, '.coming-soon__glyph', 'name')).toBe(icon);
    expect(page.text()).not.toBe('即将上线');
    page.unmount();
  });
});
