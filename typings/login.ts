/** Contract of the `login` cloud function. */

export interface WhoamiResponse {
  openid: string;
  appid: string;
  /** Present only when the mini-program is bound to a WeChat Open Platform account. */
  unionid: string | null;
}

export interface LoginActions {
  whoami: { request: Record<string, never>; response: WhoamiResponse };
}
