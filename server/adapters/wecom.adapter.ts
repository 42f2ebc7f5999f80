import { createHash } from 'node:crypto';
import type { Db } from '../db/db';
import { dbTokenStore } from './db-token-store';
import { nodeFetch, timeoutSignal } from './node-http.adapter';
import { type CachedToken, type TokenStore, WecomApiError, WecomErrcode, type WecomPort, type WecomSession } from '../ports/wecom.port';

export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';

const GETTOKEN_PATH = '/cgi-bin/gettoken';
const JSCODE2SESSION_PATH = '/cgi-bin/miniprogram/jscode2session';

/** The part of `fetch` the client uses, so tests can pass a narrower fake. Global fetch fits it too. */
export type FetchLike = (
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export type WecomQuery = Record<string, string | number | undefined>;

export interface WecomConfig {
  baseUrl: string;
  corpId: string;
  secret: string;
}

export interface WecomClientOptions {
  baseUrl?: string;
  corpId: string;
  secret: string;
  fetch?: FetchLike;
  /** Epoch ms; decides when the cached token is due for a refresh. */
  now?: () => number;
  /** Waits between retries; tests pass one that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  backoffMs?: number;
  /** Refresh this long before WeCom's expiry, so no call goes out with a token about to die. */
  refreshMarginMs?: number;
  store?: TokenStore;
  /** Bounds each HTTP request and each token store operation. */
  requestTimeoutMs?: number;
  log?: (message: string) => void;
}

/** Per app and per process: every client built from the same config shares one slot. */
interface TokenSlot {
  token: CachedToken | null;
  refreshAt: number;
  inflight: Promise<CachedToken> | null;
  /** The last token WeCom refused, so a stale copy in the store is not adopted again. */
  rejected: string | null;
}

const tokenCache = new Map<string, TokenSlot>();

/** Forgets every cached token in this process (tests, or after rotating a secret). */
export function resetWecomTokenCache(): void {
  tokenCache.clear();
}

const TOKEN_REJECTED: ReadonlySet<number> = new Set([WecomErrcode.INVALID_TOKEN, WecomErrcode.TOKEN_EXPIRED]);
const RATE_LIMITED: ReadonlySet<number> = new Set([WecomErrcode.FREQUENCY_LIMIT, WecomErrcode.CONCURRENCY_LIMIT]);
const BUSY_RETRIES = 3;
const RATE_LIMIT_RETRIES = 2;

interface Reply {
  errcode: number;
  errmsg: string;
  body: Record<string, unknown>;
}

/**
 * The delay before the next attempt after `errcode`, or null when the call should fail now.
 * Busy and rate-limit budgets are separate: a busy answer says nothing about the quota.
 */
function retryPolicy(backoffMs: number): (errcode: number) => number | null {
  let busy = 0;
  let limited = 0;
  return (errcode) => {
    if (errcode === WecomErrcode.BUSY && busy < BUSY_RETRIES) return backoffMs * 2 ** busy++;
    // Quotas recover slowly: start where the busy backoff ends.
    if (RATE_LIMITED.has(errcode) && limited < RATE_LIMIT_RETRIES) return backoffMs * 4 * 2 ** limited++;
    return null;
  };
}

const TIMED_OUT = Symbol('timed out');

async function withTimeout<T>(work: () => Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    // Started inside the promise chain so a store that throws synchronously is caught too.
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeTransportFailure(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') return `no reply within ${timeoutMs} ms`;
  // undici hides the useful part (ECONNREFUSED, ENOTFOUND...) in `cause`; node:http puts it on the error.
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code ?? (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * WeCom server API over HTTPS with the app's access_token: cached per process (and in an
 * optional shared store), refreshed one at a time, and the platform's retry rules applied.
 */
export class WecomClient implements WecomPort {
  private readonly baseUrl: string;
  private readonly corpId: string;
  private readonly secret: string;
  private readonly fetchFn: FetchLike;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backoffMs: number;
  private readonly refreshMarginMs: number;
  private readonly store: TokenStore | undefined;
  private readonly requestTimeoutMs: number;
  private readonly log: (message: string) => void;
  /** Identifies the app without holding the secret, since it may reach the store and logs. */
  private readonly cacheKey: string;

  constructor(options: WecomClientOptions) {
    this.baseUrl = (options.baseUrl ?? WECOM_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.corpId = options.corpId;
    this.secret = options.secret;
    this.fetchFn = options.fetch ?? nodeFetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.backoffMs = options.backoffMs ?? 200;
    this.refreshMarginMs = options.refreshMarginMs ?? 300_000;
    this.store = options.store;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 4000;
    this.log = options.log ?? ((message) => console.warn(message));
    const secretHash = createHash('sha256').update(this.secret).digest('hex');
    this.cacheKey = `wecom-token|${this.baseUrl}|${this.corpId}|${secretHash}`;
  }

  async getAccessToken(): Promise<string> {
    return (await this.currentToken()).token;
  }

  /** Any token-authenticated GET; the reply's fields are the caller's to check. */
  async get<T extends object = Record<string, unknown>>(path: string, query: WecomQuery = {}): Promise<T> {
    return (await this.call('GET', path, query, undefined)) as T;
  }

  /** Any token-authenticated POST with a JSON body. */
  async post<T extends object = Record<string, unknown>>(path: string, query: WecomQuery, body: unknown): Promise<T> {
    return (await this.call('POST', path, query, body)) as T;
  }

  async code2Session(code: string): Promise<WecomSession> {
    const reply = await this.get(JSCODE2SESSION_PATH, { js_code: code, grant_type: 'authorization_code' });
    const { corpid, userid } = reply;
    if (typeof corpid !== 'string' || !corpid || typeof userid !== 'string' || !userid) {
      throw new WecomApiError(WecomErrcode.TRANSPORT, 'reply without corpid or userid', JSCODE2SESSION_PATH);
    }
    return { corpId: corpid, userId: userid };
  }

  private slot(): TokenSlot {
    let slot = tokenCache.get(this.cacheKey);
    if (!slot) {
      slot = { token: null, refreshAt: 0, inflight: null, rejected: null };
      tokenCache.set(this.cacheKey, slot);
    }
    return slot;
  }

  private currentToken(): Promise<CachedToken> {
    const slot = this.slot();
    if (slot.token && this.now() < slot.refreshAt) return Promise.resolve(slot.token);
    if (!slot.inflight) {
      // Clearing on settle, success or failure, is what lets the next caller try again.
      const flight: Promise<CachedToken> = this.refresh(slot).finally(() => {
        if (slot.inflight === flight) slot.inflight = null;
      });
      slot.inflight = flight;
    }
    return slot.inflight;
  }

  private async refresh(slot: TokenSlot): Promise<CachedToken> {
    const stored = await this.loadStored(slot);
    if (stored) {
      this.adopt(slot, stored, this.refreshMarginMs);
      return stored;
    }
    const fetchedAt = this.now();
    const fresh = await this.fetchToken();
    // gettoken hands back the same token while it is valid, with the seconds it has left; a
    // full margin would then refetch on every call near the end, so never more than half.
    this.adopt(slot, fresh, Math.min(this.refreshMarginMs, (fresh.expiresAt - fetchedAt) / 2));
    await this.saveStored(fresh);
    return fresh;
  }

  private adopt(slot: TokenSlot, token: CachedToken, marginMs: number): void {
    slot.token = token;
    slot.refreshAt = token.expiresAt - marginMs;
  }

  /** Only the token that failed is dropped: concurrent failures on it cause one refresh, not many. */
  private invalidate(failed: CachedToken): void {
    const slot = this.slot();
    if (slot.token?.token !== failed.token) return;
    slot.token = null;
    slot.rejected = failed.token;
  }

  private async loadStored(slot: TokenSlot): Promise<CachedToken | null> {
    const store = this.store;
    if (!store) return null;
    let stored: CachedToken | null | typeof TIMED_OUT;
    try {
      stored = await withTimeout(() => store.load(this.cacheKey), this.requestTimeoutMs);
    } catch (error) {
      this.log(`[wecom] token store load failed, fetching a token instead: ${this.redact(String(error))}`);
      return null;
    }
    if (stored === TIMED_OUT) {
      this.log(`[wecom] token store load timed out after ${this.requestTimeoutMs} ms, fetching a token instead`);
      return null;
    }
    if (!stored || typeof stored.token !== 'string' || !stored.token || !Number.isFinite(stored.expiresAt)) return null;
    if (stored.token === slot.rejected) return null;
    if (this.now() >= stored.expiresAt - this.refreshMarginMs) return null;
    return { token: stored.token, expiresAt: stored.expiresAt };
  }

  /** Awaited (bounded) rather than fire-and-forget: a cloud function may be frozen right after it returns. */
  private async saveStored(token: CachedToken): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      const outcome = await withTimeout(() => store.save(this.cacheKey, token), this.requestTimeoutMs);
      if (outcome === TIMED_OUT) this.log(`[wecom] token store save timed out after ${this.requestTimeoutMs} ms`);
    } catch (error) {
      this.log(`[wecom] token store save failed: ${this.redact(String(error))}`);
    }
  }

  private async fetchToken(): Promise<CachedToken> {
    const nextDelay = retryPolicy(this.backoffMs);
    for (;;) {
      const requestedAt = this.now();
      const reply = await this.send('GET', GETTOKEN_PATH, { corpid: this.corpId, corpsecret: this.secret }, undefined);
      if (reply.errcode === 0) {
        const { access_token: token, expires_in: expiresIn } = reply.body;
        if (typeof token !== 'string' || !token || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
          throw new WecomApiError(WecomErrcode.TRANSPORT, 'reply without access_token or expires_in', GETTOKEN_PATH);
        }
        // Counted from when the request left, so the token is never believed to live longer than it does.
        return { token, expiresAt: requestedAt + expiresIn * 1000 };
      }
      const delay = nextDelay(reply.errcode);
      if (delay === null) throw new WecomApiError(reply.errcode, this.redact(reply.errmsg), GETTOKEN_PATH);
      await this.sleep(delay);
    }
  }

  private async call(method: string, path: string, query: WecomQuery, body: unknown): Promise<Record<string, unknown>> {
    const nextDelay = retryPolicy(this.backoffMs);
    let tokenRetried = false;
    for (;;) {
      const token = await this.currentToken();
      const reply = await this.send(method, path, { ...query, access_token: token.token }, body);
      if (reply.errcode === 0) return reply.body;
      if (TOKEN_REJECTED.has(reply.errcode) && !tokenRetried) {
        tokenRetried = true;
        this.invalidate(token);
        continue;
      }
      const delay = nextDelay(reply.errcode);
      if (delay === null) throw new WecomApiError(reply.errcode, this.redact(reply.errmsg), path);
      await this.sleep(delay);
    }
  }

  /** One HTTP exchange. Anything that is not a WeCom JSON reply becomes errcode -2. */
  private async send(method: string, path: string, query: WecomQuery, body: unknown): Promise<Reply> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.set(name, String(value));
    }
    const timeout = timeoutSignal(this.requestTimeoutMs);
    const init =
      body === undefined
        ? { method, signal: timeout.signal }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: timeout.signal };
    let status: number;
    let text: string;
    try {
      const response = await this.fetchFn(`${this.baseUrl}${path}?${search.toString()}`, init);
      status = response.status;
      text = await response.text();
    } catch (error) {
      // The URL (with the secret or the token) can end up in fetch's own messages.
      throw new WecomApiError(WecomErrcode.TRANSPORT, this.redact(describeTransportFailure(error, this.requestTimeoutMs, timeout.signal)), path);
    } finally {
      timeout.clear();
    }
    if (status >= 500) throw new WecomApiError(WecomErrcode.TRANSPORT, `HTTP ${status}`, path);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WecomApiError(WecomErrcode.TRANSPORT, `HTTP ${status}, body is not JSON`, path);
    }
    if (!isRecord(parsed)) throw new WecomApiError(WecomErrcode.TRANSPORT, `HTTP ${status}, body is not a JSON object`, path);
    const ok = status >= 200 && status < 300;
    const errcode = parsed.errcode === undefined ? (ok ? 0 : WecomErrcode.TRANSPORT) : Number(parsed.errcode);
    if (!Number.isInteger(errcode)) throw new WecomApiError(WecomErrcode.TRANSPORT, `HTTP ${status}, errcode is not a number`, path);
    const errmsg = typeof parsed.errmsg === 'string' ? parsed.errmsg : `HTTP ${status}`;
    return { errcode, errmsg, body: parsed };
  }

  /** Masks the secret and any token this process knows of, in every form they travel in. */
  private redact(text: string): string {
    const slot = tokenCache.get(this.cacheKey);
    const needles = [this.secret, encodeURIComponent(this.secret), new URLSearchParams({ s: this.secret }).toString().slice(2), slot?.token?.token, slot?.rejected];
    let result = text;
    for (const needle of needles) {
      if (needle && needle.length >= 4) result = result.split(needle).join('***');
    }
    return result;
  }
}

/** Null when WeCom is not configured, so the caller can say so instead of failing at the first call. */
export function wecomConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WecomConfig | null {
  const corpId = env.XINTONG_WECOM_CORP_ID?.trim();
  const secret = env.XINTONG_WECOM_SECRET?.trim();
  if (!corpId || !secret) return null;
  const baseUrl = env.XINTONG_WECOM_BASE_URL?.trim() || WECOM_DEFAULT_BASE_URL;
  return { baseUrl, corpId, secret };
}

/**
 * The WeCom client of this deployment, its tokens shared through the database; null when
 * WeCom is not configured (the sign-in then answers WECOM_NOT_CONFIGURED).
 */
export function wecomFromEnv(db: Db, env: NodeJS.ProcessEnv = process.env): { client: WecomPort; corpId: string } | null {
  const config = wecomConfigFromEnv(env);
  return config ? { client: new WecomClient({ ...config, store: dbTokenStore(db) }), corpId: config.corpId } : null;
}
