'use strict';
/**
 * The phone around a page: status bar, WeChat's navigation bar (title, capsule, back arrow on
 * pages that are not tabs) and the tab bar declared in app.json with the current tab selected.
 * The page box contains its fixed-position children (popups, overlays) as a webview does.
 */
const fs = require('node:fs');
const path = require('node:path');
const { SCREEN, miniprogramRoot } = require('./mini-env');
const { dataUrl } = require('./snapshot');

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** app.json, read fresh: another change may have given the tab bar icons or the window new colours. */
function appConfig() {
  return readJson(path.join(miniprogramRoot, 'app.json'));
}

/** The window settings of one page: app.json's `window` under the page's own JSON. */
function windowOf(app, pagePath) {
  const own = readJson(path.join(miniprogramRoot, `${pagePath}.json`));
  const merged = { ...(app.window || {}) };
  for (const [key, value] of Object.entries(own)) if (key !== 'usingComponents' && key !== 'component') merged[key] = value;
  return merged;
}

function tabIndexOf(app, pagePath) {
  const list = (app.tabBar && app.tabBar.list) || [];
  return list.findIndex((item) => item.pagePath === pagePath);
}

const STATUS_ICONS = (color) => `
<svg width="18" height="12" viewBox="0 0 18 12" fill="${color}"><rect x="0" y="8" width="3" height="4" rx="1"/><rect x="5" y="5.5" width="3" height="6.5" rx="1"/><rect x="10" y="3" width="3" height="9" rx="1"/><rect x="15" y="0" width="3" height="12" rx="1"/></svg>
<svg width="16" height="12" viewBox="0 0 16 12" fill="${color}"><path d="M8 2.6c2.3 0 4.4.9 6 2.4l1.1-1.1A10 10 0 0 0 8 1 10 10 0 0 0 .9 3.9L2 5a8.6 8.6 0 0 1 6-2.4zm0 3.2c1.4 0 2.7.5 3.7 1.4l1.1-1.1A7 7 0 0 0 8 4.2 7 7 0 0 0 3.2 6.1l1.1 1.1c1-.9 2.3-1.4 3.7-1.4zm0 3.2c.6 0 1.1.2 1.5.6L8 11.1 6.5 9.6c.4-.4.9-.6 1.5-.6z"/></svg>
<svg width="27" height="13" viewBox="0 0 27 13"><rect x="0.5" y="0.5" width="22" height="12" rx="3.5" fill="none" stroke="${color}" stroke-opacity="0.4"/><rect x="2" y="2" width="19" height="9" rx="2" fill="${color}"/><path d="M24 4.5v4a2 2 0 0 0 0-4z" fill="${color}" fill-opacity="0.4"/></svg>`;

const CAPSULE = (dark) => {
  const ink = dark ? '#000' : '#fff';
  return `<div class="capsule" style="border-color:${dark ? 'rgba(0,0,0,.12)' : 'rgba(255,255,255,.25)'};background:${dark ? 'rgba(255,255,255,.6)' : 'rgba(0,0,0,.15)'}">
<svg width="22" height="6" viewBox="0 0 22 6" fill="${ink}"><circle cx="3" cy="3" r="2.6"/><circle cx="11" cy="3" r="3"/><circle cx="19" cy="3" r="2.6"/></svg>
<span class="capsule__sep" style="background:${dark ? 'rgba(0,0,0,.15)' : 'rgba(255,255,255,.3)'}"></span>
<svg width="20" height="20" viewBox="0 0 20 20" fill="none" stroke="${ink}"><circle cx="10" cy="10" r="8" stroke-width="1.8"/><circle cx="10" cy="10" r="3" fill="${ink}" stroke="none"/></svg>
</div>`;
};

const BACK = (ink) => `<svg class="nav__back" width="12" height="22" viewBox="0 0 12 22" fill="none" stroke="${ink}" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"><path d="M10.5 1.5 1.5 11l9 9.5"/></svg>`;

function tabBarHtml(app, current) {
  const bar = app.tabBar;
  const list = bar.list || [];
  const withIcons = list.some((item) => item.iconPath);
  const items = list
    .map((item, index) => {
      const selected = index === current;
      const color = selected ? bar.selectedColor || '#1aad19' : bar.color || '#7a7e83';
      const iconFile = selected ? item.selectedIconPath || item.iconPath : item.iconPath;
      const icon = withIcons && iconFile && fs.existsSync(path.join(miniprogramRoot, iconFile)) ? `<img class="tab__icon" src="${dataUrl(path.join(miniprogramRoot, iconFile))}" alt="">` : withIcons ? '<span class="tab__icon"></span>' : '';
      return `<div class="tab${withIcons ? '' : ' tab--text'}" style="color:${color}">${icon}<span class="tab__text">${escapeHtml(item.text)}</span></div>`;
    })
    .join('');
  const border = bar.borderStyle === 'white' ? 'rgba(255,255,255,.33)' : 'rgba(0,0,0,.33)';
  return `<div class="tabbar" style="background:${bar.backgroundColor || '#fff'};--tab-border:${border}"><div class="tabbar__items">${items}</div></div>`;
}

const FRAME_CSS = `
html, body { margin: 0; padding: 0; background: #fff; }
body { width: ${SCREEN.width}px; font-family: 'Noto Sans CJK SC', sans-serif; -webkit-font-smoothing: antialiased; }
.phone { position: relative; width: ${SCREEN.width}px; min-height: ${SCREEN.height}px; display: flex; flex-direction: column; overflow: hidden; }
.phone--fixed { height: ${SCREEN.height}px; }
.chrome { flex: none; position: relative; z-index: 2; }
.chrome--custom { position: absolute; left: 0; right: 0; top: 0; }
.status { height: ${SCREEN.statusBar}px; display: flex; align-items: center; justify-content: space-between; padding: 0 16px 0 30px; box-sizing: border-box; font-size: 15px; font-weight: 600; letter-spacing: -0.2px; }
.status__icons { display: flex; align-items: center; gap: 5px; }
.nav { height: ${SCREEN.navBar}px; position: relative; display: flex; align-items: center; justify-content: center; }
.nav__title { max-width: 190px; font-size: 17px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.nav__back { position: absolute; left: 12px; top: 11px; }
.capsule { position: absolute; right: 7px; top: 6px; width: 87px; height: 32px; box-sizing: border-box; border: 0.5px solid; border-radius: 16px; display: flex; align-items: center; justify-content: space-around; padding: 0 8px; }
.capsule__sep { width: 0.5px; height: 19px; }
.viewport { position: relative; flex: 1 0 auto; overflow: hidden; transform: translateZ(0); }
.phone--fixed .viewport { flex: 1 1 0; }
.viewport > wx-page { min-height: 100%; }
.tabbar { flex: none; position: relative; z-index: 2; padding-bottom: ${SCREEN.safeBottom}px; }
.tabbar::before { content: ''; position: absolute; left: 0; right: 0; top: 0; height: 1px; background: var(--tab-border); transform: scaleY(0.5); transform-origin: 0 0; }
.tabbar__items { height: ${SCREEN.tabBar}px; display: flex; }
.tab { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; }
.tab__icon { width: 24px; height: 24px; display: block; object-fit: contain; }
.tab__text { font-size: 10px; line-height: 1.4; margin-top: 2px; }
.tab--text .tab__text { font-size: 14px; margin-top: 0; }
.home { position: absolute; left: 50%; bottom: 8px; width: 134px; height: 5px; margin-left: -67px; border-radius: 3px; background: #000; z-index: 3; }
`;

/**
 * The whole document Chromium renders. `full` lets the page grow to its length; otherwise the
 * screen is 812 px tall and the page is cut where the screen ends.
 */
function frameHtml({ pagePath, markup, css, title, full, app = appConfig() }) {
  const win = windowOf(app, pagePath);
  const tab = app.tabBar ? tabIndexOf(app, pagePath) : -1;
  const dark = win.navigationBarTextStyle !== 'white';
  const ink = dark ? '#000' : '#fff';
  const navBackground = win.navigationBarBackgroundColor || '#000';
  const pageTitle = title != null ? title : win.navigationBarTitleText || '';
  const background = win.backgroundColor || '#fff';
  // A page with its own navigation bar draws under the status bar; WeChat keeps only the capsule.
  const custom = win.navigationStyle === 'custom';
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=${SCREEN.width}">
<style>${FRAME_CSS}</style>
<style>${css}</style>
</head><body>
<div class="phone${full ? '' : ' phone--fixed'}" style="background:${background}">
  ${custom ? `<div class="chrome chrome--custom" style="color:${ink}">` : `<div class="chrome" style="background:${navBackground};color:${ink}">`}
    <div class="status"><span>9:41</span><span class="status__icons">${STATUS_ICONS(ink)}</span></div>
    <div class="nav">${tab === -1 && !custom ? BACK(ink) : ''}${custom ? '' : `<span class="nav__title">${escapeHtml(pageTitle)}</span>`}${CAPSULE(dark)}</div>
  </div>
  <div class="viewport"${tab === -1 ? ` style="--wx-safe-bottom:${SCREEN.safeBottom}px"` : ''}><wx-page${app.style === 'v2' ? ' data-wx-style="v2"' : ''}>${markup}</wx-page></div>
  ${tab === -1 ? '' : tabBarHtml(app, tab)}
  <div class="home"></div>
</div>
</body></html>`;
}

module.exports = { frameHtml, appConfig, windowOf, tabIndexOf };
