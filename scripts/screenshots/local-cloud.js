'use strict';
/**
 * A fresh local cloud for the pictures: its own temporary data folder, demo data, a port the
 * system picks, no timers; stopped (and its folder removed) at the end.
 */
const fs = require('node:fs');
const os = require('node:os');
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

module.exports = { startLocalCloud, supportsClock };
