/**
 * @jest-environment jsdom
 */
import { renderPage, waitFor, wx, type RequestOptions } from '../helpers/simulate';

const HOME = 'pages/notices/index';

function replyWith(respond: (options: RequestOptions) => void) {
  return (options: RequestOptions) => {
    setTimeout(() => respond(options), 0);
    return {};
  };
}

const identity = { openid: 'demo-member-1-openid', appid: 'wx-demo-appid', unionid: null };

describe('home page (通知)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('shows a loading state, then the identity the backend returned', async () => {
    const request = jest
      .spyOn(wx, 'request')
      .mockImplementation(replyWith((options) => options.success?.({ statusCode: 200, data: { ok: true, data: identity } })));

    const page = renderPage(HOME);
    expect(page.text()).toContain('加载中');

    await waitFor(() => page.queryByText('demo-member-1-openid'), 'the openid');
    expect(page.text()).not.toContain('加载中');
    expect(page.getByText('当前身份')).toBeTruthy();
    expect(page.getByText('未绑定开放平台')).toBeTruthy();

    expect(request).toHaveBeenCalledTimes(1);
    const sent = request.mock.calls[0][0];
    expect(sent.url).toBe('http://127.0.0.1:3900/functions/login');
    expect(sent.method).toBe('POST');
    expect(sent.data).toEqual({ action: 'whoami' });
    expect(sent.header).toMatchObject({
      'X-WX-OPENID': 'demo-admin-openid',
      'X-WX-APPID': 'wx-demo-appid',
      'X-WX-UNIONID': 'demo-admin-unionid',
    });
    page.unmount();
  });

  it('shows the error and a retry button when the call fails, and retrying shows the identity', async () => {
    const request = jest
      .spyOn(wx, 'request')
      .mockImplementationOnce(replyWith((options) => options.fail?.({ errMsg: 'request:fail timeout' })))
      .mockImplementationOnce(replyWith((options) => options.success?.({ statusCode: 200, data: { ok: true, data: identity } })));

    const page = renderPage(HOME);
    await waitFor(() => page.queryByText('网络异常，请稍后重试'), 'the error text');
    expect(page.text()).not.toContain('demo-member-1-openid');

    await page.tap('重试');

    await waitFor(() => page.queryByText('demo-member-1-openid'), 'the openid after retrying');
    expect(request).toHaveBeenCalledTimes(2);
    expect(page.text()).not.toContain('网络异常');
    expect(page.queryByText('重试')).toBeNull();
    page.unmount();
  });

  it('shows the reason the backend gave when it refuses', async () => {
    jest.spyOn(wx, 'request').mockImplementation(
      replyWith((options) =>
        options.success?.({ statusCode: 200, data: { ok: false, error: { code: 'UNAUTHENTICATED', message: 'no openid' } } }),
      ),
    );

    const page = renderPage(HOME);
    await waitFor(() => page.queryByText('无法确认你的身份，请重新进入小程序'), 'the error text');
    expect(page.getByText('重试')).toBeTruthy();
    page.unmount();
  });
});
