/** WeCom (企业微信) server API, as far as the functions need it (platform-facts section 3). */

/** Who signed in through `wx.qy.login()`. The WeCom session_key stays in the adapter. */
export interface WecomSession {
  corpId: string;
  userId: string;
}

export interface WecomPort {
  /** Exchanges a `wx.qy.login()` code (single use, 5 minutes) for the member's identity. */
  code2Session(code: string): Promise<WecomSession>;
}

/**
 * The errcodes the adapter reacts to. WeCom's own codes are positive (or -1); -2 is ours:
 * the request never produced a usable WeCom reply (network failure, timeout, HTTP 5xx,
 * a body that is not JSON or lacks the fields the call promises). Whether a -2 request
 * reached WeCom is unknown, so the adapter does not retry it: the caller decides.
 */
export const WecomErrcode = {
  TRANSPORT: -2,
  BUSY: -1,
  INVALID_SECRET: 40001,
  INVALID_CORP_ID: 40013,
  INVALID_TOKEN: 40014,
  INVALID_CODE: 40029,
  TOKEN_MISSING: 41001,
  TOKEN_EXPIRED: 42001,
  FREQUENCY_LIMIT: 45009,
  CONCURRENCY_LIMIT: 45033,
} as const;

/** A WeCom call that failed after the adapter's retries. The message never holds the secret or a token. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    /** The API path without its query, which would hold the token or the secret. */
    readonly path: string,
  ) {
    super(`WeCom ${path} failed: errcode ${errcode}, ${errmsg}`);
    this.name = 'WecomApiError';
  }
}

export interface CachedToken {
  token: string;
  /** When WeCom said the token expires, epoch ms (not when the adapter plans to refresh it). */
  expiresAt: number;
}

/**
 * Somewhere outside the process to share the access_token between instances: without it
 * every cold start costs a gettoken call, and gettoken counts against the API rate limits.
 * `key` identifies the app (base URL, corp id, a hash of the secret), never the secret itself.
 */
export interface TokenStore {
  load(key: string): Promise<CachedToken | null>;
  save(key: string, token: CachedToken): Promise<void>;
}
