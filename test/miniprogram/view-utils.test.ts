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
