/**
 * @jest-environment jsdom
 */
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, type Handler } from './fake-backend';
import { detail } from './org-fixtures';
import { pathPieces } from './page-helpers';

const MEMBER = 'pages/member/index';

interface WxPhone {
  makePhoneCall(options: { phoneNumber: string }): void;
  setClipboardData(options: { data: string }): void;
  setNavigationBarTitle(options: { title: string }): void;
}
const wxPhone = wx as unknown as WxPhone;

async function open(handler: Handler<'directory.member'>, first: string): Promise<RenderedPage> {
  installBackend({ 'directory.member': handler });
  const page = renderPage(MEMBER, { query: { id: 'm1' } });
  await waitFor(() => page.queryByText(first), first);
  return page;
}

beforeEach(() => {
  installStorage();
  jest.spyOn(wxPhone, 'setNavigationBarTitle').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('member page', () => {
  it('shows the member with the phone number to call or copy when it is visible', async () => {
    const call = jest.spyOn(wxPhone, 'makePhoneCall').mockImplementation(() => undefined);
    const copy = jest.spyOn(wxPhone, 'setClipboardData').mockImplementation(() => undefined);
    const page = await open(() => ok(detail({ title: '班长' })), '138 0000 0000');

    const text = page.text();
    expect(page.getByText('林一')).toBeTruthy();
    expect(page.getByText('学号')).toBeTruthy();
    expect(page.getByText('2023001')).toBeTruthy();
    expect(text).toContain('类型学生');
    expect(text).toContain('职务');
    expect(pathPieces(page)).toEqual(['计算机学院 /', '软件工程 2301 班']);
    expect(text).not.toContain('仅管理员、发布者和本单位关注人可见');

    await page.tap('拨打');
    await page.tap('复制');

    expect(call).toHaveBeenCalledWith({ phoneNumber: '+8613800000000' });
    expect(copy).toHaveBeenCalledWith({ data: '+8613800000000' });
    page.unmount();
  });

  it('says who may see the phone number when it is hidden, and offers no call', async () => {
    const page = await open(() => ok(detail({ phone: null, phoneVisible: false })), '仅管理员、发布者和本单位关注人可见');

    expect(page.queryByText('拨打')).toBeNull();
    expect(page.queryByText('复制')).toBeNull();
    page.unmount();
  });

  it('says 未登记 when the phone is visible but not on record', async () => {
    const page = await open(() => ok(detail({ phone: null, phoneVisible: true })), '未登记');
    expect(page.queryByText('拨打')).toBeNull();
    page.unmount();
  });

  it('shows a staff member with 工号 and 教职工, and a foreign number as it is', async () => {
    const page = await open(() => ok(detail({ kind: 'staff', number: 'T1001', phone: '+85261234567' })), '+85261234567');
    expect(page.getByText('工号')).toBeTruthy();
    expect(page.text()).toContain('教职工');
    page.unmount();
  });

  it.each([
    ['MEMBER_NOT_FOUND', '该成员不存在或已被删除'],
    ['FORBIDDEN', '你没有权限查看该成员'],
  ] as const)('shows an error state for %s', async (code, text) => {
    const page = await open(() => fail(code), text);
    expect(page.queryByText('重试')).toBeNull();
    expect(page.text()).not.toContain('手机号');
    page.unmount();
  });
});
