/**
 * Demo proposals (提案) for the local cloud's first start with demo data: five categories with
 * their handlers and twelve proposals in every status, made through the `proposal` function's
 * own actions as the demo people, so proposals, supports, history and the authors kept apart
 * are exactly what the pages would have left. Each step runs with the cloud's clock set to its
 * moment in the past weeks (then the clock is given back), so lists, timelines and the time to a
 * first answer read as a real month of use; under `--clock` every run makes the same ones.
 */
import { businessTime, fromBusinessWallClock } from '../../server/core/time';
import type { ProposalCategory, ProposalStatus, ProposalView, Result } from '../../typings';
import { PROPOSAL_MOVES } from '../../typings/proposal-rules';
import type { CallerIdentity } from './invocations';
import { DEMO_APPID, DEMO_PEOPLE } from './seed';
import type { RoomSeedHost } from './seed-rooms';

/**
 * The subscribe-message template `npm start` gives the proposal function (an operator's own
 * `PROPOSAL_SUBSCRIBE_TEMPLATES` wins): a proposal's status change, one-time.
 */
export const DEMO_PROPOSAL_SUBSCRIBE_TEMPLATES = JSON.stringify([
  { id: 'demo-tmpl-proposal-status', kind: 'one-time', purpose: 'proposal-status', fields: { thing1: 'title', phrase2: 'status', thing3: 'answer', time4: 'time' } },
]);

/** Written once the demo proposals are made: a restart, or an operator's later changes, never seeds them again. */
export const DEMO_PROPOSALS_DOC_ID = 'demo-proposals';

/** What the seeding needs of the local cloud: the rooms seed's, and the clock it sets for each step. */
export interface ProposalSeedHost extends RoomSeedHost {
  setClock(instant: Date | null): void;
  readonly frozenAt: Date | null;
}

export interface DemoProposalsSummary {
  categories: number;
  proposals: number;
}

type CategoryKey = 'teaching' | 'logistics' | 'safety' | 'it' | 'other';

const DEMO_CATEGORIES: ReadonlyArray<{ key: CategoryKey; name: string; description: string; handlerIds: string[] }> = [
  { key: 'teaching', name: '教学教务', description: '课程安排、考试、教材与教学质量', handlerIds: ['m_demo_counsellor'] },
  { key: 'logistics', name: '后勤保障', description: '食堂、宿舍、水电与校园环境', handlerIds: ['m_demo_counsellor'] },
  { key: 'safety', name: '校园安全', description: '安全隐患、消防、交通与门禁', handlerIds: ['m_demo_admin'] },
  { key: 'it', name: '信息化建设', description: '校园网、信息系统与线上服务', handlerIds: ['m_demo_counsellor', 'm_demo_admin'] },
  { key: 'other', name: '其他', description: '不属于以上类别的意见和建议', handlerIds: [] },
];

/** One thing done to a proposal, `after` hours after it was submitted; handling is the demo admin's. */
type Step = { after: number } & (
  | { kind: 'publish' }
  | { kind: 'move'; to: ProposalStatus; reason?: string; answer?: string }
  | { kind: 'answer'; text: string }
  | { kind: 'assign'; handlerId: string }
  | { kind: 'support'; by: string }
  | { kind: 'rate'; stars: number; comment: string }
  | { kind: 'merge'; into: string }
);

interface DemoProposal {
  key: string;
  /** The demo account that proposes. */
  by: string;
  category: CategoryKey;
  title: string;
  content: string;
  anonymous: boolean;
  /** Submitted this many days before the clock's day, at `time` (Shanghai), or a day earlier when that is still to come. */
  daysAgo: number;
  time: string;
  steps: Step[];
}

/** Oldest first, so each one's steps find what they need (a merge its target) already made. */
const DEMO_PROPOSALS: readonly DemoProposal[] = [
  {
    key: 'print-pay',
    by: 'demo-member-1',
    category: 'it',
    title: '图书馆自助打印机支持微信支付',
    content: '图书馆一楼的自助打印机目前只能刷校园卡付费，校园卡余额不足时还得去一卡通中心充值，很不方便。建议打印机增加微信扫码支付，或者在打印页面直接跳转小程序充值。',
    anonymous: false,
    daysAgo: 25,
    time: '10:20',
    steps: [
      { after: 3, kind: 'move', to: 'accepted' },
      { after: 30, kind: 'move', to: 'in_progress', answer: '已与打印机供应商沟通，正在对接微信支付，预计两周内上线。' },
      { after: 200, kind: 'move', to: 'resolved', answer: '图书馆全部 6 台自助打印机已支持微信扫码支付，打印页面也可直接为校园卡充值。' },
      { after: 220, kind: 'rate', stars: 4, comment: '已经可以用了，就是考试周高峰还要排队。' },
    ],
  },
  {
    key: 'canteen-hours',
    by: 'demo-member-2',
    category: 'logistics',
    title: '二食堂晚餐供应时间延长到晚上八点',
    content: '二食堂晚餐 18:30 就基本收档了，晚上有课或者社团活动的同学回来只能吃泡面。建议晚餐供应延长到 20:00，哪怕只保留一两个窗口供应简餐也好。',
    anonymous: false,
    daysAgo: 20,
    time: '12:05',
    steps: [
      { after: 1, kind: 'publish' },
      { after: 2, kind: 'support', by: 'demo-member-1' },
      { after: 5, kind: 'support', by: 'demo-member-3' },
      { after: 20, kind: 'move', to: 'accepted' },
      { after: 26, kind: 'assign', handlerId: 'm_demo_counsellor' },
      { after: 48, kind: 'move', to: 'in_progress', answer: '已与饮食服务中心商定方案，下周起试行。' },
      { after: 170, kind: 'move', to: 'resolved', answer: '自本周一起，二食堂晚餐供应延长至 20:00，一楼保留两个窗口供应面食和盖饭。' },
      { after: 190, kind: 'rate', stars: 5, comment: '很快就落实了，谢谢！' },
    ],
  },
  {
    key: 'bike-parking',
    by: 'demo-member-3',
    category: 'safety',
    title: '在第一教学楼正门前划出电动车停放区',
    content: '第一教学楼正门前每天上课前都停满电动车和自行车，进出很挤。建议在正门前空地划出专门的电动车停放区，方便大家停车。',
    anonymous: false,
    daysAgo: 18,
    time: '08:40',
    steps: [
      { after: 2, kind: 'publish' },
      { after: 6, kind: 'support', by: 'demo-member-1' },
      {
        after: 30,
        kind: 'move',
        to: 'rejected',
        reason: '正门前空地是消防通道，不能设置停车区；已在教学楼东西两侧新增 60 个车位，请就近停放。',
      },
    ],
  },
  {
    key: 'weekend-rooms',
    by: 'demo-member-2',
    category: 'teaching',
    title: '周末开放更多空教室用于自习',
    content: '临近期末，图书馆周末经常没有座位。第二教学楼周末只开放一层，建议周末开放更多空教室给同学们自习。',
    anonymous: false,
    daysAgo: 14,
    time: '21:15',
    steps: [
      {
        after: 40,
        kind: 'move',
        to: 'rejected',
        reason: '周末第二教学楼需进行设备检修和清洁，暂不扩大开放；实验楼 3F 自习室周末照常开放至次日 02:00。',
      },
    ],
  },
  {
    key: 'night-lamps',
    by: 'demo-member-3',
    category: 'safety',
    title: '东区宿舍到图书馆的小路夜间照明不足',
    content: '从东区宿舍穿过小树林到图书馆的那段小路晚上几乎没有路灯，九点以后下自习回宿舍很黑，前几天还有同学在台阶处崴了脚。建议在小路两侧加装路灯，并在台阶处贴上反光警示条。',
    anonymous: false,
    daysAgo: 12,
    time: '22:10',
    steps: [
      { after: 10, kind: 'publish' },
      { after: 11, kind: 'support', by: 'demo-member-2' },
      { after: 14, kind: 'support', by: 'demo-admin' },
      { after: 12, kind: 'move', to: 'accepted' },
      { after: 13, kind: 'assign', handlerId: 'm_demo_admin' },
      { after: 60, kind: 'move', to: 'in_progress', answer: '已会同后勤处实地查看，计划在小路两侧加装 12 盏太阳能路灯，台阶处贴反光条，预计两周内完工。' },
    ],
  },
  {
    key: 'exam-notice',
    by: 'demo-member-3',
    category: 'teaching',
    title: '期末考试安排能否提前三周公布',
    content: '往年期末考试安排大多在考前一周才公布，几门考试挤在同一两天时复习很被动。希望教务处能提前三周公布考试时间和考场，方便大家安排复习。',
    anonymous: true,
    daysAgo: 9,
    time: '19:30',
    steps: [
      { after: 14, kind: 'publish' },
      { after: 15, kind: 'support', by: 'demo-member-1' },
      { after: 18, kind: 'support', by: 'demo-member-2' },
      { after: 16, kind: 'move', to: 'accepted' },
      { after: 17, kind: 'assign', handlerId: 'm_demo_counsellor' },
      { after: 50, kind: 'move', to: 'in_progress' },
      { after: 52, kind: 'answer', text: '教务处正在调整排考流程，本学期期末考试安排将于考前三周在通知中发布。' },
    ],
  },
  {
    key: 'lamps-again',
    by: 'demo-member-1',
    category: 'safety',
    title: '图书馆后面的小路太黑了',
    content: '晚上从图书馆回东区宿舍，后面那条小路一盏灯都没有，女生一个人走有点害怕，希望学校能装几盏路灯。',
    anonymous: false,
    daysAgo: 10,
    time: '22:40',
    steps: [{ after: 40, kind: 'merge', into: 'night-lamps' }],
  },
  {
    key: 'dorm-wifi',
    by: 'demo-member-1',
    category: 'it',
    title: '宿舍区校园网晚高峰经常断线',
    content: '每天晚上 9 点到 11 点，东区宿舍的校园网经常断线，网课回放和提交作业都受影响。希望信息中心能排查一下宿舍区的网络设备，或者增加出口带宽。',
    anonymous: false,
    daysAgo: 6,
    time: '23:05',
    steps: [
      { after: 9, kind: 'publish' },
      { after: 10, kind: 'support', by: 'demo-member-2' },
      { after: 12, kind: 'support', by: 'demo-member-3' },
      { after: 20, kind: 'support', by: 'demo-admin' },
      { after: 11, kind: 'move', to: 'accepted' },
    ],
  },
  {
    key: 'gym-noon',
    by: 'demo-member-3',
    category: 'logistics',
    title: '体育馆工作日中午开放',
    content: '体育馆工作日只在下午四点以后开放，中午想去打球或者健身都没有地方。建议工作日 12:00–14:00 也开放羽毛球场和健身房。',
    anonymous: false,
    daysAgo: 4,
    time: '13:20',
    steps: [
      { after: 20, kind: 'move', to: 'accepted' },
      { after: 21, kind: 'assign', handlerId: 'm_demo_counsellor' },
    ],
  },
  {
    key: 'english-corner',
    by: 'demo-admin',
    category: 'other',
    title: '每周三晚在图书馆一楼开设英语角',
    content: '不少同学希望有练习口语的机会。建议每周三 19:00–20:30 在图书馆一楼休闲区开设英语角，由外语学院的老师和留学生轮流参加。',
    anonymous: false,
    daysAgo: 2,
    time: '16:45',
    steps: [
      { after: 1, kind: 'publish' },
      { after: 3, kind: 'support', by: 'demo-member-1' },
    ],
  },
  {
    key: 'hot-water',
    by: 'demo-member-2',
    category: 'logistics',
    title: '3 号宿舍楼热水供应不稳定',
    content: '最近一周 3 号宿舍楼晚上 10 点以后热水时有时无，洗澡洗到一半变冷水。希望后勤尽快检修热水系统。',
    anonymous: true,
    daysAgo: 1,
    time: '22:30',
    steps: [],
  },
  {
    key: 'course-reviews',
    by: 'demo-member-1',
    category: 'teaching',
    title: '选课系统增加往届学生的课程评价',
    content: '选课时只能看到课程名称和老师，不了解课程内容和考核方式。建议选课系统展示往届学生的课程评价和考核方式说明，帮助大家选课。',
    anonymous: false,
    daysAgo: 0,
    time: '08:30',
    steps: [
      { after: 0.5, kind: 'publish' },
      { after: 0.75, kind: 'support', by: 'demo-member-3' },
    ],
  },
];

const HOUR_MS = 3_600_000;

/**
 * When a demo proposal was submitted with the clock at `now`: its day and time in Shanghai, a
 * day earlier while that is not yet past.
 */
export function demoSubmittedAt(proposal: Pick<DemoProposal, 'daysAgo' | 'time'>, now: Date): Date {
  const on = (daysAgo: number): Date => fromBusinessWallClock(`${businessTime(now).subtract(daysAgo, 'day').format('YYYY-MM-DD')} ${proposal.time}`);
  const at = on(proposal.daysAgo);
  return at < now ? at : on(proposal.daysAgo + 1);
}

class SeedFailure extends Error {}

/** A demo person calling `functionName` as the mini-program would; a refusal is a SeedFailure. */
async function callAs<T>(host: RoomSeedHost, functionName: string, userId: string, action: string, request: object): Promise<T> {
  const person = DEMO_PEOPLE.find((p) => p.userId === userId);
  if (!person) throw new SeedFailure(`no demo person ${userId}`);
  const identity: CallerIdentity = { openid: person.openid, appid: DEMO_APPID, unionid: person.unionid, source: 'wx_client' };
  const { status, body } = await host.invoke(functionName, { action, ...request }, identity);
  const result = body as Result<T> | null;
  if (status !== 200 || !result || typeof result !== 'object') throw new SeedFailure(`${action}: HTTP ${status}`);
  if (!result.ok) throw new SeedFailure(`${action}: ${result.error.code} ${result.error.message}`);
  return result.data;
}

interface Event {
  at: Date;
  proposal: DemoProposal;
  step: Step | null;
}

/** Every submission and step at its moment, in order; steps that would lie ahead of the clock happen now. */
function timeline(now: Date): Event[] {
  const events: Event[] = [];
  for (const proposal of DEMO_PROPOSALS) {
    const submitted = demoSubmittedAt(proposal, now);
    events.push({ at: submitted, proposal, step: null });
    for (const step of proposal.steps) {
      events.push({ at: new Date(Math.min(submitted.getTime() + step.after * HOUR_MS, now.getTime())), proposal, step });
    }
  }
  // Stable: a proposal's submission and steps keep their order when they fall at one instant.
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Makes the demo categories and proposals once: when the demo accounts exist and they were never
 * made. Answers what it made, or null when there was nothing to do; a failing call is logged and
 * leaves the mark unset, so the next start completes it (categories are reused by name, a
 * submission's request id answers the proposal already made, and a step already taken is skipped).
 */
export async function seedDemoProposals(host: ProposalSeedHost, log: (line: string) => void): Promise<DemoProposalsSummary | null> {
  const { engine } = host;
  if (!engine.hasCollection('users') || engine.countDocuments('users', { _id: 'demo-admin', demo: true }) === 0) return null;
  if (engine.countDocuments('settings', { _id: DEMO_PROPOSALS_DOC_ID }) > 0) return null;
  if (!host.listFunctions().some((fn) => fn.name === 'proposal')) {
    log('[demo proposals] the proposal function is not built: no demo proposals');
    return null;
  }
  const call = <T>(userId: string, action: string, request: object): Promise<T> => callAs<T>(host, 'proposal', userId, action, request);
  const frozenAt = host.frozenAt;
  const now = host.currentTime();
  try {
    const existing = new Map((await call<{ items: ProposalCategory[] }>('demo-admin', 'categories.list', { all: true })).items.map((c) => [c.name, c.id] as const));
    const categoryIds = new Map<CategoryKey, string>();
    for (const demo of DEMO_CATEGORIES) {
      const details = { name: demo.name, description: demo.description, active: true, handlerIds: demo.handlerIds };
      categoryIds.set(demo.key, existing.get(demo.name) ?? (await call<ProposalCategory>('demo-admin', 'categories.save', { details })).id);
    }
    const ids = new Map<string, string>();
    const current = (key: string): Promise<ProposalView> => call<ProposalView>('demo-admin', 'proposals.get', { proposalId: ids.get(key) });
    for (const { at, proposal, step } of timeline(now)) {
      host.setClock(at);
      if (!step) {
        const view = await call<ProposalView>(proposal.by, 'proposals.submit', {
          requestId: `demo-proposal-${proposal.key}`,
          categoryId: categoryIds.get(proposal.category),
          title: proposal.title,
          content: proposal.content,
          imageFileIds: [],
          anonymous: proposal.anonymous,
        });
        ids.set(proposal.key, view.id);
        continue;
      }
      if (step.kind === 'support') {
        // Once per person: supporting again changes nothing.
        await call(step.by, 'proposals.support', { proposalId: ids.get(proposal.key), support: true });
        continue;
      }
      const view = await current(proposal.key);
      const target = { proposalId: view.id, rev: view.rev };
      if (step.kind === 'publish' && !view.public) await call('demo-admin', 'proposals.publish', { ...target, public: true });
      if (step.kind === 'move' && PROPOSAL_MOVES[view.status].includes(step.to)) {
        await call('demo-admin', 'proposals.move', { ...target, to: step.to, ...(step.reason ? { reason: step.reason } : {}), ...(step.answer ? { answer: step.answer } : {}) });
      }
      if (step.kind === 'answer' && view.answer?.text !== step.text) await call('demo-admin', 'proposals.answer', { ...target, answer: step.text });
      if (step.kind === 'assign' && view.assignee?.id !== step.handlerId) await call('demo-admin', 'proposals.assign', { ...target, handlerId: step.handlerId });
      if (step.kind === 'rate' && !view.rating) await call(proposal.by, 'proposals.rate', { proposalId: view.id, stars: step.stars, comment: step.comment });
      if (step.kind === 'merge' && view.status !== 'merged') await call('demo-admin', 'proposals.merge', { ...target, intoId: ids.get(step.into) });
    }
    engine.insertDocuments('settings', [{ _id: DEMO_PROPOSALS_DOC_ID, categories: DEMO_CATEGORIES.length, proposals: DEMO_PROPOSALS.length, at: now }]);
    return { categories: DEMO_CATEGORIES.length, proposals: DEMO_PROPOSALS.length };
  } catch (error) {
    if (!(error instanceof SeedFailure)) throw error;
    log(`[demo proposals] not completed, tried again at the next start: ${error.message}`);
    return null;
  } finally {
    host.setClock(frozenAt);
  }
}
