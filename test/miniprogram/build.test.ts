import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface BuildSummary {
  compiled: number;
  written: number;
  removed: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildMiniprogram } = require('../../scripts/build-miniprogram') as {
  buildMiniprogram(options: { root: string; log?: (line: string) => void }): Promise<BuildSummary>;
};

let root: string;

function write(file: string, text: string) {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text);
}

const build = () => buildMiniprogram({ root, log: () => undefined });

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'xintong-mp-build-'));
  write('miniprogram/package.json', JSON.stringify({ name: 'fixture', private: true, dependencies: {} }));
  write('typings/index.ts', 'export type Id = string;\nexport const VERSION = 1;\n');
  write('miniprogram/utils/ids.ts', "import type { Id } from '../../typings';\nexport const first = (ids: Id[]): Id => ids[0];\n");
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('buildMiniprogram', () => {
  it('compiles each .ts to a CommonJS .js beside it and removes .js files left by deleted sources', async () => {
    write('miniprogram/pages/a/index.ts', "import { first } from '../../utils/ids';\nPage({ data: { id: first(['x']) } });\n");
    write('miniprogram/pages/old/index.js', 'Page({});\n');
    write('miniprogram/types.d.ts', 'declare const x: number;\n');

    const summary = await build();

    const page = fs.readFileSync(path.join(root, 'miniprogram/pages/a/index.js'), 'utf8');
    expect(page).toContain('require("../../utils/ids")');
    expect(fs.readFileSync(path.join(root, 'miniprogram/utils/ids.js'), 'utf8')).toContain('module.exports');
    expect(fs.existsSync(path.join(root, 'miniprogram/pages/old/index.js'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'miniprogram/types.js'))).toBe(false);
    expect(summary).toMatchObject({ compiled: 2, written: 2, removed: 1 });

    await expect(build()).resolves.toMatchObject({ written: 0, removed: 0 });
  });

  it('fails clearly on a value import from outside miniprogram/', async () => {
    write('miniprogram/utils/bad.ts', "import { VERSION } from '../../typings';\nexport const v = VERSION;\n");
    await expect(build()).rejects.toThrow(/miniprogram\/utils\/bad\.ts requires "\.\.\/\.\.\/typings".*outside miniprogram\/.*import type/);
  });

  it('fails on a package that miniprogram/package.json does not declare, and on a missing file', async () => {
    write('miniprogram/utils/bad.ts', "import dayjs from 'dayjs';\nimport { gone } from './gone';\nexport const v = [dayjs, gone];\n");
    await expect(build()).rejects.toThrow(/"dayjs", which is not a dependency in miniprogram\/package\.json/);
    await expect(build()).rejects.toThrow(/requires "\.\/gone", which does not exist/);
  });

  it('copies typings/limits.ts into the package and points value imports of it there', async () => {
    write('typings/limits.ts', 'export const FIELD_LIMITS = { unitName: 40 } as const;\n');
    write('miniprogram/utils/names.ts', "import { FIELD_LIMITS } from '../../typings/limits';\nexport const max = FIELD_LIMITS.unitName;\n");
    write('miniprogram/common/generated/left-over.js', 'module.exports = {};\n');

    await build();

    const names = fs.readFileSync(path.join(root, 'miniprogram/utils/names.js'), 'utf8');
    expect(names).toContain('require("../common/generated/limits")');
    expect(names).not.toContain('typings');
    const generated = path.join(root, 'miniprogram/common/generated/limits.js');
    expect(fs.readFileSync(generated, 'utf8')).toContain('Generated from typings/limits.ts');
    expect(fs.existsSync(path.join(root, 'miniprogram/common/generated/left-over.js'))).toBe(false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect((require(path.join(root, 'miniprogram/utils/names.js')) as { max: number }).max).toBe(40);
    await expect(build()).resolves.toMatchObject({ written: 0, removed: 0 });
  });

  it('refuses a shared contract module that requires anything at run time', async () => {
    write('typings/error-texts.ts', "import { VERSION } from './index';\nexport const ERROR_TEXTS = { v: VERSION };\n");
    await expect(build()).rejects.toThrow(/typings\/error-texts\.ts is copied into the mini-program and must not require anything/);
  });

  it('reports a TypeScript syntax error with the file name', async () => {
    write('miniprogram/utils/broken.ts', 'export const = 1;\n');
    await expect(build()).rejects.toThrow(/cannot compile miniprogram\/utils\/broken\.ts/);
  });
});
