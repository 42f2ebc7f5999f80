/**
 * The one place that decides how the mini-program reaches its backend, from the version that
 * is running (`wx.getAccountInfoSync().miniProgram.envVersion`):
 *
 * - `release` and `trial` always use the cloud (`wx.cloud`): an uploaded package can never
 *   call the local cloud nor claim a demo identity, whatever it was launched with.
 * - `develop` (DevTools, preview, remote debugging) uses the cloud too, unless the developer
 *   asks for the local cloud (`npm start`) in the launch query, which DevTools' 编译模式 sets
 *   (启动参数; project.config.json ships one named 本地云):
 *     backend=local            the local cloud at 127.0.0.1:3900, as the demo admin
 *     user=demo-member-1       another seeded demo person (demo-admin, demo-member-1..3)
 *   The query belongs to that one launch, not to the package, so nothing can ship with it.
 *   The address is fixed: the local cloud accepts identity headers from loopback callers only,
 *   so a phone on the network could not use it as the demo person anyway.
 *
 * Cloud: set CLOUD_ENV to the environment id shown in DevTools' 云开发 console.
 *
 * The rule is here as pure code; config/launch.ts applies it to the running launch.
 */

export type TransportKind = 'cloud' | 'local';
export type EnvVersion = 'develop' | 'trial' | 'release';

/** Cloud environment id, used by `wx.cloud.init`. */
export const CLOUD_ENV = 'replace-with-cloud-env-id';
export const LOCAL_BASE_URL = 'http://127.0.0.1:3900';
/** The AppID the local cloud's demo data is seeded under. */
export const DEMO_APPID = 'wx-demo-appid';
export const DEFAULT_DEMO_USER = 'demo-admin';

/** Who the local cloud should believe the caller is; it seeds these openids. */
export interface DevIdentity {
  openid: string;
  appid: string;
  unionid: string;
}

export interface CloudRuntime {
  transport: 'cloud';
  cloudEnv: string;
}

export interface LocalRuntime {
  transport: 'local';
  cloudEnv: string;
  /** Base URL of the local cloud. */
  localBaseUrl: string;
  /** Identity sent to the local cloud in X-WX-* headers (the cloud reads it from WeChat instead). */
  devIdentity: DevIdentity;
}

export type RuntimeConfig = CloudRuntime | LocalRuntime;

/** What a launch query may hold; other keys are ignored. */
export type LaunchQuery = Record<string, string | undefined>;

const USER_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function demoIdentity(user: string): DevIdentity {
  return { openid: `${user}-openid`, appid: DEMO_APPID, unionid: `${user}-unionid` };
}

/** The rule, as a pure function: which backend a version launched with `query` talks to. */
export function chooseRuntime(envVersion: string | undefined, query: LaunchQuery): RuntimeConfig {
  const cloud: CloudRuntime = { transport: 'cloud', cloudEnv: CLOUD_ENV };
  if (envVersion !== 'develop' || query.backend !== 'local') return cloud;
  const user = query.user && USER_PATTERN.test(query.user) ? query.user : DEFAULT_DEMO_USER;
  return {
    transport: 'local',
    cloudEnv: CLOUD_ENV,
    localBaseUrl: LOCAL_BASE_URL,
    devIdentity: demoIdentity(user),
  };
}
