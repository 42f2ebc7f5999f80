/**
 * The one sign-in flow. `ensureSession()` answers with the caller's account: from storage when
 * it is younger than ten minutes; from storage at once while a fresh copy is fetched in the
 * background when it is older (stale-while-revalidate); otherwise from a silent `login.login`,
 * followed inside WeCom by `login.wecomLogin`. Concurrent callers share one in-flight login.
 * Pages subscribe with `onAccountChange` to see refreshes and profile edits land.
 */
import type { AccountView, ActionName, AppError, FunctionName, RequestOf, Result, ResultOf } from '../../typings';
import { runtimeConfig } from '../config/launch';
import { callFunction } from './transport';

export const SESSION_STORAGE_KEY = 'xintong.session';
/** A stored account younger than this is used without asking the backend. */
export const SESSION_MAX_AGE_MS = 10 * 60 * 1000;

export type SessionResult = Result<AccountView>;
export type AccountListener = (account: AccountView | null) => void;

interface StoredSession {
  /** Which backend and identity the account belongs to, so switching either ignores it. */
  scope: string;
  account: AccountView;
  fetchedAt: number;
}

/** The part of `wx.qy` (present only inside WeCom) that sign-in uses. */
interface WecomApi {
  login(options: { success?(res: { code?: string }): void; fail?(error: unknown): void }): void;
}

const listeners: AccountListener[] = [];
let inflight: Promise<SessionResult> | null = null;
/** Bumped by `clearSession`, so a login that started before it cannot bring the old account back. */
let generation = 0;

function scope(): string {
  const config = runtimeConfig();
  return config.transport === 'cloud' ? `cloud:${config.cloudEnv}` : `local:${config.localBaseUrl}:${config.devIdentity.openid}`;
}

function readStored(): StoredSession | null {
  try {
    const value = wx.getStorageSync(SESSION_STORAGE_KEY) as Partial<StoredSession> | '' | undefined;
    if (!value || typeof value !== 'object') return null;
    if (value.scope !== scope() || typeof value.fetchedAt !== 'number' || !value.account || !value.account.id) return null;
    return value as StoredSession;
  } catch {
    return null;
  }
}

function store(account: AccountView): void {
  const value: StoredSession = { scope: scope(), account, fetchedAt: Date.now() };
  try {
    wx.setStorageSync(SESSION_STORAGE_KEY, value);
  } catch {
    // Full or unavailable storage only costs the cache; the session itself still works.
  }
}

function notify(account: AccountView | null): void {
  for (const listener of listeners.slice()) {
    try {
      listener(account);
    } catch (error) {
      console.error('account listener failed', error);
    }
  }
}

function wecomApi(): WecomApi | null {
  const qy = (wx as unknown as { qy?: WecomApi }).qy;
  return qy && typeof qy.login === 'function' ? qy : null;
}

/** Whether the mini-program runs inside WeCom (企业微信), where `wx.qy` exists. */
export function insideWecom(): boolean {
  return wecomApi() !== null;
}

function wecomCode(qy: WecomApi): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      qy.login({
        success: (res) => resolve(typeof res?.code === 'string' && res.code ? res.code : null),
        fail: () => resolve(null),
      });
    } catch {
      resolve(null);
    }
  });
}

/**
 * Links the WeCom member to the account. Best effort: any failure keeps the WeChat account.
 * Skipped once linked, since the link is kept on the server.
 */
async function linkWecom(account: AccountView): Promise<AccountView> {
  const qy = wecomApi();
  if (!qy || account.wecom) return account;
  const code = await wecomCode(qy);
  if (!code) return account;
  const linked = await callFunction('login', 'wecomLogin', { code });
  return linked.ok ? linked.data.account : account;
}

async function signIn(): Promise<SessionResult> {
  const login = await callFunction('login', 'login', {});
  if (!login.ok) return { ok: false, error: login.error };
  return { ok: true, data: await linkWecom(login.data.account) };
}

/** Signs in now, sharing the login already in flight if there is one. */
export function refreshSession(): Promise<SessionResult> {
  if (inflight) return inflight;
  const started = generation;
  const promise = signIn().then((result) => {
    if (inflight === promise) inflight = null;
    if (result.ok && started === generation) {
      store(result.data);
      notify(result.data);
    }
    return result;
  });
  inflight = promise;
  return promise;
}

/** The caller's account; signs in silently when needed. Never rejects. */
export function ensureSession(): Promise<SessionResult> {
  const stored = readStored();
  if (!stored) return refreshSession();
  const age = Date.now() - stored.fetchedAt;
  // A clock set back makes the age negative: treat that as stale rather than fresh forever.
  if (age < 0 || age >= SESSION_MAX_AGE_MS) void refreshSession();
  return Promise.resolve({ ok: true, data: stored.account });
}

/** The stored account, without signing in; null before the first login. */
export function currentAccount(): AccountView | null {
  return readStored()?.account ?? null;
}

/** Stores an account the backend just returned (after a profile edit, say) and tells the pages. */
export function updateCachedAccount(account: AccountView): void {
  store(account);
  notify(account);
}

export function clearSession(): void {
  generation += 1;
  inflight = null;
  try {
    wx.removeStorageSync(SESSION_STORAGE_KEY);
  } catch {
    // Nothing stored is as good as removed.
  }
  notify(null);
}

const watching = new WeakMap<object, () => void>();

/**
 * Shows account changes on a page: `listener` runs with each new account (not on sign-out)
 * until `unwatchAccount(page)`, which the page calls when it unloads.
 */
export function watchAccount(page: object, listener: (account: AccountView) => void): void {
  unwatchAccount(page);
  watching.set(
    page,
    onAccountChange((account) => {
      if (account) listener(account);
    }),
  );
}

export function unwatchAccount(page: object): void {
  watching.get(page)?.();
  watching.delete(page);
}

/** Calls `listener` whenever the account changes; returns the unsubscribe function. */
export function onAccountChange(listener: AccountListener): () => void {
  listeners.push(listener);
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  };
}

/**
 * `callFunction` for actions that need an account: when the backend answers ACCOUNT_NOT_FOUND
 * (never signed in, or the account was removed), signs in once and retries once.
 */
export function callWithSession<F extends FunctionName, A extends ActionName<F>>(
  name: F,
  action: A,
  request: RequestOf<F, A>,
): Promise<ResultOf<F, A>> {
  return callFunction(name, action, request).then((first) => {
    const error = (first as Result<unknown>).ok ? null : (first as { error: AppError }).error;
    if (!error || error.code !== 'ACCOUNT_NOT_FOUND') return first;
    return refreshSession().then((session) =>
      session.ok ? callFunction(name, action, request) : ({ ok: false, error: session.error } as ResultOf<F, A>),
    );
  });
}
