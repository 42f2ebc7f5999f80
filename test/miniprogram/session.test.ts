import type { AccountView, Result } from '../../typings';
import { requireBuilt, waitFor } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, SESSION_KEY, storedSession, wxMore } from './fake-backend';

interface SessionModule {
  ensureSession(): Promise<Result<AccountView>>;
  refreshSession(): Promise<Result<AccountView>>;
  currentAccount(): AccountView | null;
  clearSession(): void;
  updateCachedAccount(account: AccountView): void;
  onAccountChange(listener: (account: AccountView | null) => void): () => void;
  callWithSession(name: string, action: string, request: Record<string, unknown>): Promise<Result<unknown>>;
}

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;

const fresh = account({ id: 'u1', nickname: '新名字' });
const old = account({ id: 'u1', nickname: '旧名字' });
const loginReply = (value: AccountView) => () => ok({ account: value, created: false });

function load(): SessionModule {
  return requireBuilt<SessionModule>('services/session');
}

beforeEach(() => {
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  delete wxMore.qy;
  jest.restoreAllMocks();
});

describe('ensureSession', () => {
  it('signs in silently with login.login when nothing is stored, and stores the account with its fetch time', async () => {
    const storage = installStorage();
    const backend = installBackend({ login: loginReply(fresh) });

    await expect(load().ensureSession()).resolves.toEqual({ ok: true, data: fresh });

    expect(backend.calls).toEqual([{ name: 'login', action: 'login', request: {} }]);
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: fresh, fetchedAt: NOW });
  });

  it('answers from storage without calling the backend while the account is younger than ten minutes', async () => {
    installStorage(storedSession(old, NOW - 9 * MINUTE));
    const backend = installBackend({ login: loginReply(fresh) });
    const session = load();

    await expect(session.ensureSession()).resolves.toEqual({ ok: true, data: old });
    expect(session.currentAccount()).toEqual(old);
    await backend.idle();
    expect(backend.calls).toHaveLength(0);
  });

  it('answers a stale account at once, refreshes it in the background and tells listeners when the refresh lands', async () => {
    const storage = installStorage(storedSession(old, NOW - 11 * MINUTE));
    const backend = installBackend({ login: loginReply(fresh) });
    backend.hold();
    const session = load();
    const listener = jest.fn();
    session.onAccountChange(listener);

    await expect(session.ensureSession()).resolves.toEqual({ ok: true, data: old });
    expect(backend.callsOf('login')).toHaveLength(1);
    expect(listener).not.toHaveBeenCalled();

    backend.release();
    await waitFor(() => listener.mock.calls.length > 0, 'the refreshed account');
    expect(listener).toHaveBeenCalledWith(fresh);
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: fresh, fetchedAt: NOW });
    expect(session.currentAccount()).toEqual(fresh);
  });

  it('keeps the stale account when the background refresh fails', async () => {
    const storage = installStorage(storedSession(old, NOW - 11 * MINUTE));
    const backend = installBackend({ login: () => fail('INTERNAL') });
    const session = load();

    await expect(session.ensureSession()).resolves.toEqual({ ok: true, data: old });
    await waitFor(() => backend.calls.length > 0, 'the refresh');
    await backend.idle();
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: old, fetchedAt: NOW - 11 * MINUTE });
  });

  it('shares one in-flight login between concurrent callers', async () => {
    installStorage();
    const backend = installBackend({ login: loginReply(fresh) });
    const session = load();

    const results = await Promise.all([session.ensureSession(), session.ensureSession(), session.refreshSession()]);

    expect(backend.callsOf('login')).toHaveLength(1);
    expect(results).toEqual([ok(fresh), ok(fresh), ok(fresh)]);
  });

  it('returns the failure and stores nothing when login fails', async () => {
    const storage = installStorage();
    installBackend({ login: () => fail('UNAUTHENTICATED', 'no openid') });

    await expect(load().ensureSession()).resolves.toEqual(fail('UNAUTHENTICATED', 'no openid'));
    expect(storage.has(SESSION_KEY)).toBe(false);
  });

  it('ignores an account stored for another identity or backend', async () => {
    installStorage({ [SESSION_KEY]: { scope: 'cloud:other-env', account: old, fetchedAt: NOW } });
    const backend = installBackend({ login: loginReply(fresh) });

    await expect(load().ensureSession()).resolves.toEqual(ok(fresh));
    expect(backend.callsOf('login')).toHaveLength(1);
  });
});

describe('inside WeCom (wx.qy present)', () => {
  const linked = account({ id: 'u1', nickname: '新名字', wecom: { corpId: 'corp1', userId: 'zhangsan' } });

  it('links the WeCom member with the wx.qy.login code after the WeChat login', async () => {
    const storage = installStorage();
    const qyLogin = jest.fn((options: { success?(res: { code: string }): void }) => options.success?.({ code: 'wecom-code-1' }));
    wxMore.qy = { login: qyLogin };
    const backend = installBackend({ login: loginReply(fresh), wecomLogin: () => ok({ account: linked, created: false }) });

    await expect(load().ensureSession()).resolves.toEqual(ok(linked));

    expect(backend.calls.map((c) => [c.action, c.request])).toEqual([
      ['login', {}],
      ['wecomLogin', { code: 'wecom-code-1' }],
    ]);
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: linked });
  });

  it('keeps the WeChat account when wx.qy.login fails', async () => {
    installStorage();
    wxMore.qy = { login: (options) => options.fail?.({ errMsg: 'qy.login:fail' }) };
    const backend = installBackend({ login: loginReply(fresh) });

    await expect(load().ensureSession()).resolves.toEqual(ok(fresh));
    expect(backend.calls.map((c) => c.action)).toEqual(['login']);
  });

  it('keeps the WeChat account when wecomLogin refuses the code', async () => {
    const storage = installStorage();
    wxMore.qy = { login: (options) => options.success?.({ code: 'expired' }) };
    const backend = installBackend({ login: loginReply(fresh), wecomLogin: () => fail('WECOM_CODE_INVALID') });

    await expect(load().ensureSession()).resolves.toEqual(ok(fresh));
    expect(backend.callsOf('wecomLogin')).toHaveLength(1);
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: fresh });
  });

  it('keeps the WeChat account when wx.qy.login throws', async () => {
    installStorage();
    wxMore.qy = {
      login: () => {
        throw new Error('not supported');
      },
    };
    installBackend({ login: loginReply(fresh) });

    await expect(load().ensureSession()).resolves.toEqual(ok(fresh));
  });

  it('does not ask WeCom again once the account is linked', async () => {
    installStorage();
    const qyLogin = jest.fn();
    wxMore.qy = { login: qyLogin };
    const backend = installBackend({ login: loginReply(linked) });

    await expect(load().ensureSession()).resolves.toEqual(ok(linked));
    expect(qyLogin).not.toHaveBeenCalled();
    expect(backend.calls.map((c) => c.action)).toEqual(['login']);
  });
});

describe('callWithSession', () => {
  it('signs in once and retries once when the backend answers ACCOUNT_NOT_FOUND', async () => {
    installStorage();
    let signedIn = false;
    const backend = installBackend({
      login: () => {
        signedIn = true;
        return ok({ account: fresh, created: true });
      },
      'profile.get': () => (signedIn ? ok(fresh) : fail('ACCOUNT_NOT_FOUND')),
    });

    await expect(load().callWithSession('login', 'profile.get', {})).resolves.toEqual(ok(fresh));
    expect(backend.calls.map((c) => c.action)).toEqual(['profile.get', 'login', 'profile.get']);
  });

  it('retries only once: a second ACCOUNT_NOT_FOUND is returned', async () => {
    installStorage();
    const backend = installBackend({ login: loginReply(fresh), 'roles.list': () => fail('ACCOUNT_NOT_FOUND', 'gone') });

    await expect(load().callWithSession('login', 'roles.list', {})).resolves.toEqual(fail('ACCOUNT_NOT_FOUND', 'gone'));
    expect(backend.calls.map((c) => c.action)).toEqual(['roles.list', 'login', 'roles.list']);
  });

  it('returns the login failure without retrying when signing in fails', async () => {
    installStorage();
    const backend = installBackend({ login: () => fail('INTERNAL', 'down'), 'profile.get': () => fail('ACCOUNT_NOT_FOUND') });

    await expect(load().callWithSession('login', 'profile.get', {})).resolves.toEqual(fail('INTERNAL', 'down'));
    expect(backend.calls.map((c) => c.action)).toEqual(['profile.get', 'login']);
  });

  it('does not sign in for other failures', async () => {
    installStorage();
    const backend = installBackend({ 'roles.list': () => fail('FORBIDDEN') });

    await expect(load().callWithSession('login', 'roles.list', { role: 'admin' })).resolves.toEqual(fail('FORBIDDEN'));
    expect(backend.calls).toEqual([{ name: 'login', action: 'roles.list', request: { role: 'admin' } }]);
  });
});

describe('cache updates', () => {
  it('updateCachedAccount stores the account and tells listeners; unsubscribing stops the calls', async () => {
    const storage = installStorage(storedSession(old, NOW - 20 * MINUTE));
    const session = load();
    const listener = jest.fn();
    const unsubscribe = session.onAccountChange(listener);

    session.updateCachedAccount(fresh);
    expect(listener).toHaveBeenCalledWith(fresh);
    expect(storage.get(SESSION_KEY)).toMatchObject({ account: fresh, fetchedAt: NOW });
    expect(session.currentAccount()).toEqual(fresh);

    unsubscribe();
    session.updateCachedAccount(old);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('clearSession forgets the account, and a login started before it does not bring it back', async () => {
    const storage = installStorage();
    const backend = installBackend({ login: loginReply(fresh) });
    backend.hold();
    const session = load();
    const listener = jest.fn();
    session.onAccountChange(listener);

    const pending = session.ensureSession();
    session.clearSession();
    backend.release();
    await pending;

    expect(listener.mock.calls).toEqual([[null]]);
    expect(storage.has(SESSION_KEY)).toBe(false);
    expect(session.currentAccount()).toBeNull();
  });
});

describe('app launch', () => {
  it('signs in silently from App onLaunch', async () => {
    installStorage();
    const backend = installBackend({ login: loginReply(fresh) });
    const globals = globalThis as unknown as { App: (options: { onLaunch?(): void }) => void };
    const savedApp = globals.App;
    let launch: (() => void) | undefined;
    globals.App = (options) => {
      launch = options.onLaunch;
    };
    try {
      requireBuilt('app');
    } finally {
      globals.App = savedApp;
    }

    launch?.();

    await waitFor(() => backend.calls.length > 0, 'the launch login');
    expect(backend.calls).toEqual([{ name: 'login', action: 'login', request: {} }]);
  });
});
