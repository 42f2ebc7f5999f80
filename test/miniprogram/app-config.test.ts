import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const mp = path.join(root, 'miniprogram');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

interface AppJson {
  pages: string[];
  subpackages?: { root: string; pages: string[] }[];
  tabBar: { list: { pagePath: string; text: string; iconPath?: string }[] };
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
        pages: ['pages/roles/index', 'pages/units/index', 'pages/members/index', 'pages/member-edit/index', 'pages/import/index'],
      }),
    ]);
    expect(readJson(path.join(mp, 'packages/admin/pages/roles/index.json')).navigationBarTitleText).toBe('角色管理');
    expect(readJson(path.join(mp, 'packages/admin/pages/units/index.json')).navigationBarTitleText).toBe('组织架构');
    expect(readJson(path.join(mp, 'packages/admin/pages/import/index.json')).navigationBarTitleText).toBe('导入花名册');
  });

  it('keeps the directory pages everyone opens in the main package', () => {
    expect(app.pages).toEqual(expect.arrayContaining(['pages/unit/index', 'pages/member/index']));
  });

  it('uses style v2, on-demand component injection and no global components', () => {
    expect(app.style).toBe('v2');
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
