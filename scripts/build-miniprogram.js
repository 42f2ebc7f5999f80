'use strict';
/**
 * Builds the mini-program in place so WeChat DevTools can open it without its TypeScript
 * plugin:
 *   1. every miniprogram/**\/*.ts becomes a .js beside it (esbuild, CommonJS, ES2018);
 *      the contract's few run-time modules (typings/limits.ts, error-texts.ts, notice-body.ts, notice-files.ts) are
 *      compiled into miniprogram/common/generated/ and the pages' requires of them are pointed
 *      there, so one declaration reaches the pages without a hand-kept copy;
 *   2. run-time requires are checked: nothing may leave miniprogram/ (the uploaded package),
 *      and bare package names must be runtime dependencies in miniprogram/package.json;
 *   3. miniprogram/miniprogram_npm is packed offline with miniprogram-ci's packNpmManually,
 *      then pruned to the files the pages actually reach (the main package is capped at 2 MB,
 *      and all of @vant/weapp is about that size on its own). Skipped when up to date.
 *
 * packNpmManually looks for node_modules beside the package.json it is given. The packages
 * are installed at the repo root, so miniprogram/node_modules/<dep> is made a link to the
 * root's copy; that also makes DevTools' own 构建npm (packNpmRelationList) work.
 * DevTools never compiles or uploads node_modules.
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const NPM_DIR = 'miniprogram_npm';
const SKIPPED_DIRS = new Set([NPM_DIR, 'node_modules']);
const COMPONENT_FILE_EXTS = ['.js', '.json', '.wxml', '.wxss'];

/**
 * Contract modules whose values the pages use at run time, each compiled into the package.
 * They must stay pure data: a shared module that requires anything fails the build.
 */
const SHARED_MODULES = [
  { source: 'typings/limits.ts', target: 'common/generated/limits.js' },
  { source: 'typings/error-texts.ts', target: 'common/generated/error-texts.js' },
  { source: 'typings/notice-body.ts', target: 'common/generated/notice-body.js' },
  { source: 'typings/notice-files.ts', target: 'common/generated/notice-files.js' },
  { source: 'typings/room-rules.ts', target: 'common/generated/room-rules.js' },
  { source: 'typings/proposal-rules.ts', target: 'common/generated/proposal-rules.js' },
];

class BuildError extends Error {}

function toPosix(p) {
  return p.split(path.sep).join('/');
}

function walk(dir, visit) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(full, visit);
    } else if (entry.isFile()) {
      visit(full);
    }
  }
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BuildError(`cannot read ${file}: ${error.message}`);
  }
}

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

function requiresOf(code) {
  const found = [];
  const pattern = /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g;
  let match;
  while ((match = pattern.exec(code))) found.push(match[2]);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// ---------------------------------------------------------------------------------------
// 1. TypeScript -> JavaScript

/** One TypeScript file as the mini-program runs it: CommonJS, ES2018. `shown` names it in errors. */
function compileFile(file, sourcefile, shown) {
  const { transformSync } = require('esbuild');
  try {
    return transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: 'es2018', sourcefile }).code;
  } catch (error) {
    throw new BuildError(`cannot compile ${shown}:\n${error.message}`);
  }
}

function writeIfChanged(target, code) {
  let previous = null;
  try {
    previous = fs.readFileSync(target, 'utf8');
  } catch {
    previous = null;
  }
  if (previous === code) return false;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  return true;
}

/**
 * Compiles the shared contract modules into the package. Returns where each went, keyed by
 * the source path without its extension (how a require names it).
 */
function generateShared(root, mpRoot) {
  const shared = new Map();
  let written = 0;
  for (const { source, target } of SHARED_MODULES) {
    const sourcePath = path.join(root, source);
    if (!isFile(sourcePath)) continue;
    const code = compileFile(sourcePath, source, source);
    const imports = requiresOf(code);
    if (imports.length) {
      throw new BuildError(`${source} is copied into the mini-program and must not require anything at run time (it requires ${imports.join(', ')})`);
    }
    const targetPath = path.join(mpRoot, target);
    if (writeIfChanged(targetPath, `// Generated from ${source} by scripts/build-miniprogram.js: edit that file.\n${code}`)) written += 1;
    shared.set(sourcePath.slice(0, -3), targetPath);
  }
  return { shared, written };
}

/** A compiled module's requires of shared contract modules, pointed at their generated copies. */
function pointAtShared(code, source, shared) {
  if (!shared.size) return code;
  return code.replace(/\brequire\(\s*(["'])(\.[^"'\n]*)\1\s*\)/g, (whole, quote, specifier) => {
    const resolved = path.resolve(path.dirname(source), specifier).replace(/\.ts$/, '');
    const target = shared.get(resolved);
    if (!target) return whole;
    let relative = toPosix(path.relative(path.dirname(source), target)).replace(/\.js$/, '');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `require(${quote}${relative}${quote})`;
  });
}

function compileTypeScript(mpRoot, shared) {
  const sources = [];
  const strayJs = [];
  walk(mpRoot, (file) => {
    if (file.endsWith('.d.ts')) return;
    if (file.endsWith('.ts')) sources.push(file);
    else if (file.endsWith('.js')) strayJs.push(file);
  });

  const outputs = [];
  let written = 0;
  for (const source of sources) {
    const target = source.slice(0, -3) + '.js';
    const compiled = compileFile(source, toPosix(path.relative(mpRoot, source)), toPosix(path.relative(path.dirname(mpRoot), source)));
    const code = pointAtShared(compiled, source, shared);
    // Only touch files that changed, so DevTools' file watcher recompiles what changed.
    if (writeIfChanged(target, code)) written += 1;
    outputs.push({ source, target, code });
  }

  // Every .js under miniprogram/ is build output (git ignores them all); one without its
  // .ts is left over from a renamed or deleted source and would still be uploaded.
  const sourceSet = new Set(sources.map((s) => s.slice(0, -3)));
  const generated = new Set(shared.values());
  let removed = 0;
  for (const js of strayJs) {
    if (!sourceSet.has(js.slice(0, -3)) && !generated.has(js)) {
      fs.unlinkSync(js);
      removed += 1;
    }
  }
  return { outputs, written, removed };
}

// ---------------------------------------------------------------------------------------
// 2. Run-time requires must stay inside the package

function resolveLocal(base) {
  const candidates = [base, `${base}.js`, `${base}.ts`, `${base}.json`, path.join(base, 'index.js'), path.join(base, 'index.ts')];
  return candidates.find((c) => isFile(c) && !c.endsWith('.d.ts')) || null;
}

function checkRequires(root, mpRoot, outputs, runtimeDeps) {
  const problems = [];
  const bareRequires = new Set();
  for (const { source, code } of outputs) {
    const from = toPosix(path.relative(root, source));
    for (const specifier of requiresOf(code)) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const resolved = specifier.startsWith('/')
          ? path.join(mpRoot, specifier)
          : path.resolve(path.dirname(source), specifier);
        const inside = path.relative(mpRoot, resolved);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          problems.push(
            `${from} requires "${specifier}" at run time, which is outside miniprogram/ and not in the uploaded package` +
              ` (contract types from typings/ must be imported with "import type"; of its values only ${SHARED_MODULES.map((m) => m.source).join(' and ')} are copied into the package)`,
          );
        } else if (!resolveLocal(resolved)) {
          problems.push(`${from} requires "${specifier}", which does not exist`);
        }
      } else if (runtimeDeps.has(packageNameOf(specifier))) {
        bareRequires.add(specifier);
      } else {
        problems.push(
          `${from} requires the package "${specifier}", which is not a dependency in miniprogram/package.json` +
            ' (only those are packed into miniprogram_npm)',
        );
      }
    }
  }
  if (problems.length) {
    throw new BuildError(`run-time imports that would break the uploaded mini-program:\n  - ${problems.join('\n  - ')}`);
  }
  return [...bareRequires].sort();
}

// ---------------------------------------------------------------------------------------
// 3. miniprogram_npm

function linkDependencies(root, mpRoot, deps) {
  const rootModules = path.join(root, 'node_modules');
  const versions = {};
  for (const dep of deps) {
    const installed = path.join(rootModules, dep);
    const link = path.join(mpRoot, 'node_modules', dep);
    if (!isFile(path.join(link, 'package.json'))) {
      if (!isFile(path.join(installed, 'package.json'))) {
        throw new BuildError(`${dep} (a dependency in miniprogram/package.json) is not installed: run npm install at the repo root`);
      }
      fs.rmSync(link, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(link), installed), link, process.platform === 'win32' ? 'junction' : 'dir');
    }
    versions[dep] = `${readJson(path.join(link, 'package.json')).version}@${fs.realpathSync(link)}`;
  }
  return versions;
}

/** Every `usingComponents` entry of the app's own JSON files that names a package. */
function packageComponentsUsed(mpRoot, deps) {
  const used = new Map();
  walk(mpRoot, (file) => {
    if (!file.endsWith('.json') || path.basename(file) === 'package.json') return;
    const json = readJson(file);
    for (const value of Object.values(json.usingComponents || {})) {
      if (typeof value === 'string' && !value.startsWith('.') && !value.startsWith('/') && deps.includes(packageNameOf(value))) {
        if (!used.has(value)) used.set(value, toPosix(path.relative(mpRoot, file)));
      }
    }
  });
  return used;
}

/**
 * The files of miniprogram_npm reachable from the components and modules the app uses,
 * following what the mini-program runtime follows: JS requires, usingComponents, WXML
 * wxs/import/include, WXS requires and WXSS imports.
 */
function reachableNpmFiles(npmRoot, components, modules) {
  const keep = new Set();
  const queue = [];
  const add = (file) => {
    if (file && isFile(file) && !keep.has(file)) {
      keep.add(file);
      queue.push(file);
    }
  };
  const addComponent = (base) => COMPONENT_FILE_EXTS.forEach((ext) => add(base + ext));
  const addModule = (base) => add([base, `${base}.js`, path.join(base, 'index.js')].find(isFile));
  const fromSpecifier = (file, specifier) => {
    if (specifier.startsWith('.')) return path.resolve(path.dirname(file), specifier);
    if (specifier.startsWith('/')) return path.join(path.dirname(npmRoot), specifier);
    return path.join(npmRoot, specifier);
  };

  components.forEach((c) => addComponent(path.join(npmRoot, c)));
  modules.forEach((m) => addModule(path.join(npmRoot, m)));

  while (queue.length) {
    const file = queue.shift();
    const text = fs.readFileSync(file, 'utf8');
    const ext = path.extname(file);
    if (ext === '.js') {
      requiresOf(text).forEach((s) => addModule(fromSpecifier(file, s)));
      // Vant builds relation paths at run time from a name: useParent('tabs') -> '../tabs/index'.
      for (const m of text.matchAll(/\buse(?:Parent|Children)\)?\(\s*['"]([\w-]+)['"]/g)) {
        addComponent(path.resolve(path.dirname(file), '..', m[1], 'index'));
      }
    } else if (ext === '.json') {
      const json = JSON.parse(text);
      for (const value of Object.values(json.usingComponents || {})) addComponent(fromSpecifier(file, value));
    } else if (ext === '.wxml') {
      for (const m of text.matchAll(/<(?:wxs|import|include)\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/g)) {
        const target = fromSpecifier(file, m[1]);
        add(isFile(target) ? target : `${target}.wxml`);
      }
    } else if (ext === '.wxs') {
      requiresOf(text).forEach((s) => add(fromSpecifier(file, s)));
    } else if (ext === '.wxss') {
      for (const m of text.matchAll(/@import\s+["']([^"']+)["']/g)) {
        const target = fromSpecifier(file, m[1]);
        add(isFile(target) ? target : `${target}.wxss`);
      }
    }
  }
  return keep;
}

function listNpmFiles(npmRoot) {
  const files = [];
  const visit = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else files.push(toPosix(path.relative(npmRoot, full)));
    }
  };
  visit(npmRoot);
  return files.sort();
}

function sameFiles(actual, recorded) {
  return actual.length === recorded.length && actual.every((f, i) => f === recorded[i]);
}

function prune(dir, keep) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(full, keep);
      if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    } else if (!keep.has(full)) {
      fs.unlinkSync(full);
    }
  }
}

async function buildNpm({ root, mpRoot, deps, bareRequires, log }) {
  const npmRoot = path.join(mpRoot, NPM_DIR);
  const stampFile = path.join(root, 'node_modules', '.cache', 'xintong', 'miniprogram-npm.json');
  const versions = linkDependencies(root, mpRoot, deps);
  const used = packageComponentsUsed(mpRoot, deps);
  const components = [...used.keys()].sort();

  const fingerprint = sha256(
    JSON.stringify({
      script: fs.readFileSync(__filename, 'utf8'),
      packageJson: fs.readFileSync(path.join(mpRoot, 'package.json'), 'utf8'),
      versions,
      components,
      bareRequires,
    }),
  );
  let stamp = null;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    stamp = null;
  }
  // Up to date only when the folder holds exactly the recorded files: DevTools' own 构建npm
  // may have rewritten it with the whole library, which must be pruned again.
  if (stamp && stamp.fingerprint === fingerprint && sameFiles(listNpmFiles(npmRoot), stamp.files)) {
    return { skipped: true, files: stamp.files.length };
  }

  fs.rmSync(npmRoot, { recursive: true, force: true });
  if (deps.length === 0) return { skipped: false, files: 0 };

  // Loading miniprogram-ci takes about two seconds, so only when something changed.
  const ci = require('miniprogram-ci');
  const result = await ci.packNpmManually({
    packageJsonPath: path.join(mpRoot, 'package.json'),
    miniprogramNpmDistDir: mpRoot,
  });
  for (const warning of result.warnList || []) log(`miniprogram_npm: ${warning.msg || JSON.stringify(warning)}`);

  const missing = components.filter((c) => !isFile(path.join(npmRoot, `${c}.json`)));
  if (missing.length) {
    throw new BuildError(
      `components named in usingComponents do not exist in miniprogram_npm:\n  - ${missing
        .map((c) => `${c} (used by ${used.get(c)})`)
        .join('\n  - ')}`,
    );
  }
  const keep = reachableNpmFiles(npmRoot, components, bareRequires);
  prune(npmRoot, keep);

  const files = [...keep].map((f) => toPosix(path.relative(npmRoot, f))).sort();
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, JSON.stringify({ fingerprint, files }, null, 2));
  return { skipped: false, files: files.length };
}

// ---------------------------------------------------------------------------------------

async function buildMiniprogram({ root = path.resolve(__dirname, '..'), log = console.log } = {}) {
  const started = Date.now();
  const mpRoot = path.join(root, 'miniprogram');
  const packageJson = readJson(path.join(mpRoot, 'package.json'));
  const deps = Object.keys(packageJson.dependencies || {}).sort();

  const generated = generateShared(root, mpRoot);
  const compiled = compileTypeScript(mpRoot, generated.shared);
  const bareRequires = checkRequires(root, mpRoot, compiled.outputs, new Set(deps));
  const npm = await buildNpm({ root, mpRoot, deps, bareRequires, log });

  const summary = {
    compiled: compiled.outputs.length,
    written: compiled.written + generated.written,
    removed: compiled.removed,
    npm: npm.skipped ? 'up to date' : 'rebuilt',
    npmFiles: npm.files,
    ms: Date.now() - started,
  };
  log(
    `miniprogram: ${summary.compiled} TypeScript files (${summary.written} written, ${summary.removed} stale removed), ` +
      `miniprogram_npm ${summary.npm} (${summary.npmFiles} files), ${summary.ms} ms`,
  );
  return summary;
}

module.exports = { buildMiniprogram, BuildError };

if (require.main === module) {
  buildMiniprogram().catch((error) => {
    console.error(`build-miniprogram failed: ${error instanceof BuildError ? error.message : error.stack || error}`);
    process.exitCode = 1;
  });
}
