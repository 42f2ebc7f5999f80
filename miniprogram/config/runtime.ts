/**
 * The one place that decides how the mini-program reaches its backend.
 *
 * Development default: `local`, which sends every call to the local cloud
 * (`npm start`) with the demo identity below in X-WX-* headers, so the app runs in
 * DevTools without a cloud environment.
 *
 * Production: set `transport: 'cloud'` and `cloudEnv` to the cloud environment id shown
 * in DevTools' 云开发 console; `localBaseUrl` and `devIdentity` are then ignored, and the
 * caller's identity comes from WeChat itself.
 */

export type TransportKind = 'cloud' | 'local';

/** Who the local cloud should believe the caller is; it seeds these openids. */
export interface DevIdentity {
  openid: string;
  appid: string;
  unionid: string;
}

export interface RuntimeConfig {
  transport: TransportKind;
  /** Cloud environment id, used by `wx.cloud.init` when `transport` is `cloud`. */
  cloudEnv: string;
  /** Base URL of the local cloud, used when `transport` is `local`. */
  localBaseUrl: string;
  /**
   * Identity sent to the local cloud. Seeded demo openids: `demo-admin-openid`,
   * `demo-member-1-openid`, `demo-member-2-openid`, `demo-member-3-openid`.
   */
  devIdentity: DevIdentity;
}

export const runtimeConfig: RuntimeConfig = {
  transport: 'local',
  cloudEnv: 'replace-with-cloud-env-id',
  localBaseUrl: 'http://127.0.0.1:3900',
  devIdentity: {
    openid: 'demo-admin-openid',
    appid: 'wx-demo-appid',
    unionid: 'demo-admin-unionid',
  },
};
