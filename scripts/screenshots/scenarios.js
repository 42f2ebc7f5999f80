'use strict';
/**
 * Every page of the mini-program and the states worth a picture, in the order they are
 * rendered (later states may rely on data earlier ones created, e.g. a previewed import).
 *
 * Each state names the page, who is calling (a demo identity of the local cloud), the query,
 * calls that fail (for error states), a text that must appear before the picture is taken,
 * and steps that bring the page into the state the way a person would (taps, typing, scrolling);
 * `after` names states whose data it shows (rendered first even when `--only` leaves them out);
 * `scroll: 'end'` shows the end of the page instead of its top.
 * A new page adds its states here; `coverage()` fails the run when app.json has a page
 * with no state.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const APPID = 'wx-demo-appid';

function demo(name) {
  return { openid: `${name}-openid`, appid: APPID, unionid: `${name}-unionid` };
}

/** The local cloud's demo people (README, "The local cloud"), and someone it has never seen. */
const PEOPLE = {
  admin: demo('demo-admin'),
  zhangsan: demo('demo-member-1'),
  lisi: demo('demo-member-2'),
  newcomer: demo('screenshots-newcomer'),
};

/** A roster file named `name` with these rows (the header is added). */
function csvFile(name, rows) {
  const file = path.join(os.tmpdir(), `xintong-screenshots-${process.pid}`, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ['姓名,学号/工号,手机号,类型,单位,职务', ...rows].join('\r\n'));
  return { path: file, name };
}

/** A roster file with a new member, a changed one and two rows the import refuses. */
function rosterFile() {
  return csvFile('花名册-2025秋.csv', [
    '周小雨,2023010121,13912345678,学生,计算机学院/软件工程2301班,',
    '吴思远,2023010122,13912345679,学生,计算机学院/软件工程2301班,学习委员',
    '张三,2023010101,13900000001,学生,计算机学院/软件工程2301班,团支书',
    '王强,2023019999,12345,学生,计算机学院/人工智能2301班,',
    ',2023019998,13912345670,学生,计算机学院/软件工程2301班,',
  ]);
}

/** A second, smaller file (a late enrolment) with rows the import refuses for other reasons. */
function lateRosterFile() {
  return csvFile('花名册-补录.csv', [
    '郑可欣,2023020121,13912345681,学生,数学学院/数学2301班,',
    '孙浩,2023020122,13912345682,访客,数学学院/数学2301班,',
    '钱多多,,13912345683,学生,数学学院/数学2301班,',
    '何静,2023020124,13912345684,学生,,',
  ]);
}

/** A roster file of `count` new students of one class: more rows than a list keeps on screen. */
function longRosterFile(count) {
  const file = path.join(os.tmpdir(), `xintong-screenshots-${process.pid}`, '花名册-2025级新生.csv');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const given = ['子涵', '雨桐', '浩然', '思远', '欣怡', '宇轩', '梓萱', '一鸣', '佳琪', '俊杰', '诗雨', '明轩'];
  const surnames = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';
  const rows = Array.from({ length: count }, (_, i) => {
    const name = `${surnames[i % surnames.length]}${given[Math.floor(i / surnames.length) % given.length]}`;
    return `${name},2025${String(i + 1).padStart(6, '0')},,学生,计算机学院/软件工程2301班,`;
  });
  return csvFile(path.basename(file), rows);
}

/** The import page after choosing a roster file and asking for its preview. */
function importPreview(chooseFile) {
  return {
    path: 'packages/admin/pages/import/index',
    who: 'admin',
    waitText: '选择文件',
    chooseFile,
    async steps(page) {
      await page.tap('选择文件');
      await page.waitForText(chooseFile().name);
      await page.tap('上传并预览');
      await page.waitForText('第 2 步');
    },
  };
}

const IMPORT_PREVIEW = importPreview(rosterFile);
const LATE_PREVIEW = importPreview(lateRosterFile);
const LONG_PREVIEW = importPreview(() => longRosterFile(240));

/** A preview longer than a list keeps on screen: scrolled to its end, where the next rows are offered. */
const LONG_PREVIEW_END = {
  page: 'import',
  state: 'long-list',
  ...LONG_PREVIEW,
  scroll: 'end',
  async steps(page) {
    await LONG_PREVIEW.steps(page);
    await page.reachBottomUntil('显示后 200 条');
  },
};

/**
 * Page states. `page` is the folder name (`me` for pages/me/index) and, with `state`, the
 * picture's file name.
 */
const STATES = [
  // The first tab is the inbox (pinned 公告 above, unread first); a newcomer is asked to bind.
  { page: 'notices', state: 'inbox', path: 'pages/notices/index', who: 'zhangsan', waitText: '图书馆寒假开放时间调整' },
  {
    page: 'notices',
    state: 'all',
    path: 'pages/notices/index',
    who: 'zhangsan',
    waitText: '图书馆寒假开放时间调整',
    async steps(page) {
      await page.trigger('.inbox-tabs', 'change', { name: 'all', title: '全部', index: 1 });
      await page.waitForText('期末考试安排');
    },
  },
  { page: 'notices', state: 'publisher', path: 'pages/notices/index', who: 'admin', waitText: '发布通知' },
  { page: 'notices', state: 'unbound', path: 'pages/notices/index', who: 'newcomer', waitText: '去绑定花名册' },

  // A notice as its reader opens it: an edited one with an attachment, waiting for 确认收到.
  { page: 'notice-detail', state: 'to-confirm', path: 'pages/notice-detail/index', who: 'zhangsan', query: { id: 'n_demo_exam' }, waitText: '确认收到' },
  { page: 'notice-detail', state: 'announcement', path: 'pages/notice-detail/index', who: 'lisi', query: { id: 'n_demo_library' }, waitText: '电子资源照常开放' },
  { page: 'notice-detail', state: 'gone', path: 'pages/notice-detail/index', who: 'zhangsan', query: { id: 'n_demo_missing' }, waitText: '不存在' },

  // Its statistics: rings, the classes of the college, the lists.
  { page: 'notice-readers', state: 'units', path: 'pages/notice-readers/index', who: 'admin', query: { id: 'n_demo_exam' }, waitText: '各单位' },
  { page: 'notice-readers', state: 'college', path: 'pages/notice-readers/index', who: 'admin', query: { id: 'n_demo_exam', unitId: 'u_demo_cs' }, waitText: '软件工程2301班' },
  {
    page: 'notice-readers',
    state: 'unread',
    path: 'pages/notice-readers/index',
    who: 'admin',
    query: { id: 'n_demo_exam', unitId: 'u_demo_cs' },
    waitText: '软件工程2301班',
    async steps(page) {
      await page.trigger('.list-tabs', 'change', { name: 'unread', title: '未读', index: 2 });
      await page.waitForText('软件工程2301班 · 未读');
    },
  },
  { page: 'notice-readers', state: 'forbidden', path: 'pages/notice-readers/index', who: 'zhangsan', query: { id: 'n_demo_exam' }, waitText: '可查看阅读统计' },

  // Composing (admin subpackage) and the author's list.
  { page: 'notice-compose', state: 'new', path: 'packages/admin/pages/notice-compose/index', who: 'admin', waitText: '存草稿' },
  { page: 'notice-compose', state: 'draft', path: 'packages/admin/pages/notice-compose/index', who: 'admin', query: { id: 'n_demo_meeting' }, waitText: '共 20 人' },
  { page: 'notice-mine', state: 'all', path: 'packages/admin/pages/notice-mine/index', who: 'admin', waitText: '期末考试安排' },
  // Tabs whose features are being built say what they will hold.
  { page: 'proposals', state: 'coming-soon', path: 'pages/proposals/index', who: 'zhangsan' },
  { page: 'rooms', state: 'coming-soon', path: 'pages/rooms/index', who: 'zhangsan' },

  { page: 'classes', state: 'bound', path: 'pages/classes/index', who: 'zhangsan', waitText: '我的单位' },
  { page: 'classes', state: 'unbound', path: 'pages/classes/index', who: 'newcomer', waitText: '用手机号绑定' },
  { page: 'classes', state: 'error', path: 'pages/classes/index', who: 'zhangsan', failing: ['org.directory.mine'], waitText: '重试' },

  { page: 'unit', state: 'class', path: 'pages/unit/index', who: 'zhangsan', query: { id: 'u_demo_se2301', name: '软件工程2301班' }, waitText: '张三' },
  { page: 'unit', state: 'college', path: 'pages/unit/index', who: 'admin', query: { id: 'u_demo_cs', name: '计算机学院' }, waitText: '下级单位' },
  {
    page: 'unit',
    state: 'search-empty',
    path: 'pages/unit/index',
    who: 'zhangsan',
    query: { id: 'u_demo_se2301', name: '软件工程2301班' },
    waitText: '张三',
    async steps(page) {
      await page.search('.search', '不存在的人');
    },
  },

  // 长期未读 of a college (the demo election notice is past its deadline), of a unit whose
  // notices set no deadline, and as a member who may not see it.
  { page: 'non-readers', state: 'college', path: 'pages/non-readers/index', who: 'admin', query: { unitId: 'u_demo_cs', name: '计算机学院' }, waitText: '条未按时阅读' },
  { page: 'non-readers', state: 'no-deadline', path: 'pages/non-readers/index', who: 'admin', query: { unitId: 'u_demo_admin', name: '行政部门' }, waitText: '最近没有设置截止时间的通知' },
  { page: 'non-readers', state: 'forbidden', path: 'pages/non-readers/index', who: 'zhangsan', query: { unitId: 'u_demo_se2301', name: '软件工程2301班' }, waitText: '可查看长期未读的成员' },

  { page: 'member', state: 'as-admin', path: 'pages/member/index', who: 'admin', query: { id: 'm_demo_1' }, waitText: '张三' },
  { page: 'member', state: 'as-classmate', path: 'pages/member/index', who: 'lisi', query: { id: 'm_demo_1' }, waitText: '张三' },

  { page: 'me', state: 'admin', path: 'pages/me/index', who: 'admin', waitText: '角色管理' },
  { page: 'me', state: 'member', path: 'pages/me/index', who: 'zhangsan', waitText: '花名册' },

  { page: 'roles', state: 'holders', path: 'packages/admin/pages/roles/index', who: 'admin', waitText: '演示管理员' },
  {
    page: 'roles',
    state: 'search',
    path: 'packages/admin/pages/roles/index',
    who: 'admin',
    waitText: '演示管理员',
    async steps(page) {
      await page.search('.search', '张');
      await page.waitForText('搜索结果');
    },
  },
  {
    page: 'roles',
    state: 'history',
    path: 'packages/admin/pages/roles/index',
    who: 'admin',
    waitText: '演示管理员',
    async steps(page) {
      await page.trigger('.sections', 'change', { name: 'history', title: '变更记录', index: 1 });
    },
  },

  { page: 'units', state: 'root', path: 'packages/admin/pages/units/index', who: 'admin', waitText: '下级单位' },
  {
    page: 'units',
    state: 'rename',
    path: 'packages/admin/pages/units/index',
    who: 'admin',
    waitText: '计算机学院',
    async steps(page) {
      await page.tap('计算机学院');
      await page.waitForText('软件工程2301班');
      await page.tap('重命名');
    },
  },

  { page: 'members', state: 'list', path: 'packages/admin/pages/members/index', who: 'admin', waitText: '张三' },
  {
    page: 'members',
    state: 'empty',
    path: 'packages/admin/pages/members/index',
    who: 'admin',
    waitText: '张三',
    async steps(page) {
      await page.search('.search', '不存在的人');
    },
  },

  { page: 'member-edit', state: 'new', path: 'packages/admin/pages/member-edit/index', who: 'admin', query: { unitId: 'u_demo_se2301', unitName: '软件工程2301班' }, waitText: '保存' },
  {
    page: 'member-edit',
    state: 'error',
    path: 'packages/admin/pages/member-edit/index',
    who: 'admin',
    query: { id: 'm_demo_1' },
    waitText: '保存',
    async steps(page) {
      // 李四's number: the roster refuses a second member with it.
      await page.trigger('.field-number', 'change', '2023010102');
      await page.tap('保存');
    },
  },
  {
    page: 'member-edit',
    state: 'unit-picker',
    path: 'packages/admin/pages/member-edit/index',
    who: 'admin',
    query: { id: 'm_demo_1' },
    waitText: '保存',
    async steps(page) {
      await page.tap('添加单位');
    },
  },

  { page: 'import', state: 'choose', path: 'packages/admin/pages/import/index', who: 'admin', waitText: '选择文件' },
  { page: 'import', state: 'preview', ...IMPORT_PREVIEW },
  {
    page: 'import',
    state: 'invalid-rows',
    ...LATE_PREVIEW,
    async steps(page) {
      await LATE_PREVIEW.steps(page);
      await page.trigger('.item-tabs', 'change', { name: 'invalid', title: '无效', index: 3 });
    },
  },
  // The recent imports listed under the file chooser: the two previews above made them.
  { page: 'import', state: 'recent', path: 'packages/admin/pages/import/index', who: 'admin', waitText: '最近导入', after: ['import-preview', 'import-invalid-rows'] },
  LONG_PREVIEW_END,
  {
    // The next window of that preview: rows 201–240, with the way back to the start.
    ...LONG_PREVIEW_END,
    state: 'long-list-next',
    async steps(page) {
      await LONG_PREVIEW_END.steps(page);
      await page.tap('显示后 200 条');
      await page.reachBottomUntil('回到开头');
    },
  },
];

/** Pages of app.json (tabs, pages and subpackages) as paths from the mini-program root. */
function appPages(app) {
  const pages = [...(app.pages || [])];
  for (const sub of app.subpackages || app.subPackages || []) for (const page of sub.pages || []) pages.push(`${sub.root.replace(/\/$/, '')}/${page}`);
  return pages;
}

/** Pages of app.json that have no state here: a new page must add its pictures. */
function uncovered(app) {
  const covered = new Set(STATES.map((s) => s.path));
  return appPages(app).filter((page) => !covered.has(page));
}

module.exports = { STATES, PEOPLE, appPages, uncovered };
