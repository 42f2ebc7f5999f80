'use strict';
/**
 * The mini-program's runtime for pictures: a jsdom document, a frozen clock, miniprogram-simulate
 * (the official wcc compiler and the real Vant components, as the page tests use them) and a
 * `wx` whose network calls are real HTTP to a running local cloud as a chosen demo identity.
 *
 * Only one page is rendered at a time: simulate, `wx` and the document are process globals.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const miniprogramRoot = path.join(repoRoot, 'miniprogram');
const simulateDir = path.dirname(require.resolve('miniprogram-simulate/package.json', { paths: [repoRoot] }));
const jComponentDir = path.dirname(require.resolve('j-component/package.json', { paths: [simulateDir, repoRoot] }));

/** The screen the pictures show: an iPhone X class phone, as WeChat reports it. */
const SCREEN = { width: 375, height: 812, statusBar: 44, navBar: 44, tabBar: 50, safeBottom: 34, pixelRatio: 2 };

/** 750 rpx are the screen's width, as on the phone (simulate would take 1 rpx as 1 px). */
function rpxToPx(text) {
  return String(text).replace(/(-?\d*\.?\d+)rpx/gi, (all, value) => `${+((Number(value) * SCREEN.width) / 750).toFixed(3)}px`);
}

// ---------------------------------------------------------------------------------------
// Clock

/**
 * Freezes `Date` at one instant for the code of the pages, so two runs render the same
 * pictures. Timers still run on the real clock; waiting in this tool never reads `Date`.
 */
function freezeClock(isoInstant) {
  const RealDate = Date;
  const fixed = RealDate.parse(isoInstant);
  if (Number.isNaN(fixed)) throw new Error(`not an instant: ${isoInstant}`);
  class FrozenDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }
    static now() {
      return fixed;
    }
  }
  global.Date = FrozenDate;
  return fixed;
}

// ---------------------------------------------------------------------------------------
// Document and simulate

let installed = null;

function installDom() {
  const { JSDOM } = require(require.resolve('jsdom', { paths: [repoRoot] }));
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { pretendToBeVisual: true, url: 'http://localhost/' });
  const window = dom.window;
  for (const key of Object.getOwnPropertyNames(window)) {
    if (key in global) continue;
    try {
      global[key] = window[key];
    } catch {
      // A few window properties are getters that refuse another receiver; pages never use them.
    }
  }
  // Node has its own Event and CustomEvent; the DOM's elements accept only the window's.
  for (const key of ['Event', 'CustomEvent', 'EventTarget', 'UIEvent', 'MouseEvent', 'TouchEvent', 'KeyboardEvent', 'FocusEvent']) {
    if (window[key]) global[key] = window[key];
  }
  global.window = window;
  global.document = window.document;
}

/** Package component paths (`@vant/weapp/cell/index`) resolve to the built miniprogram_npm, in every JSON. */
function mapPackageComponents(json) {
  if (!json || !json.usingComponents) return json;
  for (const [tag, value] of Object.entries(json.usingComponents)) {
    if (typeof value === 'string' && !value.startsWith('.') && !value.startsWith('/')) {
      json.usingComponents[tag] = `/miniprogram_npm/${value}`;
    }
  }
  return json;
}

/**
 * What a WeChat webview does to WXSS that a browser does not: type selectors name the
 * simulated elements (`view` is `<wx-view>`), `page` is the page's box (`<wx-page>`), and
 * `:host` is the component's own tag.
 */
const NATIVE_TAGS = [
  'view', 'text', 'button', 'input', 'textarea', 'image', 'icon', 'switch', 'scroll-view', 'swiper', 'swiper-item',
  'navigator', 'label', 'form', 'radio', 'radio-group', 'checkbox', 'checkbox-group', 'picker', 'picker-view',
  'progress', 'slider', 'rich-text', 'cover-view', 'cover-image', 'block', 'canvas', 'video', 'map', 'root-portal',
];
const TAG_PATTERN = new RegExp(`(^|[\\s>+~,(])(${NATIVE_TAGS.map((t) => t.replace('-', '\\-')).join('|')}|page)(?=$|[\\s.:#\\[>+~,)])`, 'g');

function webviewSelectors(postcss, wxss, hostTag) {
  // A plain function plugin: simulate brings PostCSS 7.
  return postcss([
    (root) => {
      root.walkRules((rule) => {
        if (rule.parent && rule.parent.type === 'atrule' && /keyframes/i.test(rule.parent.name)) return;
        rule.selectors = rule.selectors.map((selector) =>
          selector
            .replace(/:host\b/g, hostTag)
            .replace(TAG_PATTERN, (all, before, tag) => `${before}${tag === 'page' ? 'wx-page' : `wx-${tag}`}`),
        );
      });
    },
  ]).process(wxss, { from: undefined }).css;
}

function installSimulate() {
  const simUtils = require(path.join(simulateDir, 'src/utils.js'));
  const jUtils = require(path.join(jComponentDir, 'src/tool/utils.js'));
  const wxss = require(path.join(simulateDir, 'src/wxss.js'));
  const postcss = require(require.resolve('postcss', { paths: [simulateDir] }));

  simUtils.transformRpx = rpxToPx;
  jUtils.transformRpx = rpxToPx;
  const readJson = simUtils.readJson;
  simUtils.readJson = (filePath) => mapPackageComponents(readJson(filePath));
  const compile = wxss.compile;
  wxss.compile = (content, options = {}) => compile(webviewSelectors(postcss, content || '', options.prefix || 'main'), options);

  const simulate = require(simulateDir);
  // app.wxss styles every page's own elements, so it takes the page's class prefix.
  const appWxss = () => {
    const file = path.join(miniprogramRoot, 'app.wxss');
    return fs.existsSync(file) ? rpxToPx(wxss.compile(wxss.getContent(file), { prefix: 'main' })) : '';
  };
  return { simulate, appWxss };
}

// ---------------------------------------------------------------------------------------
// wx: the parts the pages call, answered as a phone would

/** The identity, backend and failures of the scenario being rendered; set by `prepare`. */
const session = {
  baseUrl: '',
  identity: null,
  /** `function.action` names answered with a network failure. */
  failing: new Set(),
  storage: new Map(),
  navigationTitle: null,
  chosenFile: null,
  pagePath: '',
  inFlight: 0,
  lastActivity: 0,
  calls: [],
  /** Function calls made with wx.request instead of wx.cloud: a release build makes none. */
  directCalls: [],
};

function touch() {
  session.lastActivity = performance.now();
}

function identityHeaders() {
  const id = session.identity;
  return { 'X-WX-OPENID': id.openid, 'X-WX-APPID': id.appid, 'X-WX-UNIONID': id.unionid };
}

/** Sends one HTTP request to the local cloud and answers with status, headers and body text. */
function send(urlPath, { method = 'POST', headers = {}, body = '' }) {
  session.inFlight += 1;
  touch();
  return new Promise((resolve, reject) => {
    // The page's own identity headers (its runtime config's demo identity) give way to the scenario's.
    const own = Object.fromEntries(Object.entries(headers).filter(([key]) => !key.toLowerCase().startsWith('x-wx-')));
    const request = http.request(`${session.baseUrl}${urlPath}`, { method, headers: { ...own, ...identityHeaders() } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode, header: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  }).finally(() => {
    session.inFlight -= 1;
    touch();
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `/functions/org` + `{action}` -> `org.units.get`. */
function callName(urlPath, data) {
  const name = /\/functions\/([^/?#]+)/.exec(urlPath);
  const action = data && typeof data === 'object' ? data.action : undefined;
  return name ? `${name[1]}${action ? `.${action}` : ''}` : urlPath;
}

/** Whatever base URL the mini-program's runtime config names, the request goes to this run's local cloud. */
function localPath(url) {
  const parsed = new URL(url, 'http://127.0.0.1');
  return `${parsed.pathname}${parsed.search}`;
}

function later(fn) {
  session.inFlight += 1;
  setTimeout(() => {
    session.inFlight -= 1;
    touch();
    fn();
  }, 0);
}

function request(options) {
  const urlPath = localPath(options.url);
  const name = callName(urlPath, options.data);
  session.calls.push(name);
  if (urlPath.startsWith('/functions/')) session.directCalls.push(name);
  const done = (res) => {
    if (options.success) options.success(res);
    if (options.complete) options.complete(res);
  };
  const failed = (errMsg) => {
    const res = { errMsg };
    if (options.fail) options.fail(res);
    if (options.complete) options.complete(res);
  };
  if (session.failing.has(name)) {
    later(() => failed('request:fail net::ERR_INTERNET_DISCONNECTED'));
    return { abort() {} };
  }
  const body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data ?? {});
  send(urlPath, { method: options.method || 'GET', headers: { 'content-type': 'application/json', ...(options.header || {}) }, body }).then(
    (res) => later(() => done({ statusCode: res.statusCode, header: res.header, data: parseJson(res.text), errMsg: 'request:ok' })),
    (error) => later(() => failed(`request:fail ${error.message}`)),
  );
  return { abort() {} };
}

function multipart(fields, fileField, filePath) {
  const boundary = '----xintong-screenshots';
  const parts = [];
  for (const [key, value] of Object.entries(fields || {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${path.basename(filePath)}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    fs.readFileSync(filePath),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function uploadFile(options) {
  const { body, contentType } = multipart(options.formData, options.name || 'file', options.filePath);
  send(localPath(options.url), { headers: { ...(options.header || {}), 'content-type': contentType }, body }).then(
    (res) => later(() => {
      const reply = { statusCode: res.statusCode, data: res.text, errMsg: 'uploadFile:ok' };
      if (options.success) options.success(reply);
      if (options.complete) options.complete(reply);
    }),
    (error) => later(() => {
      if (options.fail) options.fail({ errMsg: `uploadFile:fail ${error.message}` });
    }),
  );
  return { abort() {}, onProgressUpdate() {} };
}

/**
 * `wx.cloud` as on a phone, answered by the local cloud as the scenario's person: a release
 * build (see `getAccountInfoSync`) calls its functions this way.
 */
const cloud = {
  init() {},
  callFunction({ name, data }) {
    const urlPath = `/functions/${name}`;
    const call = callName(urlPath, data);
    session.calls.push(call);
    if (session.failing.has(call)) return Promise.reject(new Error('cloud.callFunction:fail network'));
    return send(urlPath, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(data ?? {}) }).then((res) => {
      if (res.statusCode !== 200) throw new Error(`cloud.callFunction:fail ${res.statusCode}`);
      return { result: parseJson(res.text), errMsg: 'cloud.callFunction:ok' };
    });
  },
  uploadFile({ cloudPath, filePath }) {
    const { body, contentType } = multipart({ cloudPath }, 'file', filePath);
    return send('/storage/upload', { headers: { 'content-type': contentType }, body }).then((res) => parseJson(res.text));
  },
};

function installWx() {
  const windowHeight = SCREEN.height - SCREEN.statusBar - SCREEN.navBar;
  const windowInfo = {
    pixelRatio: SCREEN.pixelRatio,
    screenWidth: SCREEN.width,
    screenHeight: SCREEN.height,
    windowWidth: SCREEN.width,
    windowHeight,
    statusBarHeight: SCREEN.statusBar,
    safeArea: { left: 0, right: SCREEN.width, top: SCREEN.statusBar, bottom: SCREEN.height - SCREEN.safeBottom, width: SCREEN.width, height: SCREEN.height - SCREEN.statusBar - SCREEN.safeBottom },
  };
  const asyncOk = (name, result = {}) => (options = {}) => {
    const res = { errMsg: `${name}:ok`, ...result };
    setTimeout(() => {
      if (options.success) options.success(res);
      if (options.complete) options.complete(res);
    }, 0);
    return Promise.resolve(res);
  };
  Object.assign(global.wx, {
    request,
    uploadFile,
    cloud,
    getStorageSync: (key) => (session.storage.has(key) ? session.storage.get(key) : ''),
    setStorageSync: (key, value) => session.storage.set(key, JSON.parse(JSON.stringify(value))),
    removeStorageSync: (key) => session.storage.delete(key),
    clearStorageSync: () => session.storage.clear(),
    getSystemInfoSync: () => ({ ...windowInfo, platform: 'ios', system: 'iOS 17.0', brand: 'iPhone', model: 'iPhone X', SDKVersion: '3.4.0', version: '8.0.50', language: 'zh_CN', theme: 'light' }),
    getWindowInfo: () => ({ ...windowInfo }),
    // A release build, as people run it: the cloud transport (wx.cloud, answered above by the
    // local cloud as the scenario's person) and no development-only details on the pages.
    getAccountInfoSync: () => ({ miniProgram: { appId: session.identity ? session.identity.appid : 'wx-demo-appid', envVersion: 'release', version: '1.0.0' } }),
    getLaunchOptionsSync: () => ({ path: session.pagePath || '', scene: 1001, query: {}, referrerInfo: {} }),
    getEnterOptionsSync: () => ({ path: session.pagePath || '', scene: 1001, query: {}, referrerInfo: {} }),
    setNavigationBarTitle: (options = {}) => {
      session.navigationTitle = options.title;
      return asyncOk('setNavigationBarTitle')(options);
    },
    chooseMessageFile: (options = {}) => {
      const file = session.chosenFile;
      if (!file) {
        setTimeout(() => options.fail && options.fail({ errMsg: 'chooseMessageFile:fail cancel' }), 0);
        return undefined;
      }
      const size = fs.statSync(file.path).size;
      return asyncOk('chooseMessageFile', { tempFiles: [{ path: file.path, name: file.name, size, type: 'file', time: 0 }] })(options);
    },
    // The person allows the messages a submit tap asks for, as most do once.
    requestSubscribeMessage: (options = {}) => asyncOk('requestSubscribeMessage', Object.fromEntries((options.tmplIds || []).map((id) => [id, 'accept'])))(options),
    showToast: asyncOk('showToast'),
    showModal: asyncOk('showModal', { confirm: false, cancel: true }),
    navigateTo: asyncOk('navigateTo'),
    switchTab: asyncOk('switchTab'),
    redirectTo: asyncOk('redirectTo'),
    navigateBack: asyncOk('navigateBack'),
    stopPullDownRefresh: asyncOk('stopPullDownRefresh'),
    makePhoneCall: asyncOk('makePhoneCall'),
    setClipboardData: asyncOk('setClipboardData'),
  });
  // A phone outside WeCom has no wx.qy.
  delete global.wx.qy;
}

// ---------------------------------------------------------------------------------------
// Pages

let pendingQuery = {};
let currentPage = null;

function callHook(instance, hook, ...args) {
  if (typeof instance[hook] === 'function') instance[hook](...args);
}

/** `Page(options)` as a component, as the page tests do: data stays data, functions become methods. */
function installPageShim() {
  global.Page = (options) => {
    const methods = {};
    const fields = {};
    for (const [key, value] of Object.entries(options)) {
      if (key === 'data') continue;
      if (typeof value === 'function') methods[key] = value;
      else fields[key] = value;
    }
    global.Component({
      data: options.data || {},
      methods,
      lifetimes: {
        created() {
          Object.assign(this, fields);
        },
        attached() {
          currentPage = this;
          const query = pendingQuery;
          pendingQuery = {};
          callHook(this, 'onLoad', query);
          callHook(this, 'onShow');
        },
        ready() {
          callHook(this, 'onReady');
        },
        detached() {
          callHook(this, 'onUnload');
        },
      },
    });
  };
  global.App = () => undefined;
  global.getApp = () => ({ globalData: {} });
  global.getCurrentPages = () => (currentPage ? [currentPage] : []);
  // van-tabs batches its updates with groupSetData (base library 2.4.0+), which simulate lacks.
  const component = global.Component;
  global.Component = (definition) =>
    component({ ...definition, methods: { groupSetData(callback) { callback(); }, ...definition.methods } });
}

/** Forgets every module of the mini-program, so each picture starts with fresh services and session. */
function forgetMiniprogramModules() {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(miniprogramRoot + path.sep)) delete require.cache[key];
  }
}

/**
 * Sets up the whole runtime once. `clock` is the frozen instant, `baseUrl` the local cloud.
 */
function install({ clock, baseUrl }) {
  if (installed) return installed;
  freezeClock(clock);
  installDom();
  const { simulate, appWxss } = installSimulate();
  installWx();
  installPageShim();
  session.baseUrl = baseUrl;
  installed = { simulate, appWxss };
  return installed;
}

/** Resets `wx` for a new picture: who calls, which calls fail, what the file chooser offers. */
function prepare({ identity, failing = [], chosenFile = null }) {
  session.identity = identity;
  session.failing = new Set(failing);
  session.storage = new Map();
  session.navigationTitle = null;
  session.chosenFile = chosenFile;
  session.calls = [];
  session.directCalls = [];
  touch();
}

/**
 * Starts the app as WeChat does before its first page: app.js's `onLaunch` (which signs in
 * silently), so a page finds the session a launched app has. Wait with `settle()` after it.
 */
function launchApp(pagePath, query = {}) {
  forgetMiniprogramModules();
  const appFile = path.join(miniprogramRoot, 'app.js');
  if (!fs.existsSync(appFile)) throw new Error('app.js is not built: run `node scripts/build.js --no-typecheck`');
  let options = null;
  global.App = (given) => {
    options = given;
  };
  try {
    require(appFile);
  } finally {
    global.App = () => undefined;
  }
  if (options && typeof options.onLaunch === 'function') options.onLaunch({ path: pagePath, query, scene: 1001, referrerInfo: {} });
}

/** Renders a built page into the document; its root component is returned. */
function renderPage(pagePath, query = {}) {
  const { simulate } = installed;
  forgetMiniprogramModules();
  session.pagePath = pagePath;
  const fullPath = path.join(miniprogramRoot, pagePath);
  if (!fs.existsSync(`${fullPath}.js`)) throw new Error(`${pagePath}.js is not built: run \`node scripts/build.js --no-typecheck\``);
  const id = simulate.load(fullPath, { rootPath: miniprogramRoot, compiler: 'official', compilerOptions: { maxBuffer: 8 * 1024 * 1024 } });
  pendingQuery = query;
  const root = simulate.render(id);
  const host = document.createElement('wx-page');
  document.body.appendChild(host);
  root.attach(host);
  return { root, host };
}

/** The CSS of app.wxss, as it applies to the page's elements. */
function appCss() {
  return installed.appWxss();
}

function unmount(rendered) {
  rendered.root.detach();
  rendered.host.remove();
  currentPage = null;
}

/** Resolves once no request has been in flight for `quietMs` (and at least one tick has passed). */
async function settle({ quietMs = 150, timeoutMs = 15000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  touch();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = performance.now();
    if (session.inFlight === 0 && now - session.lastActivity >= quietMs) return;
    if (now > deadline) throw new Error(`requests still running after ${timeoutMs} ms: ${session.calls.slice(-5).join(', ')}`);
  }
}

module.exports = {
  SCREEN,
  repoRoot,
  miniprogramRoot,
  rpxToPx,
  install,
  prepare,
  launchApp,
  renderPage,
  unmount,
  appCss,
  settle,
  session,
  send,
};
