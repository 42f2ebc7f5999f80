'use strict';
/**
 * What the pictures need from the machine, checked before anything starts: Chromium (driven by
 * puppeteer-core, which downloads no browser) and the Noto CJK fonts for the Chinese text.
 */
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const INSTALL = 'sudo apt-get install chromium fonts-noto-cjk';
const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The browser to drive: `CHROMIUM_PATH` if set, else the first usual path that exists. */
function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return fs.existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CHROMIUM_CANDIDATES.find((candidate) => fs.existsSync(candidate)) || null;
}

/** Whether fontconfig knows Noto Sans CJK SC, the font every picture's text is set in. */
function hasCjkFont() {
  try {
    const families = execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /Noto Sans CJK SC/.test(families);
  } catch {
    return false;
  }
}

/** The problems that stop the pictures, each with what to do about it; empty when all is there. */
function problems(env = process.env) {
  const found = [];
  if (!findChromium(env)) {
    found.push(
      env.CHROMIUM_PATH
        ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist.`
        : `Chromium is not installed (looked for ${CHROMIUM_CANDIDATES.join(', ')}).`,
    );
  }
  if (!hasCjkFont()) found.push('The Noto CJK fonts are not installed (fc-list knows no "Noto Sans CJK SC"), so Chinese text would not render.');
  return found;
}

function report(found) {
  return [
    'npm run screenshots cannot run on this machine:',
    ...found.map((line) => `  - ${line}`),
    `Install what is missing with:\n  ${INSTALL}`,
    '(Debian/Ubuntu package names; about 500 MB. Or point CHROMIUM_PATH at an installed Chromium or Chrome.)',
  ].join('\n');
}

module.exports = { findChromium, hasCjkFont, problems, report, INSTALL };
