/**
 * @jest-environment jsdom
 */
import { renderPage } from '../helpers/simulate';

describe.each([
  ['pages/proposals/index'],
  ['pages/rooms/index'],
])('placeholder page %s', (pagePath) => {
  it('renders the Vant empty state saying 即将上线', () => {
    const page = renderPage(pagePath);
    expect(page.getByText('即将上线')).toBeTruthy();
    page.unmount();
  });
});
