'use strict';
/**
 * A rendered page as a self-contained HTML fragment and its CSS, for Chromium to lay out.
 *
 * simulate keeps what the native elements show off the DOM (an input's value, an image's
 * source, a button's type): this copies it into the markup, the way WeChat's webview draws
 * those elements. Vant's remote pictures and icon font are replaced by local ones.
 */
const fs = require('node:fs');
const path = require('node:path');
const { miniprogramRoot, repoRoot, rpxToPx } = require('./mini-env');

const ASSETS = path.join(__dirname, 'assets');

// ---------------------------------------------------------------------------------------
// Pictures the mini-program would load from the network or its package

const VANT_EMPTY = /^https?:\/\/img\.yzcdn\.cn\/vant\/empty-image-(error|search|default|network)\.png$/;

function dataUrl(file) {
  const ext = path.extname(file).slice(1).toLowerCase();
  const type = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', webp: 'image/webp' }[ext] || 'application/octet-stream';
  return `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
}

/** Files of this run's local cloud (room codes, photos) shown by the page being drawn, as data URLs. */
let cloudImages = new Map();

/** Addresses of the local cloud: the only remote pictures drawn, fetched beforehand by the run. */
const LOCAL_URL = /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/i;

/** The local cloud's files the page's images show (`<image src>`), to fetch before `pageMarkup`. */
function cloudImageUrls(host) {
  const urls = new Set();
  for (const image of host.querySelectorAll('wx-image')) {
    const { src } = attrsOf(image);
    if (typeof src === 'string' && LOCAL_URL.test(src)) urls.add(src);
  }
  return [...urls];
}

/**
 * Where an `<image src>` comes from, as a data URL: Vant's empty-state pictures are drawn
 * locally, package paths are read from the mini-program, the local cloud's files were fetched
 * by the run; anything else remote is left blank, so no picture depends on the network.
 */
function imageSource(src, pageDir) {
  if (!src) return '';
  if (src.startsWith('data:')) return src;
  if (cloudImages.has(src)) return cloudImages.get(src);
  const empty = VANT_EMPTY.exec(src);
  if (empty) return dataUrl(path.join(ASSETS, `empty-${empty[1]}.svg`));
  if (/^[a-z]+:/i.test(src)) return '';
  const file = src.startsWith('/') ? path.join(miniprogramRoot, src) : path.resolve(pageDir, src);
  return fs.existsSync(file) ? dataUrl(file) : '';
}

// ---------------------------------------------------------------------------------------
// Native element state

function attrsOf(element) {
  const node = element.__wxElement;
  const attrs = (node && node._vt && node._vt.attrs) || [];
  const map = {};
  for (const { name, value } of attrs) map[name] = value;
  return map;
}

const truthy = (value) => value === true || value === 'true' || value === '' || (typeof value === 'number' && value !== 0);

/** The class prefix simulate gave the element's own classes (`van-field--`), for its placeholder class. */
function classPrefixOf(element) {
  const match = /(?:^|\s)([A-Za-z][\w-]*?)--/.exec(element.getAttribute('class') || '');
  return match ? `${match[1]}--` : 'main--';
}

function setFlag(copy, name, on) {
  if (on) copy.setAttribute(`data-wx-${name}`, '');
}

function textBox(document, text, className, style) {
  const span = document.createElement('span');
  span.className = className;
  if (style) span.setAttribute('style', rpxToPx(style));
  span.textContent = text;
  return span;
}

function fillNative(original, copy, pageDir) {
  const tag = original.tagName.toLowerCase();
  const attrs = attrsOf(original);
  const document = copy.ownerDocument;
  if (truthy(attrs.hidden)) copy.setAttribute('hidden', '');
  switch (tag) {
    case 'wx-input':
    case 'wx-textarea': {
      const value = attrs.value === undefined || attrs.value === null ? '' : String(attrs.value);
      setFlag(copy, 'disabled', truthy(attrs.disabled));
      if (value) {
        const shown = attrs.password === true || attrs.type === 'safe-password' ? '•'.repeat(Array.from(value).length) : value;
        copy.appendChild(textBox(document, shown, 'wx-input__value'));
      } else if (attrs.placeholder) {
        const extra = attrs.placeholderClass ? ` ${attrs.placeholderClass.split(/\s+/).filter(Boolean).map((c) => `${classPrefixOf(original)}${c}`).join(' ')}` : '';
        copy.appendChild(textBox(document, String(attrs.placeholder), `wx-input__placeholder${extra}`, attrs.placeholderStyle));
      }
      if (tag === 'wx-textarea' && truthy(attrs.autoHeight)) copy.setAttribute('data-wx-auto-height', '');
      break;
    }
    case 'wx-image': {
      const source = imageSource(attrs.src, pageDir);
      const mode = attrs.mode || 'scaleToFill';
      copy.setAttribute('data-wx-mode', mode);
      if (source) {
        const img = document.createElement('img');
        img.setAttribute('src', source);
        img.setAttribute('alt', '');
        copy.appendChild(img);
      }
      break;
    }
    case 'wx-button':
      copy.setAttribute('data-wx-type', attrs.type || 'default');
      copy.setAttribute('data-wx-size', attrs.size || 'default');
      setFlag(copy, 'plain', truthy(attrs.plain));
      setFlag(copy, 'disabled', truthy(attrs.disabled));
      setFlag(copy, 'loading', truthy(attrs.loading));
      break;
    case 'wx-switch':
    case 'wx-radio':
    case 'wx-checkbox':
      setFlag(copy, 'checked', truthy(attrs.checked));
      setFlag(copy, 'disabled', truthy(attrs.disabled));
      if (attrs.color) copy.style.setProperty('--wx-color', attrs.color);
      break;
    case 'wx-progress':
      copy.style.setProperty('--wx-percent', `${Number(attrs.percent) || 0}%`);
      break;
    default:
      break;
  }
}

/** Vant components whose `show` is false draw nothing, whatever simulate left in the DOM. */
const SHOWN_BY_PROP = new Set(['van-popup', 'van-overlay', 'van-dialog', 'van-action-sheet', 'van-toast', 'van-notify', 'van-share-sheet', 'van-calendar']);

function componentData(element) {
  const node = element.__wxElement;
  if (!node) return null;
  try {
    return node.data || (node.__dataProxy && node.__dataProxy.data) || null;
  } catch {
    return null;
  }
}

function walk(original, copy, pageDir) {
  if (original.nodeType !== 1) return;
  const tag = original.tagName.toLowerCase();
  if (tag.startsWith('wx-')) fillNative(original, copy, pageDir);
  else if (SHOWN_BY_PROP.has(componentName(original))) {
    const data = componentData(original);
    if (data && data.show === false) copy.setAttribute('hidden', '');
  }
  const from = original.childNodes;
  const to = copy.childNodes;
  for (let i = 0; i < from.length; i += 1) walk(from[i], to[i], pageDir);
}

/** The Vant component behind a host element, whatever tag the page gave it (`van-dialog`, `unit-picker`...). */
function componentName(element) {
  const node = element.__wxElement;
  const is = node && (node.is || (node.__componentOptions && node.__componentOptions.is));
  if (typeof is === 'string') {
    const match = /@vant\/weapp\/([\w-]+)\/index$/.exec(is);
    if (match) return `van-${match[1]}`;
  }
  return element.tagName.toLowerCase();
}

/** Dates the local cloud stamped at this run's real time, shown as the frozen clock's time. */
function normaliseTimes(root, shownTime) {
  const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(node.nodeValue)) node.nodeValue = node.nodeValue.replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/g, shownTime);
  }
}

/**
 * The page as HTML: `host` is the `<wx-page>` the page was attached to.
 * `shownTime` (optional) replaces every `YYYY-MM-DD HH:mm` in the text; `images` maps the
 * local cloud's file URLs (see `cloudImageUrls`) to data URLs.
 */
function pageMarkup(host, { pagePath, shownTime, images = new Map() }) {
  const copy = host.cloneNode(true);
  cloudImages = images;
  walk(host, copy, path.dirname(path.join(miniprogramRoot, pagePath)));
  if (shownTime) normaliseTimes(copy, shownTime);
  for (const script of copy.querySelectorAll('script')) script.remove();
  return copy.innerHTML;
}

// ---------------------------------------------------------------------------------------
// CSS

let vantIconFont;

/** Vant's icon font as a data URL, from `@vant/icons@3.0.2` (the build @vant/weapp 1.11.7 expects), or null. */
function iconFontUrl() {
  if (vantIconFont !== undefined) return vantIconFont;
  vantIconFont = null;
  try {
    const dir = path.dirname(require.resolve('@vant/icons/package.json', { paths: [repoRoot] }));
    const less = fs.readFileSync(path.join(dir, 'src', 'encode-woff2.less'), 'utf8');
    const match = /url\('(data:font\/woff2;[^']+)'\)/.exec(less);
    if (match) vantIconFont = match[1];
  } catch {
    // Reported by the caller.
  }
  return vantIconFont;
}

/**
 * The page's CSS: app.wxss, then what simulate inserted for the page (Vant and the page's
 * own WXSS, converted); remote fonts dropped, the safe area read from the frame.
 */
function pageCss(document, appCss) {
  const inserted = Array.from(document.head.querySelectorAll('style')).map((style) => style.textContent);
  const css = [appCss, ...inserted]
    .join('\n')
    // The phone's safe area (the home indicator under a page without tab bar), which the frame sets.
    .replace(/(?:env|constant)\(\s*safe-area-inset-(top|bottom|left|right)\s*\)/g, (all, side) => `var(--wx-safe-${side}, 0px)`);
  return css.replace(/@font-face\s*{[^}]*}/g, (rule) => (/url\(\s*['"]?(https?:)?\/\//.test(rule) ? '' : rule));
}

function webviewCss() {
  const font = iconFontUrl();
  const iconFace = font ? `@font-face{font-family:vant-icon;font-style:normal;font-weight:400;src:url(${font}) format("woff2")}` : '';
  return `${iconFace}\n${fs.readFileSync(path.join(ASSETS, 'webview.css'), 'utf8')}`;
}

module.exports = { pageMarkup, cloudImageUrls, pageCss, webviewCss, iconFontUrl, imageSource, dataUrl };
