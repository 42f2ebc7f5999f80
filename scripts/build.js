#!/usr/bin/env node
'use strict';
/**
 * `npm run build`: typechecks the backend and the mini-program separately, bundles every cloud
 * function into a self-contained cloudfunctions/<name>/index.js, builds the local cloud, and
 * builds the mini-program (its TypeScript and miniprogram_npm).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
/** The oldest Node.js runtime offered for WeChat cloud functions that we support. */
const CLOUD_NODE_TARGET = 'node16';

function typecheck(project) {
  return new Promise((resolve, reject) => {
    const tsc = require.resolve('typescript/bin/tsc');
    const child = spawn(process.execPath, [tsc, '-p', project, '--pretty'], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`typecheck failed: ${project}`))));
  });
}

function functionFolders() {
  const dir = path.join(root, 'cloudfunctions');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'index.ts')))
    .map((entry) => path.join(dir, entry.name));
}

function checkDeployable(folder) {
  const name = path.basename(folder);
  const pkgFile = path.join(folder, 'package.json');
  if (!fs.existsSync(pkgFile)) throw new Error(`cloudfunctions/${name}/package.json is missing`);
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  if (!pkg.dependencies || !pkg.dependencies['wx-server-sdk']) {
    throw new Error(`cloudfunctions/${name}/package.json must depend on wx-server-sdk (installed by the cloud)`);
  }
  if (!fs.existsSync(path.join(folder, 'config.json'))) throw new Error(`cloudfunctions/${name}/config.json is missing`);
}

async function bundleFunctions() {
  const folders = functionFolders();
  await Promise.all(
    folders.map((folder) => {
      checkDeployable(folder);
      return esbuild.build({
        entryPoints: [path.join(folder, 'index.ts')],
        outfile: path.join(folder, 'index.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: CLOUD_NODE_TARGET,
        // Installed by the cloud from the function's package.json; everything else is inlined.
        external: ['wx-server-sdk'],
        logLevel: 'warning',
        legalComments: 'none',
        // Every deployed byte is uploaded and every cold start reads the whole bundle: minified
        // it is two thirds of the size. Names are kept (error classes and stacks read them), and
        // index.js.map beside it (not committed) maps stack traces back to the sources.
        minify: true,
        keepNames: true,
        sourcemap: 'linked',
      });
    }),
  );
  return folders.map((folder) => path.basename(folder));
}

async function bundleLocalCloud() {
  await esbuild.build({
    entryPoints: {
      main: path.join(root, 'local-cloud/src/main.ts'),
      worker: path.join(root, 'local-cloud/src/functions/worker.ts'),
      bench: path.join(root, 'bench/run.ts'),
    },
    outdir: path.join(root, 'local-cloud/dist'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

/** The whole build; `typecheck: false` is what Jest's global setup uses to stay fresh. */
async function build({ typecheck: check = true, log = console.log } = {}) {
  const started = Date.now();
  const steps = [bundleFunctions(), bundleLocalCloud()];
  if (check) steps.push(typecheck('tsconfig.server.json'), typecheck('tsconfig.miniprogram.json'));
  steps.push(require('./build-miniprogram.js').buildMiniprogram({ root, log }));
  const [functions] = await Promise.all(steps);
  log(`build: ${functions.length} function(s) [${functions.join(', ')}], local cloud, mini-program in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

module.exports = { build };

if (require.main === module) {
  build({ typecheck: !process.argv.includes('--no-typecheck') }).catch((error) => {
    console.error(error.message || error);
    process.exit(1);
  });
}
