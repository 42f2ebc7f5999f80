/**
 * Harness for mini-program page tests with miniprogram-simulate, after tdesign-miniprogram's
 * test setup: `Page` is shimmed to define a component, pages are loaded from the BUILT
 * mini-program (run `node scripts/build-miniprogram.js` first) with their Vant components
 * mapped to miniprogram_npm, and the global `wx` is a plain object tests spy on
 * (`jest.spyOn(wx, 'request')`).
 *
 * Rendering needs a DOM: page test files start with the docblock `@jest-environment jsdom`.
 *
 * The types here are local on purpose: test/ is type-checked with Node types, and importing
 * miniprogram-simulate's or the mini-program's own declarations would pull the mini-program
 * globals (`wx`, `Page`, `require`, ...) into that program.
 */
import * as fs from 'fs';
import * as path from 'path';

export const repoRoot = path.resolve(__dirname, '../..');
/** The one simulate rootPath for every test file: two roots in one file corrupt rendering. */
export const miniprogramRoot = path.join(repoRoot, 'miniprogram');

const BUILD_HINT = 'run `node scripts/build-miniprogram.js` before the mini-program tests';

// ---------------------------------------------------------------------------------------
// Minimal shapes of what the tests touch.

export interface RequestSuccess {
  statusCode: number;
  data: unknown;
  header?: Record<string, string>;
  errMsg?: string;
}

export interface RequestOptions {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
  timeout?: number;
  success?: (res: RequestSuccess) => void;
  fail?: (err: { errMsg: string }) => void;
  complete?: (res: unknown) => void;
}

export interface CallFunctionParams {
  name: string;
  data?: Record<string, unknown>;
}

export interface WxCloudLike {
  init(config?: { env?: string; traceUser?: boolean }): void;
  callFunction(params: CallFunctionParams): Promise<{ result: unknown }>;
}

export interface LaunchOptions {
  path: string;
  scene: number;
  query: Record<string, string>;
}

export interface AccountInfo {
  miniProgram: { appId: string; envVersion: 'develop' | 'trial' | 'release'; version: string };
}

/** The parts of the simulated `wx` the tests spy on. */
export interface WxLike {
  request(options: RequestOptions): unknown;
  navigateTo(options: { url: string }): unknown;
  switchTab(options: { url: string }): unknown;
  getLaunchOptionsSync(): LaunchOptions;
  getAccountInfoSync(): AccountInfo;
  cloud: WxCloudLike;
}

export interface DomElement {
  readonly tagName: string;
  readonly textContent: string | null;
  readonly children: ArrayLike<DomElement>;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  dispatchEvent(event: unknown): boolean;
  appendChild(child: unknown): unknown;
}

interface SimComponent {
  readonly dom: DomElement;
  querySelector(selector: string): SimComponent | undefined;
  querySelectorAll(selector: string): SimComponent[];
}

interface SimRootComponent extends SimComponent {
  attach(parent: DomElement): void;
  detach(): void;
}

interface SimulateApi {
  load(componentPath: string, options: Record<string, unknown>): string;
  render(id: string, properties?: Record<string, unknown>): SimRootComponent;
}

interface Browserish {
  document: { createElement(tag: string): DomElement };
  TouchEvent: new (type: string, init: Record<string, unknown>) => unknown;
  Touch: new (init: Record<string, unknown>) => unknown;
}

type PageOptions = Record<string, unknown> & { data?: Record<string, unknown> };
type PageInstance = Record<string, unknown> & { [hook: string]: unknown };

// ---------------------------------------------------------------------------------------
// Globals: simulate installs `Component`, `Behavior` and a mocked `wx`; the page side is ours.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulate = require('miniprogram-simulate') as SimulateApi;
const globals = globalThis as unknown as Record<string, unknown>;

/** The query the next rendered page receives in onLoad. */
let pendingQuery: Record<string, string> = {};

export type SetDataListener = (patch: Record<string, unknown>) => void;
const setDataListeners = new Set<SetDataListener>();

/**
 * Calls `listener` with every `setData` patch a page makes (the page's own, not its
 * components'), from now until the returned function is called: to measure what crosses to
 * the view layer.
 */
export function watchSetData(listener: SetDataListener): () => void {
  setDataListeners.add(listener);
  return () => setDataListeners.delete(listener);
}

type SetData = (patch: Record<string, unknown>, callback?: () => void) => void;

function callHook(instance: PageInstance, hook: string, ...args: unknown[]): void {
  const fn = instance[hook];
  if (typeof fn === 'function') fn.apply(instance, args);
}

/** Page options -> Component definition: data stays data, functions become methods. */
function pageToComponent(options: PageOptions): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'data') continue;
    if (typeof value === 'function') methods[key] = value;
    else fields[key] = value;
  }
  return {
    data: options.data ?? {},
    methods,
    lifetimes: {
      created(this: PageInstance) {
        Object.assign(this, fields);
        const setData = this.setData as SetData;
        this.setData = function watched(this: PageInstance, patch: Record<string, unknown>, callback?: () => void) {
          setDataListeners.forEach((listener) => listener(patch));
          return setData.call(this, patch, callback);
        };
      },
      attached(this: PageInstance) {
        const query = pendingQuery;
        pendingQuery = {};
        callHook(this, 'onLoad', query);
        callHook(this, 'onShow');
      },
      ready(this: PageInstance) {
        callHook(this, 'onReady');
      },
      detached(this: PageInstance) {
        callHook(this, 'onUnload');
      },
    },
    pageLifetimes: {
      show(this: PageInstance) {
        callHook(this, 'onShow');
      },
      hide(this: PageInstance) {
        callHook(this, 'onHide');
      },
    },
  };
}

globals.Page = (options: PageOptions) => (globals.Component as (definition: unknown) => void)(pageToComponent(options));
globals.App = () => undefined;
globals.getApp = () => ({ globalData: {} });
globals.getCurrentPages = () => [];

/** The global `wx` the mini-program code calls; spy on its methods. */
export const wx = globals.wx as WxLike;
/**
 * Pages run as in DevTools with the 本地云 compile mode: a development build launched with
 * `backend=local`, so they call the local cloud (which tests fake at `wx.request`) as the demo
 * admin. Spy on these to run as another version or person.
 */
wx.getAccountInfoSync = () => ({ miniProgram: { appId: 'wx-demo-appid', envVersion: 'develop', version: '' } });
wx.getLaunchOptionsSync = () => ({ path: 'pages/notices/index', scene: 1001, query: { backend: 'local' } });
wx.cloud = {
  init() {},
  callFunction() {
    return Promise.reject(new Error('wx.cloud.callFunction is not stubbed in this test'));
  },
};

// ---------------------------------------------------------------------------------------
// Loading and rendering

/**
 * The usingComponents of a page or component, with package components (`@vant/weapp/x/index`)
 * mapped to the built miniprogram_npm. Unmapped, simulate would render them as empty unknown
 * tags without a word, so a component that cannot be found fails here instead.
 */
export function componentsOf(pagePath: string): Record<string, string> {
  const jsonPath = path.join(miniprogramRoot, `${pagePath}.json`);
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as { usingComponents?: Record<string, string> };
  const mapped: Record<string, string> = {};
  for (const [tag, value] of Object.entries(json.usingComponents ?? {})) {
    const isPackage = !value.startsWith('.') && !value.startsWith('/');
    const target = isPackage ? `/miniprogram_npm/${value}` : value;
    const onDisk = target.startsWith('/')
      ? path.join(miniprogramRoot, target)
      : path.resolve(path.dirname(path.join(miniprogramRoot, pagePath)), target);
    if (!fs.existsSync(`${onDisk}.json`)) {
      throw new Error(`${pagePath} uses <${tag}> from "${value}", not found at ${onDisk}: ${BUILD_HINT}`);
    }
    mapped[tag] = target;
  }
  return mapped;
}

export interface LoadOptions {
  /** Extra or overriding component mappings, `tag -> path from the mini-program root`. */
  usingComponents?: Record<string, string>;
}

/** Loads a built page (`pages/notices/index`) and returns its simulate component id. */
export function load(pagePath: string, options: LoadOptions = {}): string {
  const fullPath = path.join(miniprogramRoot, pagePath);
  if (!fs.existsSync(`${fullPath}.js`)) throw new Error(`${pagePath}.js is not built: ${BUILD_HINT}`);
  const usingComponents = { ...componentsOf(pagePath), ...options.usingComponents };
  // simulate registers each component by running its JS and expects `Component()` to be
  // called again on every load; Jest's module registry ignores simulate's
  // `delete require.cache[...]`, so each load gets a fresh registry instead.
  let id = '';
  jest.isolateModules(() => {
    id = simulate.load(fullPath, {
      rootPath: miniprogramRoot,
      compiler: 'official',
      usingComponents,
      compilerOptions: { maxBuffer: 8 * 1024 * 1024 },
    });
  });
  return id;
}

export interface RenderOptions extends LoadOptions {
  /** The page's query, as onLoad receives it. */
  query?: Record<string, string>;
}

export interface RenderedPage {
  root: SimRootComponent;
  /** Everything a person can read on the page, whitespace collapsed. */
  text(): string;
  /** The innermost element whose whole text is `label` (a button's caption, a cell's value). */
  getByText(label: string): DomElement;
  queryByText(label: string): DomElement | null;
  /** Taps an element the way a finger does: touchstart then touchend on it. */
  tap(target: DomElement | string): Promise<void>;
  unmount(): void;
}

function browser(): Browserish {
  if (!globals.document) {
    throw new Error('page tests need a DOM: start the test file with the docblock `@jest-environment jsdom`');
  }
  return globals as unknown as Browserish;
}

function collapse(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function innermostWithText(element: DomElement, label: string): DomElement | null {
  if (collapse(element.textContent) !== label && !collapse(element.textContent).includes(label)) return null;
  for (const child of Array.from(element.children)) {
    const found = innermostWithText(child, label);
    if (found) return found;
  }
  return collapse(element.textContent) === label ? element : null;
}

/** Lets pending promises, microtasks and zero-delay timers run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Waits until `probe` returns something truthy, and returns it. */
export async function waitFor<T>(probe: () => T | null | undefined | false, what = 'condition', timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function renderPage(pagePath: string, options: RenderOptions = {}): RenderedPage {
  const { document, TouchEvent, Touch } = browser();
  const id = load(pagePath, options);
  pendingQuery = options.query ?? {};
  const root = simulate.render(id);
  root.attach(document.createElement('parent-wrapper'));

  const queryByText = (label: string) => innermostWithText(root.dom, label);
  const getByText = (label: string) => {
    const found = queryByText(label);
    if (!found) throw new Error(`no element with the text "${label}" in: ${collapse(root.dom.textContent)}`);
    return found;
  };

  return {
    root,
    text: () => collapse(root.dom.textContent),
    getByText,
    queryByText,
    async tap(target) {
      const element = typeof target === 'string' ? getByText(target) : target;
      const touch = () => [new Touch({ identifier: 0, target: element, clientX: 0, clientY: 0, pageX: 0, pageY: 0 })];
      element.dispatchEvent(new TouchEvent('touchstart', { bubbles: true, cancelable: true, touches: touch(), changedTouches: touch() }));
      element.dispatchEvent(new TouchEvent('touchend', { bubbles: true, cancelable: true, touches: [], changedTouches: touch() }));
      await flush();
    },
    unmount: () => root.detach(),
  };
}

/** Requires a module of the BUILT mini-program (`services/transport`), fresh for each call. */
export function requireBuilt<T>(modulePath: string): T {
  const fullPath = path.join(miniprogramRoot, `${modulePath}.js`);
  if (!fs.existsSync(fullPath)) throw new Error(`${modulePath}.js is not built: ${BUILD_HINT}`);
  let loaded: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(fullPath) as T;
  });
  return loaded as T;
}
