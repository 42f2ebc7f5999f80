/**
 * The running launch: which version this is and which backend it talks to, by the rule in
 * config/runtime.ts. Read from `wx` on first use and kept for the rest of the launch.
 */
import { chooseRuntime, type EnvVersion, type LaunchQuery, type RuntimeConfig } from './runtime';

/** The running version; an unknown one counts as `release`, the safe side. */
export function envVersion(): EnvVersion {
  try {
    const version = wx.getAccountInfoSync().miniProgram.envVersion;
    return version === 'develop' || version === 'trial' ? version : 'release';
  } catch {
    return 'release';
  }
}

/** Whether this is a development build, where debugging details may be shown. */
export function isDevelopBuild(): boolean {
  return envVersion() === 'develop';
}

function launchQuery(): LaunchQuery {
  try {
    return (wx.getLaunchOptionsSync().query ?? {}) as LaunchQuery;
  } catch {
    return {};
  }
}

let chosen: RuntimeConfig | null = null;

/**
 * The runtime of this launch, decided on first use (after the app has launched, when the
 * launch options are known) and kept for the rest of it.
 */
export function runtimeConfig(): RuntimeConfig {
  if (!chosen) chosen = chooseRuntime(envVersion(), launchQuery());
  return chosen;
}
