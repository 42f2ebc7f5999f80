import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resetWecomTokenCache, WecomClient, wecomConfigFromEnv, type FetchLike, type WecomClientOptions } from '../../../server/adapters/wecom.adapter';
import { WecomApiError, type CachedToken, type TokenStore } from '../../../server/ports/wecom.port';
import { startFakeWecomServer, WecomStandIn } from '../../../local-cloud/src/stand-ins/wecom';

const CORP_ID = 'ww5d1c0b6a2f3e4d70';
// Characters that URL encoding changes, so a leak in encoded form would be caught too.
const SECRET = 'S3cret/with+chars=and more';
const GETTOKEN = '/cgi-bin/gettoken';
const JSCODE = '/cgi-bin/miniprogram/jscode2session';
const START = Date.parse('2026-03-02T01:00:00Z');

let clock = START;
const standIn = new WecomStandIn({ corpId: CORP_ID, secret: SECRET, now: () => clock });
let server: { url: string; close(): Promise<void> };
let delays: number[] = [];
let logs: string[] = [];

beforeAll(async () => {
  server = await startFakeWecomServer(standIn);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  clock = START;
  standIn.reset();
  resetWecomTokenCache();
  delays = [];
  logs = [];
});

function client(overrides: Partial<WecomClientOptions> = {}): WecomClient {
  return new WecomClient({
    baseUrl: server.url,
    corpId: CORP_ID,
    secret: SECRET,
    now: () => clock,
    sleep: async (ms) => {
      delays.push(ms);
    },
    log: (message) => logs.push(message),
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<WecomApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WecomApiError);
    return error as WecomApiError;
  }
  throw new Error('expected the call to fail');
}

function users(count: number, prefix = 'member'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

class MemoryStore implements TokenStore {
  readonly saved = new Map<string, CachedToken>();
  loads = 0;
  async load(key: string): Promise<CachedToken | null> {
    this.loads += 1;
    return this.saved.get(key) ?? null;
  }
  async save(key: string, token: CachedToken): Promise<void> {
    this.saved.set(key, token);
  }
}

describe('access_token cache', () => {
  test('one gettoken serves 20 concurrent logins', async () => {
    const wecom = client();
    const members = users(20);
    const sessions = await Promise.all(members.map((userId) => wecom.code2Session(standIn.issueCode(userId))));
    expect(sessions).toEqual(members.map((userId) => ({ corpId: CORP_ID, userId })));
    expect(standIn.tokenRequests).toBe(1);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(20);
  });

  test('every client built with the same config shares the cache; another secret does not', async () => {
    await client().code2Session(standIn.issueCode('a'));
    await client().code2Session(standIn.issueCode('b'));
    expect(standIn.tokenRequests).toBe(1);
    // Had the cache ignored the secret, this client would have borrowed the good token.
    const wrong = await rejection(client({ secret: 'not-the-secret' }).code2Session(standIn.issueCode('c')));
    expect(wrong.errcode).toBe(40001);
    expect(standIn.tokenRequests).toBe(2);
  });

  test('a token expired between calls is refreshed once and the call still succeeds', async () => {
    const wecom = client();
    await wecom.code2Session(standIn.issueCode('before'));
    standIn.expireTokens();
    const after = await wecom.code2Session(standIn.issueCode('after'));
    expect(after.userId).toBe('after');
    expect(standIn.tokenRequests).toBe(2);
    const tokens = standIn.requestsTo(JSCODE).map((r) => r.query.access_token);
    expect(tokens).toHaveLength(3);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  test('20 calls all refused with the same expired token cause one refresh', async () => {
    const wecom = client();
    await wecom.code2Session(standIn.issueCode('warm-up'));
    standIn.expireTokens();
    const members = users(20);
    const sessions = await Promise.all(members.map((userId) => wecom.code2Session(standIn.issueCode(userId))));
    expect(sessions.map((s) => s.userId)).toEqual(members);
    expect(standIn.tokenRequests).toBe(2);
    // Each call: one refused attempt and one retry.
    expect(standIn.requestsTo(JSCODE)).toHaveLength(1 + 40);
  });

  test('a token expiring in the middle of a concurrent batch causes one refresh', async () => {
    const wecom = client();
    const original = standIn.handle.bind(standIn);
    const spy = jest.spyOn(standIn, 'handle').mockImplementation((method, path, query, body) => {
      const reply = original(method, path, query, body);
      if (path === JSCODE && standIn.requestsTo(JSCODE).length === 10) standIn.expireTokens();
      return reply;
    });
    try {
      const members = users(20);
      const sessions = await Promise.all(members.map((userId) => wecom.code2Session(standIn.issueCode(userId))));
      expect(sessions.map((s) => s.userId)).toEqual(members);
      expect(standIn.tokenRequests).toBe(2);
      expect(standIn.requestsTo(JSCODE)).toHaveLength(10 + 10 + 10);
    } finally {
      spy.mockRestore();
    }
  });

  test('a refusal of the old token arriving after the refresh does not throw the new token away', async () => {
    const warm = client();
    await warm.code2Session(standIn.issueCode('warm-up'));
    const oldToken = await warm.getAccessToken();
    standIn.expireTokens();
    const fastCode = standIn.issueCode('fast');
    const slowCode = standIn.issueCode('slow');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The slow call's 42001 is held back until the fast call is already retrying with the new token.
    const gated: FetchLike = async (url, init) => {
      if (url.includes(`js_code=${fastCode}`) && !url.includes(encodeURIComponent(oldToken))) release();
      const response = await fetch(url, init);
      if (url.includes(`js_code=${slowCode}`) && url.includes(encodeURIComponent(oldToken))) await gate;
      return response;
    };
    const wecom = client({ fetch: gated });
    const sessions = await Promise.all([wecom.code2Session(fastCode), wecom.code2Session(slowCode)]);
    expect(sessions.map((s) => s.userId)).toEqual(['fast', 'slow']);
    expect(standIn.tokenRequests).toBe(2);
  });

  test('the token is refreshed before WeCom expires it, without refetching on every call near the end', async () => {
    const wecom = client();
    await wecom.code2Session(standIn.issueCode('first'));
    clock = START + (7200 - 301) * 1000;
    await wecom.code2Session(standIn.issueCode('outside the margin'));
    expect(standIn.tokenRequests).toBe(1);

    clock = START + (7200 - 299) * 1000;
    await wecom.code2Session(standIn.issueCode('inside the margin'));
    expect(standIn.tokenRequests).toBe(2);

    // WeCom answered with the same token and 299 s left: the client must not ask on every call.
    clock += 60_000;
    await wecom.code2Session(standIn.issueCode('a minute later'));
    expect(standIn.tokenRequests).toBe(2);

    clock = START + 7200 * 1000 + 1000;
    await wecom.code2Session(standIn.issueCode('after expiry'));
    expect(standIn.tokenRequests).toBe(3);
    // Five logins, five exchanges: no call was ever sent with an expired token.
    expect(standIn.requestsTo(JSCODE)).toHaveLength(5);
    const tokens = standIn.requestsTo(JSCODE).map((r) => r.query.access_token);
    expect(new Set(tokens.slice(0, 4)).size).toBe(1);
    expect(tokens[4]).not.toBe(tokens[0]);
  });

  test('a failed gettoken rejects every waiter and the next call tries again', async () => {
    const wrong = client({ secret: 'wrong-secret' });
    const errors = await Promise.all(users(10).map((userId) => rejection(wrong.code2Session(standIn.issueCode(userId)))));
    for (const error of errors) {
      expect(error.errcode).toBe(40001);
      expect(error.path).toBe(GETTOKEN);
    }
    expect(standIn.tokenRequests).toBe(1);
    expect(delays).toEqual([]);
    await rejection(wrong.code2Session(standIn.issueCode('later')));
    expect(standIn.tokenRequests).toBe(2);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(0);
  });

  test('after a transient gettoken failure, the next call recovers', async () => {
    const wecom = client();
    standIn.failNext(GETTOKEN, 40001);
    const errors = await Promise.all(users(5).map((userId) => rejection(wecom.code2Session(standIn.issueCode(userId)))));
    expect(errors.map((e) => e.errcode)).toEqual([40001, 40001, 40001, 40001, 40001]);
    expect(standIn.tokenRequests).toBe(1);
    expect((await wecom.code2Session(standIn.issueCode('retry'))).userId).toBe('retry');
    expect(standIn.tokenRequests).toBe(2);
  });
});

describe('retry rules', () => {
  test('-1 is retried with exponential backoff until it succeeds', async () => {
    const wecom = client();
    standIn.failNext(JSCODE, -1, 2);
    expect((await wecom.code2Session(standIn.issueCode('busy'))).userId).toBe('busy');
    expect(delays).toEqual([200, 400]);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(3);
  });

  test('-1 forever fails with errcode -1 after 4 attempts', async () => {
    const wecom = client();
    standIn.failNext(JSCODE, -1, 10);
    const error = await rejection(wecom.code2Session(standIn.issueCode('busy')));
    expect(error.errcode).toBe(-1);
    expect(error.path).toBe(JSCODE);
    expect(delays).toEqual([200, 400, 800]);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(4);
  });

  test('a busy gettoken is retried too', async () => {
    standIn.failNext(GETTOKEN, -1);
    expect((await client({ backoffMs: 50 }).code2Session(standIn.issueCode('m'))).userId).toBe('m');
    expect(delays).toEqual([50]);
    expect(standIn.tokenRequests).toBe(2);
  });

  test('45009 backs off and retries', async () => {
    standIn.failNext(JSCODE, 45009);
    expect((await client().code2Session(standIn.issueCode('limited'))).userId).toBe('limited');
    expect(delays).toEqual([800]);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(2);
  });

  test('45033 that persists is retried twice, then fails', async () => {
    standIn.failNext(JSCODE, 45033, 5);
    const error = await rejection(client().code2Session(standIn.issueCode('limited')));
    expect(error.errcode).toBe(45033);
    expect(delays).toEqual([800, 1600]);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(3);
  });

  test('an unknown code fails with 40029 at once', async () => {
    const error = await rejection(client().code2Session('never-issued'));
    expect(error.errcode).toBe(40029);
    expect(error.path).toBe(JSCODE);
    expect(delays).toEqual([]);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(1);
  });

  test('a code is single use: the second exchange fails with 40029', async () => {
    const wecom = client();
    const code = standIn.issueCode('once');
    expect((await wecom.code2Session(code)).userId).toBe('once');
    expect((await rejection(wecom.code2Session(code))).errcode).toBe(40029);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(2);
  });

  test('a token refused twice in a row is not refreshed forever', async () => {
    standIn.failNext(JSCODE, 42001, 5);
    const error = await rejection(client().code2Session(standIn.issueCode('m')));
    expect(error.errcode).toBe(42001);
    expect(standIn.requestsTo(JSCODE)).toHaveLength(2);
    expect(standIn.tokenRequests).toBe(2);
  });
});

describe('shared token store', () => {
  test('a second instance uses the stored token without calling gettoken', async () => {
    const store = new MemoryStore();
    await client({ store }).code2Session(standIn.issueCode('first instance'));
    expect(store.saved.size).toBe(1);
    const [key, saved] = [...store.saved.entries()][0];
    expect(key).not.toContain(SECRET);
    expect(saved.expiresAt).toBe(START + 7200 * 1000);

    resetWecomTokenCache();
    const session = await client({ store }).code2Session(standIn.issueCode('second instance'));
    expect(session.userId).toBe('second instance');
    expect(standIn.tokenRequests).toBe(1);
    expect(standIn.requestsTo(JSCODE)[1].query.access_token).toBe(saved.token);
  });

  test('a stored token WeCom has revoked is replaced, not adopted again', async () => {
    const store = new MemoryStore();
    await client({ store }).code2Session(standIn.issueCode('first'));
    const stale = [...store.saved.values()][0].token;
    standIn.expireTokens();
    resetWecomTokenCache();

    const session = await client({ store }).code2Session(standIn.issueCode('second'));
    expect(session.userId).toBe('second');
    expect(standIn.tokenRequests).toBe(2);
    const fresh = [...store.saved.values()][0].token;
    expect(fresh).not.toBe(stale);
    expect(standIn.requestsTo(JSCODE).map((r) => r.query.access_token)).toEqual([stale, stale, fresh]);
  });

  test('a failing store is logged, without secrets, and never blocks login', async () => {
    const store: TokenStore = {
      load: async () => {
        throw new Error(`cannot read, config had ${SECRET}`);
      },
      save: (_key, token) => {
        throw new Error(`cannot write ${token.token}`);
      },
    };
    expect((await client({ store }).code2Session(standIn.issueCode('m'))).userId).toBe('m');
    expect(logs).toHaveLength(2);
    const token = standIn.requestsTo(JSCODE)[0].query.access_token;
    for (const line of logs) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(token);
    }
  });

  test('a store that never answers is given up on', async () => {
    const store: TokenStore = { load: () => new Promise(() => undefined), save: () => new Promise(() => undefined) };
    const started = Date.now();
    expect((await client({ store, requestTimeoutMs: 100 }).code2Session(standIn.issueCode('m'))).userId).toBe('m');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logs.join('\n')).toMatch(/load timed out[\s\S]*save timed out/);
  });
});

describe('secrets and transport failures', () => {
  test('the secret travels only to gettoken and never appears in errors', async () => {
    const wecom = client();
    await wecom.code2Session(standIn.issueCode('m'));
    const errors = [
      await rejection(wecom.code2Session('bad-code')),
      await rejection(client({ secret: `${SECRET}x` }).code2Session('c')),
    ];
    standIn.failNext(JSCODE, -1, 4);
    errors.push(await rejection(wecom.code2Session(standIn.issueCode('busy'))));

    const encoded = new URLSearchParams({ s: SECRET }).toString().slice(2);
    for (const request of standIn.requests) {
      const text = JSON.stringify(request);
      if (request.path === GETTOKEN) continue;
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(encoded);
    }
    expect(standIn.requestsTo(GETTOKEN)[0].query.corpsecret).toBe(SECRET);
    for (const error of errors) {
      expect(`${error.message} ${error.errmsg} ${error.stack}`).not.toContain(SECRET);
    }
  });

  test('a fetch failure that quotes the URL is redacted', async () => {
    let token = '';
    const leaky: FetchLike = async (url) => {
      if (url.includes(GETTOKEN)) {
        token = 'tok-' + 'x'.repeat(40);
        return { status: 200, text: async () => JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 }) };
      }
      throw new TypeError(`request to ${url} failed`);
    };
    const error = await rejection(client({ fetch: leaky }).code2Session('c'));
    expect(error.errcode).toBe(-2);
    expect(error.message).toContain('request to');
    expect(error.message).not.toContain(token);

    resetWecomTokenCache();
    const gettokenFailure = await rejection(
      client({
        fetch: async (url) => {
          throw new TypeError(`request to ${url} failed`);
        },
      }).code2Session('c'),
    );
    expect(gettokenFailure.path).toBe(GETTOKEN);
    expect(gettokenFailure.message).not.toContain(SECRET);
    expect(gettokenFailure.message).not.toContain(new URLSearchParams({ s: SECRET }).toString().slice(2));
  });

  test('a closed server gives errcode -2', async () => {
    const other = new WecomStandIn({ corpId: CORP_ID, secret: SECRET, now: () => clock });
    const doomed = await startFakeWecomServer(other);
    const wecom = client({ baseUrl: doomed.url });
    await wecom.code2Session(other.issueCode('m'));
    await doomed.close();

    const afterToken = await rejection(wecom.code2Session(other.issueCode('n')));
    expect(afterToken.errcode).toBe(-2);
    expect(afterToken.path).toBe(JSCODE);
    expect(delays).toEqual([]);

    resetWecomTokenCache();
    const beforeToken = await rejection(client({ baseUrl: doomed.url }).code2Session('c'));
    expect(beforeToken.errcode).toBe(-2);
    expect(beforeToken.path).toBe(GETTOKEN);
  });

  test('no reply within the timeout gives errcode -2', async () => {
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const error = await rejection(client({ fetch: hanging, requestTimeoutMs: 50 }).code2Session('c'));
    expect(error.errcode).toBe(-2);
    expect(error.errmsg).toBe('no reply within 50 ms');
  });

  test('HTTP 5xx and bodies that are not JSON give errcode -2', async () => {
    const status502: FetchLike = async () => ({ status: 502, text: async () => '<html>Bad Gateway</html>' });
    expect((await rejection(client({ fetch: status502 }).code2Session('c'))).errmsg).toBe('HTTP 502');
    resetWecomTokenCache();
    const notJson: FetchLike = async () => ({ status: 200, text: async () => 'maintenance' });
    const error = await rejection(client({ fetch: notJson }).code2Session('c'));
    expect(error.errcode).toBe(-2);
    expect(error.errmsg).toContain('not JSON');
  });
});

describe('the stand-in answers like WeCom', () => {
  const q = (fields: Record<string, string>) => new URLSearchParams(fields);

  test('gettoken checks the corp id and the secret, and returns the same token while valid', () => {
    expect(standIn.handle('GET', GETTOKEN, q({ corpid: 'other', corpsecret: SECRET }), undefined).json).toMatchObject({ errcode: 40013 });
    expect(standIn.handle('GET', GETTOKEN, q({ corpid: CORP_ID, corpsecret: 'x' }), undefined).json).toMatchObject({ errcode: 40001 });
    const first = standIn.handle('GET', GETTOKEN, q({ corpid: CORP_ID, corpsecret: SECRET }), undefined).json as Record<string, unknown>;
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    clock += 1000_000;
    const second = standIn.handle('GET', GETTOKEN, q({ corpid: CORP_ID, corpsecret: SECRET }), undefined).json as Record<string, unknown>;
    expect(second).toMatchObject({ access_token: first.access_token, expires_in: 6200 });
  });

  test('jscode2session checks the token and expires codes after 5 minutes', () => {
    const token = (standIn.handle('GET', GETTOKEN, q({ corpid: CORP_ID, corpsecret: SECRET }), undefined).json as { access_token: string }).access_token;
    const exchange = (fields: Record<string, string>) => standIn.handle('GET', JSCODE, q({ grant_type: 'authorization_code', ...fields }), undefined).json;
    const code = standIn.issueCode('m');
    expect(exchange({ js_code: code })).toMatchObject({ errcode: 41001 });
    expect(exchange({ js_code: code, access_token: 'forged' })).toMatchObject({ errcode: 40014 });
    clock += 5 * 60_000;
    expect(exchange({ js_code: code, access_token: token })).toMatchObject({ errcode: 40029 });
    const fresh = standIn.issueCode('m');
    expect(exchange({ js_code: fresh, access_token: token })).toMatchObject({ errcode: 0, corpid: CORP_ID, userid: 'm' });
    clock += 7200 * 1000;
    expect(exchange({ js_code: standIn.issueCode('m'), access_token: token })).toMatchObject({ errcode: 42001 });
  });
});

describe('configuration from the environment', () => {
  test('needs the corp id and the secret; the base URL defaults to WeCom', () => {
    expect(wecomConfigFromEnv({})).toBeNull();
    expect(wecomConfigFromEnv({ XINTONG_WECOM_CORP_ID: CORP_ID })).toBeNull();
    expect(wecomConfigFromEnv({ XINTONG_WECOM_CORP_ID: CORP_ID, XINTONG_WECOM_SECRET: 's' })).toEqual({
      baseUrl: 'https://qyapi.weixin.qq.com',
      corpId: CORP_ID,
      secret: 's',
    });
    expect(
      wecomConfigFromEnv({ XINTONG_WECOM_CORP_ID: CORP_ID, XINTONG_WECOM_SECRET: 's', XINTONG_WECOM_BASE_URL: 'http://127.0.0.1:9/wecom' })?.baseUrl,
    ).toBe('http://127.0.0.1:9/wecom');
  });

  test('a base URL with a path prefix keeps the prefix', async () => {
    const seen: string[] = [];
    const recording: FetchLike = async (url) => {
      seen.push(url);
      return { status: 200, text: async () => JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'token-1234', expires_in: 7200 }) };
    };
    await client({ baseUrl: 'http://127.0.0.1:9/wecom/', fetch: recording }).getAccessToken();
    expect(seen[0].startsWith('http://127.0.0.1:9/wecom/cgi-bin/gettoken?')).toBe(true);
  });
});

describe('on the Node.js 16.13 runtime a cloud function may run on', () => {
  test('works without a global fetch or AbortSignal.timeout', async () => {
    const saved = { fetch: globalThis.fetch, timeout: AbortSignal.timeout };
    // Node 16.13 has neither; the client must not reach for them.
    delete (globalThis as { fetch?: unknown }).fetch;
    delete (AbortSignal as { timeout?: unknown }).timeout;
    try {
      const session = await client().code2Session(standIn.issueCode('node16-user'));
      expect(session).toEqual({ corpId: CORP_ID, userId: 'node16-user' });
      const hanging = await startHangingServer();
      try {
        const error = await rejection(client({ baseUrl: hanging.url, requestTimeoutMs: 100 }).getAccessToken());
        expect(error).toMatchObject({ errcode: -2, errmsg: 'no reply within 100 ms' });
      } finally {
        await hanging.close();
      }
    } finally {
      globalThis.fetch = saved.fetch;
      AbortSignal.timeout = saved.timeout;
    }
  });
});

async function startHangingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const hanging = createServer(() => undefined);
  hanging.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const { port } = hanging.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        hanging.close(() => resolve());
      }),
  };
}
