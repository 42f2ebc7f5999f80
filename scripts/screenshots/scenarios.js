'use strict';
/**
 * Every page of the mini-program and the states worth a picture, in the order they are
 * rendered (later states may rely on data earlier ones created, e.g. a previewed import).
 *
 * Each state names the page, who is calling (a demo identity of the local cloud), the query,
 * calls that fail (for error states), a text that must appear before the picture is taken,
 * and steps that bring the page into the state the way a person would (taps, typing, scrolling);
 * `after` names states whose data it shows (rendered first even when `--only` leaves them out);
 * `scroll: 'end'` shows the end of the page instead of its top; `query` may be a function of the
 * local cloud's data (`run.js` `stateQuery`: rooms, bookings, proposals, `day(n)`,
 * `roomId(name)`, `proposalId(title)`), for ids the demo data makes at random; `setup(api,
 * PEOPLE)` leaves data the page shows (calls as a demo person, the clock moved and put back; see
 * `cloudApi` in local-cloud.js) before it renders.
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
  wangwu: demo('demo-member-3'),
  newcomer: demo('screenshots-newcomer'),
};

/** `YYYY-MM-DD HH:mm` in business time (this process runs in Asia/Shanghai), `days` after `instant`. */
function wallClock(instant, days = 0) {
  const d = new Date(instant + days * 86400000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function roomIds(api) {
  return new Map((await api.db('rooms')).map((doc) => [doc.name, doc._id]));
}

/**
 * Two more bookings of the hall tomorrow, by others than 张三: the admin's lecture (approved: an
 * approver's own booking waits for approval too) and 李四's request, still waiting.
 */
async function hallBookings(api) {
  const hall = (await roomIds(api)).get('学术报告厅');
  const day = wallClock(Date.now(), 1).slice(0, 10);
  const lecture = await api.call(PEOPLE.admin, 'room', 'bookings.create', {
    requestId: 'screenshots-hall-lecture', roomId: hall, start: `${day} 09:00`, end: `${day} 11:00`, subject: '新生入学教育讲座', attendeeIds: [], repeatWeeks: 0,
  });
  const [made] = lecture.bookings;
  if (made.status === 'pending') await api.call(PEOPLE.admin, 'room', 'bookings.decide', { bookingId: made.id, approve: true });
  await api.call(PEOPLE.lisi, 'room', 'bookings.create', {
    requestId: 'screenshots-hall-club', roomId: hall, start: `${day} 18:00`, end: `${day} 20:00`, subject: '社团招新宣讲会', attendeeIds: [], repeatWeeks: 0,
  });
}

/**
 * 张三's bookings of last week, made with the cloud's clock moved back a week: an evening in the
 * study room, a class activity he checked in to, and an 英语角 he cancelled. The clock is put
 * back before the page renders.
 */
async function pastBookings(api) {
  const rooms = await roomIds(api);
  const now = Date.now();
  const at = (days, time) => `${wallClock(now, days).slice(0, 10)} ${time}`;
  const instant = (wall) => `${wall.replace(' ', 'T')}:00+08:00`;
  const book = (requestId, room, days, start, end, subject) =>
    api.call(PEOPLE.zhangsan, 'room', 'bookings.create', { requestId, roomId: rooms.get(room), start: at(days, start), end: at(days, end), subject, attendeeIds: [], repeatWeeks: 0 });
  try {
    await api.setClock(instant(at(-7, '09:00')));
    await book('screenshots-past-study', '自习室 301', -7, '19:00', '21:00', '数学建模校赛备赛');
    const [activity] = (await book('screenshots-past-activity', '第一会议室', -6, '14:00', '15:30', '软工2301班团日活动')).bookings;
    const [english] = (await book('screenshots-past-english', '研讨室 A', -4, '10:00', '11:00', '英语角')).bookings;
    await api.call(PEOPLE.zhangsan, 'room', 'bookings.cancel', { bookingId: english.id, reason: '与课程时间冲突' });
    await api.setClock(instant(at(-6, '13:55')));
    await api.call(PEOPLE.zhangsan, 'room', 'bookings.checkIn', { bookingId: activity.id });
  } finally {
    await api.setClock(new Date(now).toISOString());
  }
}

/**
 * The admin looks up who proposed the anonymous 期末考试安排 (a recorded reveal), so 匿名查看记录
 * lists one. Made once: the reveals state is the last to show that proposal.
 */
async function revealAuthor(api) {
  const exam = (await api.db('proposals')).find((doc) => doc.title === '期末考试安排能否提前三周公布');
  if (!exam) throw new Error('the local cloud has no demo proposal 期末考试安排能否提前三周公布');
  await api.call(PEOPLE.admin, 'proposal', 'proposals.reveal', { proposalId: exam._id, reason: '提案人反映的考试冲突需要当面核实具体课程' });
}

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

  // 提案. The demo proposals (local-cloud/src/seed-proposals.ts) have random ids, so these states
  // find them by title (`query` as a function); 王五 proposed 期末考试安排 anonymously, 李四 the
  // 热水 one, and the demo admin handles 校园安全.
  { page: 'proposals', state: 'support', path: 'pages/proposals/index', who: 'zhangsan', waitText: '二食堂晚餐供应时间延长到晚上八点' },
  {
    page: 'proposals',
    state: 'newest',
    path: 'pages/proposals/index',
    who: 'zhangsan',
    waitText: '二食堂晚餐供应时间延长到晚上八点',
    async steps(page) {
      await page.tap('最新');
      await page.waitForText('选课系统增加往届学生的课程评价');
    },
  },
  {
    page: 'proposals',
    state: 'mine',
    path: 'pages/proposals/index',
    who: 'lisi',
    waitText: '二食堂晚餐供应时间延长到晚上八点',
    async steps(page) {
      await page.trigger('.proposal-tabs', 'change', { name: 'mine', title: '我的提案', index: 1 });
      await page.waitForText('我（匿名提交）');
    },
  },

  { page: 'proposal-new', state: 'empty', path: 'pages/proposal-new/index', who: 'zhangsan', waitText: '教学教务' },
  {
    // Scrolled to the switch and what it means, above 提交提案.
    page: 'proposal-new',
    state: 'anonymous',
    path: 'pages/proposal-new/index',
    who: 'zhangsan',
    waitText: '教学教务',
    scroll: 'end',
    async steps(page) {
      await page.tap('后勤保障');
      await page.trigger('.field-title', 'change', '宿舍楼道增设自行车打气点');
      await page.trigger('.field-content', 'change', '宿舍区只有北门修车铺能给自行车打气，晚上七点就关门。建议在各宿舍楼一楼楼道放一台公用打气筒，定期检查维护。');
      await page.tap('匿名提交');
    },
  },

  { page: 'proposal', state: 'resolved', path: 'pages/proposal/index', who: 'zhangsan', query: (data) => ({ id: data.proposalId('二食堂晚餐供应时间延长到晚上八点') }), waitText: '提案人的评价' },
  { page: 'proposal', state: 'rejected', path: 'pages/proposal/index', who: 'zhangsan', query: (data) => ({ id: data.proposalId('在第一教学楼正门前划出电动车停放区') }), waitText: '未采纳原因' },
  { page: 'proposal', state: 'anonymous-mine', path: 'pages/proposal/index', who: 'wangwu', query: (data) => ({ id: data.proposalId('期末考试安排能否提前三周公布') }), waitText: '我（匿名提交）' },
  // The same anonymous proposal as a supporter sees it: 匿名, no name nor unit anywhere.
  { page: 'proposal', state: 'anonymous-others', path: 'pages/proposal/index', who: 'zhangsan', query: (data) => ({ id: data.proposalId('期末考试安排能否提前三周公布') }), waitText: '办理进度' },
  // A handler reaches 去办理 at the end, under the merged proposal's entry in the timeline.
  { page: 'proposal', state: 'handler', path: 'pages/proposal/index', who: 'admin', query: (data) => ({ id: data.proposalId('东区宿舍到图书馆的小路夜间照明不足') }), waitText: '去办理', scroll: 'end' },

  // Handling (admin subpackage): the desk, a proposal's actions, categories and the reveal audit.
  { page: 'proposal-desk', state: 'admin', path: 'packages/admin/pages/proposal-desk/index', who: 'admin', waitText: '宿舍区校园网晚高峰经常断线' },
  {
    // 首次答复用时 opened above the list (folded until tapped).
    page: 'proposal-desk',
    state: 'first-answer',
    path: 'packages/admin/pages/proposal-desk/index',
    who: 'admin',
    waitText: '宿舍区校园网晚高峰经常断线',
    async steps(page) {
      await page.tap('各类别首次答复用时 ▸');
    },
  },
  { page: 'proposal-handle', state: 'open', path: 'packages/admin/pages/proposal-handle/index', who: 'admin', query: (data) => ({ id: data.proposalId('宿舍区校园网晚高峰经常断线') }), waitText: '办理记录' },
  { page: 'proposal-handle', state: 'anonymous', path: 'packages/admin/pages/proposal-handle/index', who: 'admin', query: (data) => ({ id: data.proposalId('3 号宿舍楼热水供应不稳定') }), waitText: '查看提案人' },
  { page: 'proposal-categories', state: 'list', path: 'packages/admin/pages/proposal-categories/index', who: 'admin', waitText: '信息化建设' },
  { page: 'proposal-reveals', state: 'list', path: 'packages/admin/pages/proposal-reveals/index', who: 'admin', setup: revealAuthor, waitText: '期末考试安排能否提前三周公布' },
  // The proposer is told of that reveal in the timeline: which admin looked and why.
  {
    page: 'proposal',
    state: 'anonymous-revealed',
    path: 'pages/proposal/index',
    who: 'wangwu',
    after: ['proposal-reveals-list'],
    query: (data) => ({ id: data.proposalId('期末考试安排能否提前三周公布') }),
    waitText: '查看了提案人身份',
    scroll: 'end',
  },

  // 会议室. Demo rooms have random ids, so these states find them by name in the local cloud's
  // data (`query` as a function); the demo bookings lie today and tomorrow of the frozen clock.
  { page: 'rooms', state: 'today', path: 'pages/rooms/index', who: 'zhangsan', waitText: '第一会议室' },
  {
    page: 'rooms',
    state: 'free-search',
    path: 'pages/rooms/index',
    who: 'zhangsan',
    waitText: '第一会议室',
    async steps(page) {
      await page.trigger('.modes', 'change', { name: 'free', title: '按时间找空闲会议室', index: 1 });
      await page.tap('查找');
      await page.waitForText('研讨室 A');
    },
  },

  // A room's day: the hall tomorrow holds a confirmed lecture, 张三's election waiting for
  // approval and 李四's pending request (the setup adds those two others' bookings).
  {
    page: 'room',
    state: 'timeline',
    path: 'pages/room/index',
    who: 'zhangsan',
    setup: hallBookings,
    query: (data) => ({ id: data.roomId('学术报告厅'), date: data.day(1) }),
    waitText: '学生会换届选举大会',
  },
  {
    page: 'room',
    state: 'selection',
    path: 'pages/room/index',
    who: 'zhangsan',
    query: (data) => ({ id: data.roomId('第一会议室') }),
    waitText: '软工2301班班会',
    async steps(page) {
      await page.tap('11:00');
      await page.tap('12:00');
      await page.waitForText('已选');
    },
  },
  // The night study room: open 18:00 to 02:00, 李四's evening running past midnight.
  { page: 'room', state: 'overnight', path: 'pages/room/index', who: 'zhangsan', query: (data) => ({ id: data.roomId('自习室 301') }), waitText: '考研晚自习', scroll: 'end' },
  { page: 'room', state: 'bad-code', path: 'pages/room/index', who: 'zhangsan', query: { scene: 'abc' }, waitText: '无法识别' },

  // The booking form: opened from a free range, a time taken meanwhile, a request for approval.
  {
    page: 'room-book',
    state: 'form',
    path: 'pages/room-book/index',
    who: 'zhangsan',
    query: (data) => ({ roomId: data.roomId('第一会议室'), start: `${data.day(0)} 14:00`, end: `${data.day(0)} 16:00` }),
    waitText: '会议主题',
  },
  {
    page: 'room-book',
    state: 'conflict',
    path: 'pages/room-book/index',
    who: 'zhangsan',
    // The weekly 教务处周例会 holds 09:00–10:00 tomorrow.
    query: (data) => ({ roomId: data.roomId('第一会议室'), start: `${data.day(1)} 09:00`, end: `${data.day(1)} 10:30` }),
    waitText: '会议主题',
    async steps(page) {
      await page.trigger('.field-subject', 'change', '课程设计答辩');
      await page.tap('预约');
      await page.waitForText('教务处周例会');
    },
  },
  {
    page: 'room-book',
    state: 'pending',
    path: 'pages/room-book/index',
    who: 'zhangsan',
    after: ['room-timeline'],
    query: (data) => ({ roomId: data.roomId('学术报告厅'), start: `${data.day(2)} 15:00`, end: `${data.day(2)} 17:00` }),
    waitText: '会议主题',
    async steps(page) {
      await page.trigger('.field-subject', 'change', '学风建设交流会');
      await page.tap('提交申请');
      await page.waitForText('查看我的预约');
    },
  },

  // 我的预约: what is coming, and last week's (made by the setup with the clock moved back).
  { page: 'bookings', state: 'upcoming', path: 'pages/bookings/index', who: 'zhangsan', waitText: '软工2301班班会' },
  {
    page: 'bookings',
    state: 'history',
    path: 'pages/bookings/index',
    who: 'zhangsan',
    setup: pastBookings,
    query: { tab: 'past' },
    waitText: '英语角',
  },

  // Administration: the rooms, a room's form (a day room and the overnight one), door codes,
  // approvals as the hall's approver (the demo admin), and the week's usage.
  { page: 'room-admin', state: 'list', path: 'packages/admin/pages/room-admin/index', who: 'admin', waitText: '第一会议室' },
  { page: 'room-edit', state: 'meeting', path: 'packages/admin/pages/room-edit/index', who: 'admin', query: (data) => ({ id: data.roomId('第一会议室') }), waitText: '暂停使用' },
  { page: 'room-edit', state: 'overnight', path: 'packages/admin/pages/room-edit/index', who: 'admin', query: (data) => ({ id: data.roomId('自习室 301') }), waitText: '次日 02:00' },
  { page: 'room-codes', state: 'list', path: 'packages/admin/pages/room-codes/index', who: 'admin', waitText: '第一会议室' },
  { page: 'room-approvals', state: 'pending', path: 'packages/admin/pages/room-approvals/index', who: 'admin', after: ['room-timeline'], waitText: '学生会换届选举大会' },
  { page: 'room-usage', state: 'week', path: 'packages/admin/pages/room-usage/index', who: 'admin', after: ['room-timeline'], waitText: '第一会议室' },
  { page: 'room-usage', state: 'hours', path: 'packages/admin/pages/room-usage/index', who: 'admin', after: ['room-timeline'], waitText: '各时段预约时长', scroll: 'end' },
  {
    // Last week: 张三's evening, class activity and cancelled 英语角 of 我的预约's history.
    page: 'room-usage',
    state: 'last-week',
    path: 'packages/admin/pages/room-usage/index',
    who: 'admin',
    after: ['bookings-history'],
    waitText: '本周',
    async steps(page) {
      await page.trigger('.week__arrow', 'tap');
      await page.waitForText('上周');
    },
  },

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
