/**
 * @jest-environment jsdom
 */
import { renderPage, waitFor, wx } from '../helpers/simulate';

describe.each([
  ['pages/proposals/index'],
  ['pages/classes/index'],
  ['pages/rooms/index'],
  ['pages/me/index'],
  ['packages/admin/pages/index/index'],
])('placeholder page %s', (pagePath) => {
  it('renders the Vant empty state saying 即将上线', () => {
    const page = renderPage(pagePath);
    expect(page.getByText('即将上线')).toBeTruthy();
    page.unmount();
  });
});

it('我的 opens the admin subpackage when 管理 is tapped', async () => {
  const navigateTo = jest.spyOn(wx, 'navigateTo').mockImplementation(() => undefined);
  const page = renderPage('pages/me/index');

  await page.tap('管理');

  await waitFor(() => navigateTo.mock.calls.length > 0, 'a navigation');
  expect(navigateTo.mock.calls[0][0]).toMatchObject({ url: '/packages/admin/pages/index/index' });
  page.unmount();
});
