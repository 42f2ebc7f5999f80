'use strict';
/**
 * A fresh local cloud for the pictures: its own temporary data folder, demo data, a port the
 * system picks, no timers; stopped (and its folder removed) at the end.
 */
const fs = require('node:fs');
const os = require('node:os');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { repoRoot } = require('./mini-env');

const START = path.join(repoRoot, 'local-cloud', 'bin', 'start.js');
const MAIN_SOURCE = path.join(repoRoot, 'local-cloud', 'src', 'main.ts');
const READY_TIMEOUT_MS = 60000;

/** Whether this local cloud accepts `--clock <ISO>` (a fixed business clock for its functions). */
function supportsClock() {
  try {
    return /--clock\b/.test(fs.readFileSync(MAIN_SOURCE, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Starts the local cloud and resolves with `{ url, clockFixed, stop() }` once it listens.
 * `clock` is passed as `--clock` when the local cloud has that option.
 */
function startLocalCloud({ clock }) {
  if (!fs.existsSync(path.join(repoRoot, 'local-cloud', 'dist', 'main.js'))) {
    throw new Error('the local cloud is not built: run `node scripts/build.js --no-typecheck` (npm run screenshots does)');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xintong-screenshots-cloud-'));
  const clockFixed = Boolean(clock) && supportsClock();
  const args = [START, '--port', '0', '--data-dir', dataDir, '--reset', '--no-timers', ...(clockFixed ? ['--clock', clock] : [])];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code) => {
    exited = true;
    resolve(code);
  }));

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exit;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop().finally(() => reject(new Error(`the local cloud did not start within ${READY_TIMEOUT_MS / 1000} s:\n${output}`)));
    }, READY_TIMEOUT_MS);
    let ready = false;
    // Its log is read to the end (so the pipe never fills and blocks it); the tail is kept for errors.
    const keep = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-100000);
    };
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      const listening = !ready && /listening on (http:\/\/[^\s]+)/.exec(output);
      if (listening) {
        ready = true;
        clearTimeout(timer);
        resolve({ url: listening[1], clockFixed, stop, log: () => output });
      }
    });
    child.stderr.on('data', keep);
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the local cloud exited (code ${code}) before listening:\n${output}`));
    });
  });
}

/** One JSON request to the local cloud at `url`, with `headers`; resolves with status and parsed body. */
function requestJson(url, urlPath, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: response.statusCode, body: JSON.parse(text) });
        } catch {
          resolve({ status: response.statusCode, body: text });
        }
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * What a scenario may ask of the local cloud before its page renders: documents of a collection
 * (to find the random ids of demo rooms), a function call as a demo person (to leave data a
 * page shows), and moving the clock (to make bookings that lie in the past by the time shown).
 */
function cloudApi(url) {
  return {
    async db(name) {
      const { status, body } = await requestJson(url, `/_local/db/${encodeURIComponent(name)}`);
      if (status === 404) return [];
      if (status !== 200) throw new Error(`/_local/db/${name}: HTTP ${status}`);
      return body.documents;
    },
    async call(identity, name, action, request = {}) {
      const headers = { 'X-WX-OPENID': identity.openid, 'X-WX-APPID': identity.appid, 'X-WX-UNIONID': identity.unionid };
      const { status, body } = await requestJson(url, `/functions/${name}`, { method: 'POST', headers, body: { action, ...request } });
      if (status !== 200 || !body || !body.ok) throw new Error(`${name}.${action}: ${status === 200 ? `${body.error.code} ${body.error.message}` : `HTTP ${status}`}`);
      return body.data;
    },
    /** A file the local cloud serves (`url` as a page got it, any port), as a data URL. */
    fileDataUrl(fileUrl) {
      const parsed = new URL(fileUrl);
      return new Promise((resolve, reject) => {
        http.get(`${url}${parsed.pathname}${parsed.search}`, (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) return reject(new Error(`${parsed.pathname}: HTTP ${response.statusCode}`));
            const type = String(response.headers['content-type'] || 'application/octet-stream').split(';')[0];
            return resolve(`data:${type};base64,${Buffer.concat(chunks).toString('base64')}`);
          });
          response.on('error', reject);
        }).on('error', reject);
      });
    },
    async setClock(at) {
      const { status } = await requestJson(url, '/_local/clock', { method: 'POST', body: { at } });
      if (status !== 200) throw new Error(`/_local/clock: HTTP ${status}`);
    },
  };
}

module.exports = { startLocalCloud, supportsClock, cloudApi };
