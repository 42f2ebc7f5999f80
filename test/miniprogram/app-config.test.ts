import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const mp = path.join(root, 'miniprogram');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

interface AppJson {
  pages: string[];
  subpackages?: { root: string; pages: string[] }[];
  tabBar: { list: { pagePath: string; text: string; iconPath?: string; selectedIconPath?: string }[] };
  usingComponents?: Record<string, string>;
  style?: string;
  lazyCodeLoading?: string;
}

const app: AppJson = readJson(path.join(mp, 'app.json'));
const allPages = [
  ...app.pages,
  ...(app.subpackages ?? []).flatMap((pkg) => pkg.pages.map((page) => `${pkg.root}/${page}`)),
];

describe('app.json', () => {
  it('has the five tabs in order, 通知 first as the home page', () => {
    expect(app.tabBar.list.map(({ pagePath, text }) => [text, pagePath])).toEqual([
      ['通知', 'pages/notices/index'],
      ['提案', 'pages/proposals/index'],
      ['班级', 'pages/classes/index'],
      ['会议室', 'pages/rooms/index'],
      ['我的', 'pages/me/index'],
    ]);
    expect(app.pages[0]).toBe('pages/notices/index');
    for (const tab of app.tabBar.list) expect(app.pages).toContain(tab.pagePath);
  });

  it('keeps administration in the packages/admin subpackage', () => {
    expect(app.subpackages).toEqual([
      expect.objectContaining({
        root: 'packages/admin',
        pages: ['pages/roles/index', 'pages/units/index', 'pages/members/index', 'pages/member-edit/index', 'pages/import/index', 'pages/notice-compose/index', 'pages/notice-mine/index', 'pages/room-admin/index', 'pages/room-edit/index', 'pages/room-codes/index', 'pages/room-approvals/index', 'pages/room-usage/index', 'pages/proposal-desk/index', 'pages/proposal-handle/index', 'pages/proposal-categories/index', 'pages/proposal-reveals/index'],
      }),
    ]);
    expect(readJson(path.join(mp, 'packages/admin/pages/roles/index.json')).navigationBarTitleText).toBe('角色管理');
    expect(readJson(path.join(mp, 'packages/admin/pages/units/index.json')).navigationBarTitleText).toBe('组织架构');
    expect(readJson(path.join(mp, 'packages/admin/pages/import/index.json')).navigationBarTitleText).toBe('导入花名册');
  });

  it('keeps the directory pages everyone opens in the main package', () => {
    expect(app.pages).toEqual(expect.arrayContaining(['pages/unit/index', 'pages/member/index']));
    // Observers are ordinary members: the statistics they may open cannot sit in the admin subpackage.
    expect(app.pages).toEqual(expect.arrayContaining(['pages/notice-detail/index', 'pages/notice-readers/index', 'pages/non-readers/index']));
    expect(readJson(path.join(mp, 'pages/non-readers/index.json')).navigationBarTitleText).toBe('长期未读');
  });

  it('gives every tab a normal and a selected icon: local 81x81 PNG files under 40 KB, as drawn by scripts/draw-tab-icons.js', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { drawIcons } = require('../../scripts/draw-tab-icons') as { drawIcons(): Record<string, Buffer> };
    const drawn = drawIcons();
    for (const tab of app.tabBar.list) {
      for (const icon of [tab.iconPath, tab.selectedIconPath]) {
        expect(icon).toMatch(/^assets\/tabbar\/[\w-]+\.png$/);
        const png = fs.readFileSync(path.join(mp, icon as string));
        expect(png.length).toBeLessThanOrEqual(40 * 1024);
        expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([81, 81]);
        expect(png.equals(drawn[path.basename(icon as string)])).toBe(true);
      }
    }
  });

  it('leaves native components their classic style (Vant is restyled by "style": "v2"), injects components on demand, has no global components', () => {
    expect(app.style).toBeUndefined();
    expect(app.lazyCodeLoading).toBe('requiredComponents');
    expect(app.usingComponents).toBeUndefined();
  });

  it.each(allPages)('page %s has its four files', (page) => {
    for (const ext of ['ts', 'wxml', 'wxss', 'json']) {
      expect(fs.existsSync(path.join(mp, `${page}.${ext}`)) ? ext : `missing ${page}.${ext}`).toBe(ext);
    }
    expect(readJson(path.join(mp, `${page}.json`)).navigationBarTitleText).toEqual(expect.any(String));
  });
});

describe('project.config.json', () => {
  const project = readJson(path.join(root, 'project.config.json'));

  it('points DevTools at the mini-program and the cloud functions', () => {
    expect(project).toMatchObject({
      miniprogramRoot: 'miniprogram/',
      cloudfunctionRoot: 'cloudfunctions/',
      compileType: 'miniprogram',
    });
  });

  it("lets DevTools' own 构建npm use miniprogram/package.json", () => {
    expect(project.setting.packNpmManually).toBe(true);
    expect(project.setting.packNpmRelationList).toEqual([
      { packageJsonPath: './miniprogram/package.json', miniprogramNpmDistDir: './miniprogram/' },
    ]);
    expect(Object.keys(readJson(path.join(mp, 'package.json')).dependencies)).toEqual(['@vant/weapp']);
  });
});
