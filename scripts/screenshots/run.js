#!/usr/bin/env node
'use strict';
/**
 * `npm run screenshots`: pictures of every page of the mini-program, as a phone shows them.
 *
 * Each page is rendered by miniprogram-simulate in jsdom with the real Vant components, as a
 * release build runs it (envVersion 'release': no development details, calls through
 * wx.cloud), after app.js's onLaunch; wx.cloud is answered by a fresh local cloud (demo data,
 * started with --clock when it has that option) over HTTP as a demo person; the DOM and its
 * styles then go to headless Chromium inside a drawn phone (status, navigation and tab bars),
 * 375 px wide at device scale 2. The clock is frozen, so two runs give identical files.
 *
 *   npm run screenshots                         every page, to docs/screenshots/<page>-<state>.png
 *   npm run screenshots -- --only me,classes    some pages (or page-state names)
 *   npm run screenshots -- --full               whole pages instead of one screen
 *   npm run screenshots -- --out DIR            somewhere else
 *
 * Needs Chromium and the Noto CJK fonts (`apt-get install chromium fonts-noto-cjk`); not part
 * of npm test or CI.
 */
// Business time and the phone's zone: what the pages show is what a phone in China shows.
process.env.TZ = 'Asia/Shanghai';

const fs = require('node:fs');
const path = require('node:path');
const preflight = require('./preflight');

const DEFAULT_CLOCK = '2025-09-01T09:41:00+08:00';
const DEFAULT_OUT = path.join(__dirname, '..', '..', 'docs', 'screenshots');

const USAGE = `usage: npm run screenshots -- [--only PAGE[,PAGE...]] [--full] [--out DIR] [--clock ISO]
  --only    render only these pages (me, classes, roles, ...) or states (me-admin)
  --full    whole-length pages instead of one 375x812 screen
  --out     output folder (default docs/screenshots)
  --clock   the frozen time the pages see (default ${DEFAULT_CLOCK})
  --html    also write each picture's HTML beside it, to debug the rendering
  --list    print the pages and states, render nothing`;

function parseArgs(argv) {
  const options = { only: null, full: false, out: DEFAULT_OUT, clock: DEFAULT_CLOCK, list: false, html: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      i += 1;
      return next;
    };
    if (arg === '--full') options.full = true;
    else if (arg === '--only') options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--out') options.out = path.resolve(value());
    else if (arg === '--clock') options.clock = value();
    else if (arg === '--list') options.list = true;
    else if (arg === '--html') options.html = true;
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (Number.isNaN(Date.parse(options.clock))) throw new Error(`--clock: not an ISO instant: ${options.clock}`);
  return options;
}

function selectStates(states, only) {
  if (!only) return states;
  const unknown = only.filter((name) => !states.some((s) => s.page === name || `${s.page}-${s.state}` === name));
  if (unknown.length) throw new Error(`--only: no page or state named ${unknown.join(', ')}; see --list`);
  const wanted = new Set(states.filter((s) => only.includes(s.page) || only.includes(`${s.page}-${s.state}`)).map((s) => `${s.page}-${s.state}`));
  // A state showing data an earlier state made brings that one along.
  for (const s of states.slice().reverse()) if (wanted.has(`${s.page}-${s.state}`)) for (const before of s.after || []) wanted.add(before);
  return states.filter((s) => wanted.has(`${s.page}-${s.state}`));
}

/** `YYYY-MM-DD HH:mm` of an instant in business time (Asia/Shanghai, this process's zone). */
function wallClock(instant) {
  const d = new Date(instant);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---------------------------------------------------------------------------------------
// Driving a page as a person would

function collapse(text) {
  return (text || '').replace(/\s+/g, ' ').trim();
}

/** The innermost element whose whole text is `label`, first in document order; hidden popups excluded. */
function innermostWithText(element, label) {
  if (!collapse(element.textContent).includes(label)) return null;
  for (const child of Array.from(element.children)) {
    const found = innermostWithText(child, label);
    if (found) return found;
  }
  return collapse(element.textContent) === label ? element : null;
}

function driver(env, rendered) {
  const { root } = rendered;
  const waitFor = async (probe, what, timeoutMs = 15000) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; the page reads: ${collapse(root.dom.textContent).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const page = {
    root,
    settle: () => env.settle(),
    waitForText: (text) => waitFor(() => collapse(root.dom.textContent).includes(text), `"${text}"`),
    async tap(label) {
      const element = await waitFor(() => innermostWithText(root.dom, label), `something reading "${label}" to tap`);
      const touch = () => [new global.Touch({ identifier: 0, target: element, clientX: 0, clientY: 0, pageX: 0, pageY: 0 })];
      element.dispatchEvent(new global.TouchEvent('touchstart', { bubbles: true, cancelable: true, touches: touch(), changedTouches: touch() }));
      element.dispatchEvent(new global.TouchEvent('touchend', { bubbles: true, cancelable: true, touches: [], changedTouches: touch() }));
      await env.settle();
    },
    async trigger(selector, eventName, detail) {
      const target = root.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      target.dispatchEvent(eventName, { detail });
      await env.settle();
    },
    async search(selector, text) {
      await page.trigger(selector, 'change', text);
      await page.trigger(selector, 'search', text);
    },
    /** Scrolls to the end again and again (the page's onReachBottom) until `text` shows. */
    async reachBottomUntil(text, most = 20) {
      const instance = root.instance;
      if (typeof instance.onReachBottom !== 'function') throw new Error('the page has no onReachBottom');
      for (let i = 0; i < most; i += 1) {
        if (collapse(root.dom.textContent).includes(text)) return;
        instance.onReachBottom();
        await env.settle();
      }
      await page.waitForText(text);
    },
  };
  return page;
}

/**
 * A state's query: given, or made from the local cloud's data (demo rooms and proposals have
 * random ids): `query(data)` gets the rooms, bookings and proposals, `day(n)`, `roomId(name)`,
 * `bookingId(subject)` and `proposalId(title)`.
 */
async function stateQuery(s, api) {
  if (typeof s.query !== 'function') return s.query || {};
  const [rooms, bookings, proposals] = await Promise.all([api.db('rooms'), api.db('bookings'), api.db('proposals')]);
  const one = (docs, what, match) => {
    const found = docs.find(match);
    if (!found) throw new Error(`the local cloud has no ${what}`);
    return found._id;
  };
  return s.query({
    rooms,
    bookings,
    proposals,
    /** `YYYY-MM-DD` of the frozen clock's day, `days` later. */
    day: (days = 0) => wallClock(Date.now() + days * 86400000).slice(0, 10),
    roomId: (name) => one(rooms, `room named ${name}`, (doc) => doc.name === name),
    bookingId: (subject) => one(bookings, `booking "${subject}"`, (doc) => doc.subject === subject && doc.status !== 'failed'),
    proposalId: (title) => one(proposals, `proposal "${title}"`, (doc) => doc.title === title),
  });
}

// ---------------------------------------------------------------------------------------
// Chromium

/** Runs in the browser after layout: what Vant measures on a phone and jsdom cannot. */
function fixLayout() {
  // van-tabs: the underline sits under the active tab, as wide as Vant's default line.
  for (const line of document.querySelectorAll('[class~="van-tabs--van-tabs__line"]')) {
    const wrap = line.closest('[class~="van-tabs--van-tabs__nav"]') || line.parentElement;
    const active = wrap && wrap.querySelector('[class~="van-tabs--van-tab--active"]');
    if (!active) continue;
    const width = line.getBoundingClientRect().width || 40;
    const left = active.getBoundingClientRect().left - wrap.getBoundingClientRect().left + (active.getBoundingClientRect().width - width) / 2;
    line.style.width = `${width}px`;
    line.style.transform = `translateX(${left}px)`;
    line.style.opacity = '1';
  }
  // Auto-height text areas grow to their text.
  for (const area of document.querySelectorAll('wx-textarea[data-wx-auto-height]')) area.style.height = `${area.scrollHeight}px`;
}

async function launchBrowser(executablePath) {
  const puppeteer = require('puppeteer-core');
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--font-render-hinting=none', '--force-color-profile=srgb', '--disable-lcd-text', '--disable-extensions', '--mute-audio'],
  });
  const tab = await browser.newPage();
  await tab.setViewport({ width: 375, height: 812, deviceScaleFactor: 2 });
  await tab.setRequestInterception(true);
  // Pictures never depend on the network: everything they show is inlined.
  tab.on('request', (request) => {
    if (/^(data|about):/.test(request.url())) request.continue();
    else request.abort();
  });
  return { browser, tab };
}

/** Runs in the browser: the page scrolled to its end, as a person who scrolled down sees it. */
function scrollToEnd() {
  const viewport = document.querySelector('.viewport');
  if (viewport) viewport.scrollTop = viewport.scrollHeight;
}

async function shoot(tab, html, file, { full, scroll }) {
  await tab.setContent(html, { waitUntil: 'load' });
  await tab.evaluate(async () => {
    document.body.getBoundingClientRect();
    await document.fonts.ready;
  });
  await tab.evaluate(fixLayout);
  if (scroll === 'end' && !full) await tab.evaluate(scrollToEnd);
  const png = await tab.screenshot({ type: 'png', fullPage: full, captureBeyondViewport: full });
  fs.writeFileSync(file, png);
  return png.length;
}

// ---------------------------------------------------------------------------------------

async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error(error.message);
    return 2;
  }
  const { STATES, PEOPLE, uncovered } = require('./scenarios');
  let states;
  try {
    states = selectStates(STATES, options.only);
  } catch (error) {
    console.error(error.message);
    return 2;
  }
  if (options.list) {
    for (const s of STATES) console.log(`${s.page}-${s.state}`.padEnd(28), s.path);
    return 0;
  }

  const found = preflight.problems();
  if (found.length) {
    console.error(preflight.report(found));
    return 1;
  }
  const env = require('./mini-env');
  const snapshot = require('./snapshot');
  const frame = require('./frame');
  const { startLocalCloud, cloudApi } = require('./local-cloud');

  if (!snapshot.iconFontUrl()) {
    console.warn('warning: @vant/icons@3.0.2 is not installed, so Vant icons are drawn blank (it holds the icon font @vant/weapp loads from a CDN).');
  }
  const missing = uncovered(frame.appConfig());
  if (missing.length) console.warn(`warning: pages of app.json without pictures (add them to scripts/screenshots/scenarios.js): ${missing.join(', ')}`);

  fs.mkdirSync(options.out, { recursive: true });
  const started = performance.now();
  const cloud = await startLocalCloud({ clock: options.clock });
  let browser;
  const failures = [];
  try {
    env.install({ clock: options.clock, baseUrl: cloud.url });
    const shownTime = cloud.clockFixed ? null : wallClock(Date.parse(options.clock));
    const launched = await launchBrowser(preflight.findChromium());
    browser = launched.browser;
    let shot = Promise.resolve();
    let total = 0;
    for (const s of states) {
      const name = `${s.page}-${s.state}`;
      const file = path.join(options.out, `${name}.png`);
      let html;
      try {
        const api = cloudApi(cloud.url);
        if (s.setup) await s.setup(api, PEOPLE);
        const query = await stateQuery(s, api);
        env.prepare({ identity: PEOPLE[s.who], failing: s.failing, chosenFile: s.chooseFile ? s.chooseFile() : null });
        env.launchApp(s.path, query);
        await env.settle();
        const rendered = env.renderPage(s.path, query);
        try {
          const page = driver(env, rendered);
          await env.settle();
          if (s.waitText) await page.waitForText(s.waitText);
          if (s.steps) await s.steps(page);
          await env.settle();
          // The pictures show a release build: its calls go through wx.cloud, never straight to a server.
          if (env.session.directCalls.length) throw new Error(`the page called the local cloud directly (${env.session.directCalls.join(', ')}), not through wx.cloud as a release build does`);
          const urls = snapshot.cloudImageUrls(rendered.host);
          const images = new Map(await Promise.all(urls.map(async (url) => [url, await api.fileDataUrl(url)])));
          const markup = snapshot.pageMarkup(rendered.host, { pagePath: s.path, shownTime, images });
          const css = `${snapshot.webviewCss()}\n${snapshot.pageCss(document, env.appCss())}`;
          html = frame.frameHtml({ pagePath: s.path, markup, css, title: env.session.navigationTitle, full: options.full });
          if (options.html) fs.writeFileSync(file.replace(/\.png$/, '.html'), html);
        } finally {
          env.unmount(rendered);
          for (const style of document.head.querySelectorAll('style')) style.remove();
        }
      } catch (error) {
        failures.push(name);
        console.error(`✗ ${name}: ${error.message}`);
        continue;
      }
      // Chromium draws this picture while jsdom renders the next page.
      shot = shot.then(() =>
        shoot(launched.tab, html, file, { full: options.full, scroll: s.scroll }).then(
          (bytes) => {
            total += bytes;
            console.log(`✓ ${path.relative(process.cwd(), file)} (${Math.round(bytes / 1024)} KB)`);
          },
          (error) => {
            failures.push(name);
            console.error(`✗ ${name}: ${error.message}`);
          },
        ),
      );
    }
    await shot;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${states.length - failures.length} pictures, ${(total / 1024 / 1024).toFixed(2)} MB, in ${seconds} s${cloud.clockFixed ? '' : ' (times shown as the frozen clock: the local cloud has no --clock)'}`);
  } finally {
    if (browser) await browser.close();
    await cloud.stop();
  }
  if (failures.length) {
    console.error(`failed: ${failures.join(', ')}`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error && error.stack ? error.stack : error);
    process.exit(1);
  },
);
