/**
 * The only code that talks to the backend. Pages and services call `callFunction` with a
 * function name, an action and its typed request; the reply is always a `Result`, never a
 * rejection, so a page has exactly one failure path to render.
 */
import type { ActionName, AppError, FunctionName, RequestOf, ResultOf } from '../../typings';
import { ERROR_TEXTS } from '../../typings/error-texts';
import { runtimeConfig } from '../config/launch';
import type { LocalRuntime, RuntimeConfig } from '../config/runtime';

export const NETWORK_ERROR: AppError = {
  code: 'NETWORK_ERROR',
  message: ERROR_TEXTS.NETWORK_ERROR,
};

/**
 * Local calls that take longer than this are reported as a network failure. A function may run
 * up to its 60 s timeout (a large publish, a reminder round): wait that long, and a little more.
 */
const LOCAL_TIMEOUT_MS = 65000;

export type CallFunction = <F extends FunctionName, A extends ActionName<F>>(
  name: F,
  action: A,
  request: RequestOf<F, A>,
) => Promise<ResultOf<F, A>>;

export interface Transport {
  callFunction: CallFunction;
}

function networkFailure<T>(): T {
  return { ok: false, error: { ...NETWORK_ERROR } } as T;
}

/** Whether a reply has the Result shape; anything else means the call did not really arrive. */
export function isResult(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; data?: unknown; error?: unknown };
  if (candidate.ok === true) return 'data' in candidate;
  if (candidate.ok !== false) return false;
  const error = candidate.error as { code?: unknown; message?: unknown } | null | undefined;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
}

function eventOf(action: string, request: unknown): Record<string, unknown> {
  return Object.assign({ action }, request);
}

/** The headers through which the local cloud learns who the caller is. */
export function localIdentityHeaders(config: LocalRuntime): Record<string, string> {
  return {
    'X-WX-OPENID': config.devIdentity.openid,
    'X-WX-APPID': config.devIdentity.appid,
    'X-WX-UNIONID': config.devIdentity.unionid,
  };
}

let initialisedEnv: string | null = null;

/**
 * `wx.cloud`, initialised once for the configured environment, shared by function calls and
 * file uploads. Throws where the base library has no cloud support.
 */
export function cloudFor(config: RuntimeConfig): WxCloud {
  if (initialisedEnv !== config.cloudEnv) {
    wx.cloud.init({ env: config.cloudEnv, traceUser: true });
    initialisedEnv = config.cloudEnv;
  }
  return wx.cloud;
}

function callLocal(config: LocalRuntime, name: string, data: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    wx.request({
      url: `${config.localBaseUrl}/functions/${name}`,
      method: 'POST',
      data,
      timeout: LOCAL_TIMEOUT_MS,
      header: { 'content-type': 'application/json', ...localIdentityHeaders(config) },
      success(res) {
        const ok2xx = res.statusCode >= 200 && res.statusCode < 300;
        resolve(ok2xx && isResult(res.data) ? res.data : networkFailure());
      },
      fail() {
        resolve(networkFailure());
      },
    });
  });
}

export function createTransport(config: RuntimeConfig): Transport {
  function callCloud(name: string, data: Record<string, unknown>): Promise<unknown> {
    try {
      return cloudFor(config).callFunction({ name, data }).then(
        (res) => (isResult(res.result) ? res.result : networkFailure()),
        () => networkFailure(),
      );
    } catch {
      // wx.cloud is missing on base libraries without cloud support.
      return Promise.resolve(networkFailure());
    }
  }

  const callFunction: CallFunction = (name, action, request) => {
    const data = eventOf(action, request);
    const reply = config.transport === 'cloud' ? callCloud(name, data) : callLocal(config, name, data);
    return reply as Promise<ResultOf<typeof name, typeof action>>;
  };

  return { callFunction };
}

let defaultTransport: Transport | null = null;

/** Calls through the transport this launch chose (see config/runtime). */
export const callFunction: CallFunction = (name, action, request) => {
  if (!defaultTransport) defaultTransport = createTransport(runtimeConfig());
  return defaultTransport.callFunction(name, action, request);
};
