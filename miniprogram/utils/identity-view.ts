import type { WhoamiResponse } from '../../typings';

export interface IdentityRow {
  title: string;
  value: string;
}

/** The rows of the identity card on the home page, in display order. */
export function identityRows(identity: WhoamiResponse): IdentityRow[] {
  return [
    { title: '当前身份', value: identity.openid },
    { title: '小程序 AppID', value: identity.appid },
    { title: 'UnionID', value: identity.unionid ?? '未绑定开放平台' },
  ];
}
