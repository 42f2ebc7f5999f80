/**
 * A stand-in for the backend at the `wx` level, for session and page tests: `wx.request` to
 * the local cloud answers from per-action handlers and records every call, and wx storage is
 * a Map. Tests assert on `backend.calls` (which action, with which request).
 *
 * Handlers are typed by the contract: each receives its action's request type and must answer
 * its response type, so a page cannot pass against a reply the server never sends.
 */
import type { AccountSummary, AccountView, ActionName, AppError, FunctionName, RequestOf, ResponseOf, Result } from '../../typings';
import { flush, waitFor, wx, type RequestOptions } from '../helpers/simulate';

/** The `wx` methods these tests stub beyond what the harness types. */
export interface WxMore {
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  uploadFile(options: UploadOptions): unknown;
  showToast(options: { title: string }): unknown;
  qy?: { login(options: { success?(res: { code: string }): void; fail?(err: unknown): void }): void };
}

export interface UploadOptions {
  url: string;
  filePath: string;
  name: string;
  formData?: Record<string, unknown>;
  header?: Record<string, string>;
  success?(res: { statusCode: number; data: string }): void;
  fail?(err: { errMsg: string }): void;
}

export interface CloudUploadParams {
  cloudPath: string;
  filePath: string;
}

export const wxMore = wx as unknown as WxMore & typeof wx;

/** `wx.cloud.uploadFile`, absent from the harness's stub until a test gives it one. */
export const cloudMore = wx.cloud as typeof wx.cloud & { uploadFile(params: CloudUploadParams): Promise<{ fileID: string }> };
cloudMore.uploadFile = () => Promise.reject(new Error('wx.cloud.uploadFile is not stubbed in this test'));

export const SESSION_KEY = 'xintong.session';

export function account(overrides: Partial<AccountView> = {}): AccountView {
  return {
    id: 'u-member',
    nickname: '小林',
    avatarFileId: null,
    roles: ['member'],
    member: null,
    wecom: null,
    organisation: { name: '信通大学' },
    ...overrides,
  };
}

export function summary(overrides: Partial<AccountSummary> = {}): AccountSummary {
  return { id: 'u1', nickname: null, avatarFileId: null, memberName: null, roles: ['member'], ...overrides };
}

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: AppError['code'], message = 'server says no'): Result<never> => ({ ok: false, error: { code, message } });

export interface Call {
  name: string;
  action: string;
  request: Record<string, unknown>;
}

/** Every action of every function (action names are unique across functions). */
export type AnyAction = { [F in FunctionName]: ActionName<F> }[FunctionName];
type FunctionOf<A extends AnyAction> = { [F in FunctionName]: A extends ActionName<F> ? F : never }[FunctionName];
export type RequestFor<A extends AnyAction> = RequestOf<FunctionOf<A>, A & ActionName<FunctionOf<A>>>;
export type ResponseFor<A extends AnyAction> = ResponseOf<FunctionOf<A>, A & ActionName<FunctionOf<A>>>;

/** Answers one action: with its response type, or a failure. */
export type Handler<A extends AnyAction> = (request: RequestFor<A>, call: Call) => Result<ResponseFor<A>>;
export type Handlers = { [A in AnyAction]?: Handler<A> };

type AnyHandler = (request: unknown, call: Call) => Result<unknown>;

export interface FakeBackend {
  calls: Call[];
  /** Calls of one action, in order. */
  callsOf(action: AnyAction): Call[];
  /** Replaces the handler of an action from now on. */
  on<A extends AnyAction>(action: A, handler: Handler<A>): void;
  /**
   * Holds the replies to calls made from now on (only those `which` picks, or all) until
   * `release()` is called, to observe in-flight states.
   */
  hold(which?: (call: Call) => boolean): void;
  release(): void;
  /** Delays the replies to some calls by `latency(call)` ms, so a later call can answer first. */
  delay(latency: (call: Call) => number): void;
  /** Calls sent and not answered yet, held ones excepted (those wait for `release()`). */
  inFlight(): number;
  /**
   * Resolves once every call not held has been answered and the caller has handled the reply,
   * with no new call started meanwhile: the point after which "nothing more was called" means
   * something. A page that keeps calling never gets there, and the wait times out.
   */
  idle(): Promise<void>;
}

/**
 * Answers the function calls of either transport with the handler for the event's action
 * (asynchronously, as the network does): `wx.request` to the local cloud's `/functions/<name>`
 * (a development build launched with backend=local, the harness's default) and
 * `wx.cloud.callFunction` (any other build). An action without a handler fails the test loudly.
 */
export function installBackend(handlers: Handlers = {}): FakeBackend {
  const table = { ...handlers } as Partial<Record<string, AnyHandler>>;
  const calls: Call[] = [];
  let held: (() => void)[] = [];
  let holding: ((call: Call) => boolean) | null = null;
  let latency: (call: Call) => number = () => 0;
  let sent = 0;

  /** Records the call and hands the handler's reply to `deliver`, when the network would. */
  function receive(name: string, event: unknown, deliver: (reply: Result<unknown>) => void): void {
    const { action, ...request } = (event ?? {}) as { action: string } & Record<string, unknown>;
    const call: Call = { name, action, request };
    calls.push(call);
    const answer = () => {
      const handler = table[action];
      if (!handler) throw new Error(`the fake backend has no handler for ${name}.${action}`);
      sent -= 1;
      deliver(handler(request, call));
    };
    const send = () => {
      sent += 1;
      setTimeout(answer, latency(call));
    };
    if (holding?.(call)) held.push(send);
    else send();
  }

  jest.spyOn(wx, 'request').mockImplementation((options: RequestOptions) => {
    const name = /\/functions\/([^/?]+)$/.exec(options.url)?.[1] ?? '?';
    receive(name, options.data, (reply) => options.success?.({ statusCode: 200, data: reply }));
    return {};
  });
  jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
  jest.spyOn(wx.cloud, 'callFunction').mockImplementation(
    (params) => new Promise((resolve) => receive(params.name, params.data, (reply) => resolve({ result: reply }))),
  );

  return {
    calls,
    callsOf: (action) => calls.filter((c) => c.action === action),
    on(action, handler) {
      table[action] = handler as unknown as AnyHandler;
    },
    hold(which = () => true) {
      holding = which;
    },
    release() {
      const pending = held;
      held = [];
      holding = null;
      pending.forEach((send) => send());
    },
    delay(fn) {
      latency = fn;
    },
    inFlight: () => sent,
    async idle() {
      for (;;) {
        await waitFor(() => sent === 0, 'every call to be answered');
        // Two turns of the event loop: the reply's handlers, and any zero-delay timer they set.
        await flush();
        await flush();
        if (sent === 0) return;
      }
    },
  };
}

/** wx storage backed by a Map the test can read and seed. */
export function installStorage(initial: Record<string, unknown> = {}): Map<string, unknown> {
  const store = new Map<string, unknown>(Object.entries(initial));
  jest.spyOn(wxMore, 'getStorageSync').mockImplementation((key: string) => (store.has(key) ? store.get(key) : ''));
  jest.spyOn(wxMore, 'setStorageSync').mockImplementation((key: string, value: unknown) => {
    store.set(key, JSON.parse(JSON.stringify(value)));
  });
  jest.spyOn(wxMore, 'removeStorageSync').mockImplementation((key: string) => {
    store.delete(key);
  });
  return store;
}

/** A stored session as `services/session` writes it, for the default local config. */
export function storedSession(value: AccountView, fetchedAt: number): Record<string, unknown> {
  return {
    [SESSION_KEY]: { scope: 'local:http://127.0.0.1:3900:demo-admin-openid', account: value, fetchedAt },
  };
}

type ProgressListener = (res: { progress: number }) => void;

/**
 * Uploads to the local cloud that report progress and land only when the test says so:
 * `finish(i)` answers the file id of the path the page asked for (or `fileID`), `fail(i)` fails it;
 * `pending[i].aborted` says whether the page stopped it.
 */
export function heldUploads() {
  const pending: { options: UploadOptions; listeners: ProgressListener[]; aborted: boolean }[] = [];
  const spy = jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
    const upload = { options, listeners: [] as ProgressListener[], aborted: false };
    pending.push(upload);
    return {
      onProgressUpdate: (listener: ProgressListener) => upload.listeners.push(listener),
      // As the platform: an aborted upload fails.
      abort: () => {
        upload.aborted = true;
        options.fail?.({ errMsg: 'uploadFile:fail abort' });
      },
    };
  });
  const cloudPath = (index: number) => String(pending[index].options.formData?.cloudPath);
  return {
    spy,
    pending,
    cloudPath,
    progress: (index: number, percent: number) => pending[index].listeners.forEach((listener) => listener({ progress: percent })),
    finish: (index: number, fileID = `cloud://env/${cloudPath(index)}`) => pending[index].options.success?.({ statusCode: 200, data: JSON.stringify({ fileID }) }),
    fail: (index: number) => pending[index].options.fail?.({ errMsg: 'uploadFile:fail' }),
  };
}
