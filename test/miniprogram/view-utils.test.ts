import { errorText } from '../../miniprogram/utils/error-text';
import { identityRows } from '../../miniprogram/utils/identity-view';

describe('identityRows', () => {
  it('lists the openid first as 当前身份, then the appid and unionid', () => {
    expect(identityRows({ openid: 'o1', appid: 'a1', unionid: 'u1' })).toEqual([
      { title: '当前身份', value: 'o1' },
      { title: '小程序 AppID', value: 'a1' },
      { title: 'UnionID', value: 'u1' },
    ]);
  });

  it('says the account is not bound when there is no unionid', () => {
    expect(identityRows({ openid: 'o1', appid: 'a1', unionid: null })[2].value).toBe('未绑定开放平台');
  });
});

describe('errorText', () => {
  it.each([
    ['NETWORK_ERROR', '网络异常，请稍后重试'],
    ['UNAUTHENTICATED', '无法确认你的身份，请重新进入小程序'],
    ['FORBIDDEN', '你没有权限进行此操作'],
    ['INTERNAL', '服务暂时不可用，请稍后重试'],
  ] as const)('gives %s a Chinese sentence', (code, text) => {
    expect(errorText({ code, message: 'server detail' })).toBe(text);
  });

  it("uses the server's message for input errors, and a generic sentence when it is empty", () => {
    expect(errorText({ code: 'INVALID_INPUT', message: '标题不能为空', field: 'title' })).toBe('标题不能为空');
    expect(errorText({ code: 'UNKNOWN_ACTION', message: '' })).toBe('操作失败，请稍后重试');
  });
});
