/**
 * Each cloudfunctions/<name> folder is uploaded as it is: its built index.js may need nothing
 * but Node's own modules and wx-server-sdk (which the cloud installs from package.json).
 */
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFunctionConfig } from '../../local-cloud/src/functions/registry';
import { ROOT } from '../helpers/local-cloud';

const functionsRoot = join(ROOT, 'cloudfunctions');
const names = readdirSync(functionsRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

test('there are functions, login among them', () => {
  expect(names).toContain('login');
});

describe.each(names)('cloudfunctions/%s', (name) => {
  const dir = join(functionsRoot, name);

  test('has its source, its built bundle, a package.json and a valid config.json', () => {
    for (const file of ['index.ts', 'index.js', 'package.json', 'config.json']) expect(existsSync(join(dir, file))).toBe(true);
    expect(() => readFunctionConfig(dir)).not.toThrow();
  });

  test('package.json asks the cloud to install only wx-server-sdk', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main).toBe('index.js');
    expect(Object.keys(pkg.dependencies)).toEqual(['wx-server-sdk']);
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['wx-server-sdk']).toBe(root.dependencies['wx-server-sdk']);
  });

  test('the bundle requires nothing but Node built-ins and wx-server-sdk', () => {
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(required).toContain('wx-server-sdk');
    expect(required.filter((id) => id !== 'wx-server-sdk' && !builtins.has(id))).toEqual([]);
    expect(code).toMatch(/exports|module\.exports/);
  });

  test('the bundle uses no global that Node.js 16.13 (a cloud function runtime) lacks', () => {
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    // Global fetch arrived in Node 18, AbortSignal.timeout in 16.14, structuredClone in 17.
    expect(code).not.toMatch(/(?<![.\w])fetch\(|globalThis\.fetch|AbortSignal\.timeout|structuredClone\(/);
  });
});
