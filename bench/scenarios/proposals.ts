/**
 * Proposals at an institution's scale: 600 bound members in 20 units, 6 categories with their
 * handlers, and 10,000 proposals with 2,000 supports inserted straight into the engine as the
 * `proposal` function writes them (a realistic mix of statuses and handling histories, ~30%
 * public, ~20% anonymous), then measured over HTTP as the mini-program calls the function:
 * - submitting (no images, and 3 images in the submission's folder), by bound members, and the
 *   image checks' verdicts WeChat pushes back (`wxa_media_check`);
 * - 全部提案 (newest and most supported, a first and a later page, by category), 我的提案 and
 *   one proposal;
 * - the handlers' list (an admin's and a category handler's, with status and unit filters) and
 *   the dashboard (an admin's, and by unit);
 * - supporting: one at a time, and 100 members supporting one proposal at once, then 100
 *   withdrawing at once; the run fails unless the stored count and the support documents both
 *   say 100, then 0;
 * - a handler's move with the rev they read (the proposer holds a message credit).
 * Everything but the race is measured first at 1,000 proposals, then at 10,000: the worst
 * single call of each operation must cost the same number of database requests at both sizes
 * and stay within its budget; `broken` lists what does not, so a regression fails the run.
 */
import type { Page, ProposalCard, ProposalCategory, ProposalDashboard, ProposalStatus, ProposalView } from '../../typings';
import { PROPOSAL_STATUSES } from '../../typings/proposal-rules';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { fileIdOf } from '../../local-cloud/src/stand-ins/storage';
import { identityId } from '../../server/db/collections';
import { SUBSCRIPTIONS } from '../../server/notice/model';
import { ROOT_UNIT_ID, UNIT_TREE_DOC_ID } from '../../server/org/model';
import { AUTHORS, PROPOSALS, SUPPORTS, type AuthorDoc, type ProposalDoc, type StoredHistory, type SupportDoc } from '../../server/proposal/model';
import { attemptAction, boundedMeasure, invokeAction, round, type BoundCheck, type Measurement, type Reply } from '../harness';

const COLLEGES = 4;
const DEPARTMENTS_PER_COLLEGE = 4;
const DEPARTMENTS = COLLEGES * DEPARTMENTS_PER_COLLEGE;
const MEMBERS = 600;
/** The first size measured, then the full one: the same worst counts at both say they are bounded. */
const SMALL = 1000;
const LARGE = 10_000;
const SUPPORTS_TOTAL = 2000;
/** Documents inserted at once. */
const INSERT_BATCH = 2000;
const RACERS = 100;
/** Races measured after one that starts the instances. */
const RACES = 2;
const IMAGES = 3;
/** Database requests of the shared guard (identities, then the account) in every call. */
const GUARD = 2;

/**
 * Budgets: database requests of the worst single call, the guard's included.
 * A page of 全部提案: the page in one indexed query, which of its rows are the caller's and
 * which they support in two more.
 */
const PUBLIC_BOUND = GUARD + 3;
/** 我的提案: the caller's page of authorships, then their proposals in one read. */
const MINE_BOUND = GUARD + 2;
/** One proposal: it, the caller's relations to it (2) and its category (whether they handle it). */
const GET_BOUND = GUARD + 4;
/** A merged one: also whether the caller may see the proposal it went into (it, its category, its proposer). */
const GET_MERGED_BOUND = GET_BOUND + 3;
/** The handlers' list: the categories, then as 全部提案. */
const HANDLING_BOUND = GUARD + 4;
/** The dashboard: the categories and two aggregations. */
const DASHBOARD_BOUND = GUARD + 3;
/**
 * Submitting: the request id's earlier proposal, the category, then one transaction (its start,
 * the twin and the day's quota read, the quota, the author and the proposal written, the
 * commit); each image adds its check's document in the transaction, then its check's state
 * and a look for a verdict pushed before that state was written.
 */
const SUBMIT_BOUND = GUARD + 9;
const SUBMIT_IMAGES_BOUND = SUBMIT_BOUND + 3 * IMAGES;
/** A verdict pushed by WeChat: the check by trace id, the image's state, the check done. */
const VERDICT_BOUND = 3;
/**
 * Supporting: as reading one (4), the proposal stamped for the timer, the person's support looked
 * for and inserted, the proposal read again (a merge meanwhile is followed), then counted,
 * written and counted again.
 */
const SUPPORT_BOUND = GUARD + 4 + 1 + 2 + 1 + 3;
/**
 * 100 at once, on the average request: a count that a concurrent change moved is written and
 * counted again, so some requests take more rounds; on average at most as much again as alone.
 */
const RACE_BOUND = 2 * SUPPORT_BOUND;
/**
 * A handler's move: reading it (4), the conditional write, then the proposer's message: who
 * proposed it, their credit, the credit spent and the send recorded.
 */
const MOVE_BOUND = GUARD + 4 + 1 + 4;

const APPID = 'wx-bench-proposal';
const ADMIN = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid', 'X-WX-UNIONID': 'demo-admin-unionid' };
const STATUS_TEMPLATE = 'bench-proposal-status';

/** The function's settings for the benchmark's cloud: a status template proposers hold credits of. */
export const PROPOSAL_BENCH_ENV: Record<string, string> = {
  PROPOSAL_SUBSCRIBE_TEMPLATES: JSON.stringify([{ id: STATUS_TEMPLATE, kind: 'one-time', purpose: 'proposal-status', fields: { thing1: 'title', phrase2: 'status', time3: 'time', thing4: 'answer' } }]),
};

export interface ProposalBound extends BoundCheck {
  /** The worst call's requests at 1,000 proposals (the bound's own figure is at 10,000). */
  atSmall: number | null;
}

export interface ProposalBench {
  rows: Measurement[];
  bounds: ProposalBound[];
  /** Budgets exceeded, counts that grew with the proposals and wrong race outcomes. */
  broken: string[];
  /** Wall time of the whole proposal part, and of inserting the data. */
  seconds: number;
  setupSeconds: number;
}


const pad = (n: number, width: number) => String(n).padStart(width, '0');
const collegeId = (c: number) => `u_pb_c${c}`;
const departmentId = (d: number) => `u_pb_d${pad(d, 2)}`;
const memberId = (n: number) => `m_pb_${pad(n, 3)}`;
const userId = (n: number) => `pb-user-${n}`;
const openid = (n: number) => `pb-member-${n}`;
const memberHeaders = (n: number) => ({ 'X-WX-OPENID': openid(n), 'X-WX-APPID': APPID });
const departmentOf = (n: number) => n % DEPARTMENTS;
const collegeOf = (d: number) => Math.floor(d / DEPARTMENTS_PER_COLLEGE);
const memberName = (n: number) => `教职工${pad(n, 3)}`;
const departmentName = (d: number) => `学院${collegeOf(d) + 1}·系${(d % DEPARTMENTS_PER_COLLEGE) + 1}`;
const proposalId = (i: number) => `p-pb-${pad(i, 6)}`;

/** A handler of the first category (category c's handlers are members 2c and 2c + 1). */
const HANDLER = 0;
/** Has proposals of their own: 我的提案 at both sizes. */
const READER = 20;
const SUPPORTER = 21;
const VIEWER = 22;
/** Proposes the race's proposals, so no racer supports their own. */
const RACE_AUTHOR = 50;
const racer = (k: number) => 100 + k;
/** Members who submit during the run, one submission each, so the daily limit is never reached. */
const FIRST_SUBMITTER = 300;

const CATEGORIES: { name: string; description: string; weight: number }[] = [
  { name: '教学科研（基准）', description: '课程、实验室与科研管理', weight: 0.3 },
  { name: '后勤服务（基准）', description: '食堂、宿舍、维修与物业', weight: 0.2 },
  { name: '校园安全（基准）', description: '消防、交通与门禁', weight: 0.15 },
  { name: '信息化（基准）', description: '网络、系统与数据', weight: 0.15 },
  { name: '文体活动（基准）', description: '工会、文体与场馆', weight: 0.1 },
  { name: '其他建议（基准）', description: '不属于以上类别的建议', weight: 0.1 },
];

const STATUS_MIX: [ProposalStatus, number][] = [
  ['submitted', 0.2],
  ['accepted', 0.12],
  ['in_progress', 0.15],
  ['resolved', 0.35],
  ['rejected', 0.12],
  ['merged', 0.06],
];

/** A 1×1 PNG: the checker judges the bytes, so any picture does. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** The same data every run (mulberry32). */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  let x = rand();
  for (const [value, weight] of weighted) {
    if (x < weight) return value;
    x -= weight;
  }
  return weighted[weighted.length - 1][0];
}

function invoke<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown> = {}): Promise<T> {
  return invokeAction<T>(cloud, 'proposal', headers, action, request);
}

/** One call whose failure is an answer to count, not the end of the benchmark. */
function attempt<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown>): Promise<Reply<T> | { ok: false; status: number }> {
  return attemptAction<T>(cloud, 'proposal', headers, action, request);
}

function insertInBatches(cloud: RunningLocalCloud, collection: string, docs: readonly object[]): void {
  for (let k = 0; k < docs.length; k += INSERT_BATCH) cloud.cloud.engine.insertDocuments(collection, docs.slice(k, k + INSERT_BATCH) as Record<string, unknown>[]);
}

/** 4 colleges of 4 departments, 600 members bound to accounts, each holding credits of the status template. */
function populateMembers(cloud: RunningLocalCloud): void {
  const engine = cloud.cloud.engine;
  const now = new Date();
  const units: Record<string, unknown>[] = [];
  for (let c = 0; c < COLLEGES; c += 1) {
    units.push({ _id: collegeId(c), name: `学院${c + 1}（提案基准）`, kind: 'college', parentId: ROOT_UNIT_ID, childCount: DEPARTMENTS_PER_COLLEGE, memberCount: 0, rosterCount: 0, createdAt: now, updatedAt: now });
  }
  for (let d = 0; d < DEPARTMENTS; d += 1) {
    const people = Math.ceil((MEMBERS - d) / DEPARTMENTS);
    units.push({ _id: departmentId(d), name: departmentName(d), kind: 'department', parentId: collegeId(collegeOf(d)), childCount: 0, memberCount: people, rosterCount: people, createdAt: now, updatedAt: now });
  }
  engine.insertDocuments('units', units);
  engine.modify('units', { query: { _id: ROOT_UNIT_ID }, data: { $inc: { childCount: COLLEGES } }, multi: false, merge: true, upsert: false });
  engine.modify('settings', { query: { _id: UNIT_TREE_DOC_ID }, data: { $set: { rev: `bench-proposals-${Date.now()}` } }, multi: false, merge: true, upsert: true });
  const members: Record<string, unknown>[] = [];
  const users: Record<string, unknown>[] = [];
  const identities: Record<string, unknown>[] = [];
  const subscriptions: Record<string, unknown>[] = [];
  for (let n = 0; n < MEMBERS; n += 1) {
    const d = departmentOf(n);
    const id = memberId(n);
    const name = memberName(n);
    const number = `P${pad(n, 5)}`;
    const unitKeys = [collegeId(collegeOf(d)), departmentId(d)].sort();
    members.push({
      _id: id, name, number, phone: `+86139${pad(n, 8)}`, kind: 'staff', unitIds: [departmentId(d)], title: null, wecomUserId: null,
      observes: [], active: true, userId: userId(n), rev: 'bench', fieldsRev: 'bench', wecomKey: `none:${id}`, createdAt: now, updatedAt: now, deactivatedAt: null,
    });
    users.push({
      _id: userId(n), nickname: name, avatarFileId: null, roles: [], wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now,
      member: { id, name, number, kind: 'staff', unitNames: [departmentName(d)], active: true, unitIds: [departmentId(d)], unitKeys, observes: [], observeKeys: [], hasPhone: true },
    });
    const key = `${APPID}:${openid(n)}`;
    identities.push({ _id: identityId('wx-openid', key), kind: 'wx-openid', key, userId: userId(n), createdAt: now });
    subscriptions.push({ _id: `${userId(n)}~${STATUS_TEMPLATE}`, accountId: userId(n), memberId: id, openid: openid(n), templateId: STATUS_TEMPLATE, credits: 1000, updatedAt: now });
  }
  engine.insertDocuments('members', members);
  engine.insertDocuments('users', users);
  engine.insertDocuments('identities', identities);
  engine.insertDocuments(SUBSCRIPTIONS, subscriptions);
}

interface Made {
  proposals: ProposalDoc[];
  /** The member who proposed each, by proposal id. */
  authorOf: Map<string, number>;
  supports: number;
}

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;

/**
 * Proposals `from` to `to` − 1 as the function leaves them after their handling, their authors,
 * and `supports` supports spread over their public ones (the most supported few gathering many),
 * every count equal to its support documents. `raceIds` are public, open, without supports.
 */
function makeProposals(cloud: RunningLocalCloud, categories: ProposalCategory[], from: number, to: number, supports: number, raceIds: ReadonlySet<string>, rand: () => number): Made {
  const now = Date.now();
  const proposals: ProposalDoc[] = [];
  const authors: AuthorDoc[] = [];
  const authorOf = new Map<string, number>();
  const openByCategory = new Map<string, { id: string; title: string }>();
  const weights = categories.map((category, c) => [category, CATEGORIES[c].weight] as const);
  for (let i = from; i < to; i += 1) {
    const id = proposalId(i);
    const race = raceIds.has(id);
    const category = pick(rand, weights);
    const author = race ? RACE_AUTHOR : i % 97 === 3 ? READER : Math.floor(rand() * MEMBERS);
    const d = departmentOf(author);
    const anonymous = !race && rand() < 0.2;
    let status = race ? 'accepted' : pick(rand, STATUS_MIX);
    const mergeInto = openByCategory.get(category.id);
    if (status === 'merged' && !mergeInto) status = 'submitted';
    const ageMinutes = 60 + rand() * 365 * DAY_MINUTES;
    const submittedAt = new Date(now - ageMinutes * MINUTE);
    // Handling takes from half an hour to three weeks, steps a quarter, half and all the way in.
    const span = Math.min(ageMinutes - 1, 30 + rand() * rand() * 21 * DAY_MINUTES);
    const at = (share: number) => new Date(submittedAt.getTime() + span * share * MINUTE);
    const handler = category.handlers[Math.floor(rand() * category.handlers.length)];
    const title = `关于改进${category.name.replace('（基准）', '')}的第 ${i + 1} 条建议`;
    const history: StoredHistory[] = [{ at: submittedAt, kind: 'submitted', by: null, from: null, to: null, note: null }];
    const step = (when: Date, kind: StoredHistory['kind'], fromValue: string | null, toValue: string | null, note: string | null = null) => history.push({ at: when, kind, by: handler.name, from: fromValue, to: toValue, note });
    const isPublic = race || (status !== 'submitted' && rand() < 0.375);
    if (isPublic) step(at(0.25), 'visibility', 'private', 'public');
    let assignee: ProposalDoc['assignee'] = null;
    if (['accepted', 'in_progress', 'resolved'].includes(status) && rand() < 0.5) {
      assignee = { id: handler.id, name: handler.name };
      step(at(0.25), 'assigned', null, handler.name);
    }
    let answer: ProposalDoc['answer'] = null;
    let rejectReason: string | null = null;
    let firstAnsweredAt: Date | null = null;
    let rating: ProposalDoc['rating'] = null;
    let mergedInto: ProposalDoc['mergedInto'] = null;
    const answerAt = (when: Date, text: string) => {
      answer = { text, by: handler.name, at: when };
      firstAnsweredAt = firstAnsweredAt ?? when;
      step(when, 'answer', null, null, text);
    };
    if (status === 'rejected') {
      rejectReason = '与现行规定冲突，暂不采纳';
      firstAnsweredAt = at(0.25);
      step(at(0.25), 'status', 'submitted', 'rejected', rejectReason);
    } else if (status === 'merged' && mergeInto) {
      mergedInto = mergeInto;
      step(at(0.25), 'merged', 'submitted', mergeInto.title);
    } else if (status !== 'submitted') {
      step(at(0.25), 'status', 'submitted', 'accepted');
      if (status === 'accepted' && rand() < 0.2) answerAt(at(0.5), '已受理，正在调研。');
      if (status === 'in_progress' || status === 'resolved') step(at(0.5), 'status', 'accepted', 'in_progress');
      if (status === 'in_progress' && rand() < 0.5) answerAt(at(0.75), '正在办理，预计下月完成。');
      if (status === 'resolved') {
        step(at(1), 'status', 'in_progress', 'resolved');
        answerAt(at(1), '已按建议完成整改，感谢提出。');
        if (rand() < 0.4) {
          const stars = 1 + Math.floor(rand() * 5);
          const ratedAt = new Date(Math.min(now, at(1).getTime() + DAY_MINUTES * MINUTE));
          rating = { stars, comment: stars >= 4 ? '满意' : '', at: ratedAt };
          history.push({ at: ratedAt, kind: 'rated', by: null, from: null, to: String(stars), note: rating.comment || null });
        }
      }
    }
    if (status === 'submitted' || status === 'accepted' || status === 'in_progress') openByCategory.set(category.id, { id, title });
    history.sort((a, b) => a.at.getTime() - b.at.getTime());
    const doc: ProposalDoc = {
      _id: id,
      title,
      content: `现状：${category.description}方面存在不便。建议：${title}，具体做法见附件说明，请相关部门研究办理。`,
      categoryId: category.id,
      categoryName: category.name,
      anonymous,
      authorName: anonymous ? null : memberName(author),
      unitNames: anonymous ? [] : [departmentName(d)],
      unitKeys: anonymous ? [] : [collegeId(collegeOf(d)), departmentId(d)].sort(),
      images: [],
      status: status as ProposalStatus,
      public: isPublic,
      assignee,
      answer,
      rejectReason,
      mergedInto,
      supportCount: 0,
      rating,
      history,
      submittedAt,
      updatedAt: history[history.length - 1].at,
      firstAnsweredAt,
      answerMinutes: firstAnsweredAt ? Math.max(0, Math.round(((firstAnsweredAt as Date).getTime() - submittedAt.getTime()) / MINUTE)) : null,
      rev: `pb${i.toString(36)}${Math.floor(rand() * 36 ** 6).toString(36)}`,
    };
    proposals.push(doc);
    authorOf.set(id, author);
    authors.push({ _id: id, accountId: userId(author), memberId: memberId(author), name: memberName(author), number: `P${pad(author, 5)}`, unitNames: [departmentName(d)], anonymous, submittedAt });
  }

  // Supports, by members other than the proposer, over the public proposals (not the race's).
  const supportable = proposals.filter((doc) => doc.public && !raceIds.has(doc._id));
  const made = new Map<string, SupportDoc>();
  while (made.size < supports) {
    const doc = supportable[Math.floor(rand() ** 3 * supportable.length)];
    const member = Math.floor(rand() * MEMBERS);
    if (member === authorOf.get(doc._id)) continue;
    const sid = `${doc._id}~${userId(member)}`;
    if (made.has(sid)) continue;
    made.set(sid, { _id: sid, proposalId: doc._id, accountId: userId(member), at: new Date(Math.max(doc.submittedAt.getTime(), now - rand() * 30 * DAY_MINUTES * MINUTE)) });
    doc.supportCount += 1;
  }
  insertInBatches(cloud, PROPOSALS, proposals);
  insertInBatches(cloud, AUTHORS, authors);
  insertInBatches(cloud, SUPPORTS, [...made.values()]);
  return { proposals, authorOf, supports: made.size };
}

/** Checks a page of cards: its length, that `keep` holds for each, and its order. */
function checkPage(what: string, page: Page<ProposalCard>, expected: { min: number; max?: number }, keep: (card: ProposalCard) => boolean, key?: (card: ProposalCard) => number): void {
  const n = page.items.length;
  if (n < expected.min || n > (expected.max ?? 20)) throw new Error(`${what}: ${n} cards, expected ${expected.min}–${expected.max ?? 20}`);
  const bad = page.items.find((card) => !keep(card));
  if (bad) throw new Error(`${what}: a card that does not belong: ${JSON.stringify(bad).slice(0, 300)}`);
  if (key) for (let k = 1; k < n; k += 1) if (key(page.items[k - 1]) < key(page.items[k])) throw new Error(`${what}: cards out of order at ${k}`);
}

/** The page after `pages` − 1 pages of `action`. */
async function pageAt(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown>, pages: number): Promise<string> {
  let after: string | null = null;
  for (let p = 1; p < pages; p += 1) {
    const page: Page<ProposalCard> = await invoke<Page<ProposalCard>>(cloud, headers, action, after ? { ...request, after } : request);
    if (!page.next) throw new Error(`${action} ${JSON.stringify(request)} ended before page ${pages}`);
    after = page.next;
  }
  return after as string;
}

const ts = (text: string) => Date.parse(`${text.replace(' ', 'T')}:00+08:00`);

export async function proposalsScenario(cloud: RunningLocalCloud): Promise<ProposalBench> {
  const started = Date.now();
  const engine = cloud.cloud.engine;
  const counter = () => cloud.cloud.dbRequestsTotal;
  const rows: Measurement[] = [];
  const bounds: ProposalBound[] = [];
  const broken: string[] = [];
  const rand = randomSource(12);

  populateMembers(cloud);
  const categories: ProposalCategory[] = [];
  for (let c = 0; c < CATEGORIES.length; c += 1) {
    const { name, description } = CATEGORIES[c];
    categories.push(await invoke<ProposalCategory>(cloud, ADMIN, 'categories.save', { details: { name, description, active: true, handlerIds: [memberId(2 * c), memberId(2 * c + 1)] } }));
  }
  const category0 = categories[0].id;
  const raceIds = new Set(Array.from({ length: RACES + 1 }, (_, r) => proposalId(SMALL + r)));
  const small = makeProposals(cloud, categories, 0, SMALL, SUPPORTS_TOTAL / 10, new Set(), rand);
  let setupMs = Date.now() - started;

  let submitter = FIRST_SUBMITTER;
  const authorOf = new Map(small.authorOf);

  /** Everything measured at both sizes; `made` is the batch just inserted (targets for writes). */
  const measureAt = async (made: Made, calls: number, keep: Measurement[], budgets: BoundCheck[]): Promise<void> => {
    const run = boundedMeasure('proposals', counter, keep, budgets);
    const total = engine.countDocuments(PROPOSALS);
    const text = `${total.toLocaleString('en')} proposals, ${engine.countDocuments(SUPPORTS).toLocaleString('en')} supports`;
    const reads = calls;
    const writes = Math.max(10, Math.round(calls * 0.7));

    // Submitting, each by another member (the daily limit never reached), with `images` pictures
    // put in the submission's folder first, as wx.uploadFile does before the call.
    const submit = async (images: number): Promise<ProposalView> => {
      const n = submitter;
      submitter += 1;
      const requestId = `pb-${images > 0 ? 'img' : 'new'}-${n}`;
      const imageFileIds = Array.from({ length: images }, (_, k) => {
        const path = `proposal-images/${requestId}/${k}.png`;
        cloud.cloud.storage.put(path, PNG, 'image/png');
        return fileIdOf(path);
      });
      const view = await invoke<ProposalView>(cloud, memberHeaders(n), 'proposals.submit', {
        requestId,
        categoryId: categories[n % categories.length].id,
        title: `建议增设自习室开放时段 ${requestId}`,
        content: '期末前自习室座位紧张，建议延长开放时间至 23:00，并增加值班人员。',
        imageFileIds,
        anonymous: n % 5 === 0,
      });
      if (view.status !== 'submitted' || !view.mine || view.images.length !== images || view.images.some((image) => image.check !== 'pending')) {
        throw new Error(`a submission answered ${JSON.stringify(view).slice(0, 300)}`);
      }
      authorOf.set(view.id, n);
      return view;
    };
    await run({ operation: 'proposals.submit, no images', size: text, calls: writes, run: async () => void (await submit(0)) }, SUBMIT_BOUND);

    // The image checks wait (held) so their verdicts are not counted in the submissions' calls,
    // then each verdict is measured on its own.
    const checks = cloud.cloud.openapi.mediaCheck;
    checks.hold(true);
    const askedBefore = checks.calls.length;
    const withImages: string[] = [];
    await run({
      operation: `proposals.submit, ${IMAGES} images in its folder`,
      size: text,
      calls: Math.max(8, Math.round(calls / 3)),
      run: async () => {
        withImages.push((await submit(IMAGES)).id);
      },
    }, SUBMIT_IMAGES_BOUND);
    const held = checks.calls.slice(askedBefore).filter((call) => call.state === 'held').map((call) => call.traceId as string);
    if (held.length !== withImages.length * IMAGES) broken.push(`${withImages.length} submissions with ${IMAGES} images asked ${held.length} image checks`);
    checks.hold(false);
    await run({
      operation: 'wxa_media_check verdict pushed to the function',
      size: text,
      calls: held.length - 3,
      warmup: 3,
      run: async (i) => {
        const [record] = await checks.release({ traceId: held[i] });
        if (record?.state !== 'delivered' || record.verdict !== 'pass') throw new Error(`an image check ended ${record?.state} ${record?.verdict}: ${record?.problem}`);
      },
    }, VERDICT_BOUND);
    await checks.settled();
    const unchecked = engine.find(PROPOSALS, { query: { _id: { $in: withImages } }, limit: 1000 }).flatMap((doc) => (doc.images as { check: string }[]).filter((image) => image.check !== 'passed'));
    if (unchecked.length > 0) broken.push(`${unchecked.length} images still not passed after their verdicts`);

    // 全部提案, as a member opens the tab, scrolls, sorts and picks a category.
    const publicOf = (request: Record<string, unknown>, min: number) => async () => {
      const page = await invoke<Page<ProposalCard>>(cloud, memberHeaders(VIEWER), 'proposals.public', request);
      const bySupport = request.sort === 'support';
      checkPage(`proposals.public ${JSON.stringify(request).slice(0, 80)}`, page, { min }, (card) => card.public && (!request.categoryId || card.categoryId === request.categoryId), bySupport ? (card) => card.supportCount : (card) => ts(card.submittedAt));
    };
    for (const sort of ['newest', 'support'] as const) {
      await run({ operation: `proposals.public, ${sort}, first page`, size: text, calls: reads, run: publicOf({ sort }, 20) }, PUBLIC_BOUND);
      const after = await pageAt(cloud, memberHeaders(VIEWER), 'proposals.public', { sort }, 5);
      await run({ operation: `proposals.public, ${sort}, fifth page`, size: text, calls: reads, run: publicOf({ sort, after }, 20) }, PUBLIC_BOUND);
    }
    await run({ operation: 'proposals.public, newest, a category, first page', size: text, calls: reads, run: publicOf({ sort: 'newest', categoryId: category0 }, 20) }, PUBLIC_BOUND);
    const categoryAfter = await pageAt(cloud, memberHeaders(VIEWER), 'proposals.public', { sort: 'support', categoryId: category0 }, 3);
    await run({ operation: 'proposals.public, support, a category, third page', size: text, calls: reads, run: publicOf({ sort: 'support', categoryId: category0, after: categoryAfter }, 1) }, PUBLIC_BOUND);

    await run({
      operation: 'proposals.mine, first page',
      size: text,
      calls: reads,
      run: async () => {
        const page = await invoke<Page<ProposalCard>>(cloud, memberHeaders(READER), 'proposals.mine', {});
        checkPage('proposals.mine', page, { min: 1 }, (card) => card.mine, (card) => ts(card.submittedAt));
      },
    }, MINE_BOUND);

    // A member opens a public proposal, and a public duplicate merged into a private proposal
    // of someone else's (which it must not name).
    const byId = new Map(made.proposals.map((doc) => [doc._id, doc]));
    const publicIds = made.proposals.filter((doc) => doc.public && !doc.mergedInto && authorOf.get(doc._id) !== VIEWER).map((doc) => doc._id);
    const mergedIds = made.proposals
      .filter((doc) => doc.public && doc.mergedInto && authorOf.get(doc._id) !== VIEWER && byId.get(doc.mergedInto.id)?.public === false && authorOf.get(doc.mergedInto.id) !== VIEWER)
      .map((doc) => doc._id);
    const get = (ids: string[], merged: boolean) => async (i: number) => {
      const id = ids[i % ids.length];
      const view = await invoke<ProposalView>(cloud, memberHeaders(VIEWER), 'proposals.get', { proposalId: id });
      const hidden = (view.anonymous && (view.authorName !== null || view.unitNames.length > 0)) || (merged && (view.mergedInto?.visible !== false || view.mergedInto.title !== ''));
      if (view.id !== id || view.mine || view.can.handle || hidden) throw new Error(`proposals.get answered ${JSON.stringify(view).slice(0, 300)}`);
    };
    await run({ operation: 'proposals.get, a public proposal, by a member', size: text, calls: reads, run: get(publicIds, false) }, GET_BOUND);
    await run({ operation: 'proposals.get, public, merged into a private one', size: text, calls: reads, run: get(mergedIds, true) }, GET_MERGED_BOUND);

    // The handlers' desk: an admin's (every category) and a handler's of one category.
    const college = collegeId(1);
    const department = departmentId(5);
    const namedIn = (unitId: string) => (card: ProposalCard) => !card.anonymous && engine.countDocuments(PROPOSALS, { _id: card.id, unitKeys: unitId }) === 1;
    const handling = (headers: Record<string, string>, request: Record<string, unknown>, min: number, keep: (card: ProposalCard) => boolean) => async () => {
      const page = await invoke<Page<ProposalCard>>(cloud, headers, 'proposals.handling', request);
      checkPage(`proposals.handling ${JSON.stringify(request)}`, page, { min }, keep, (card) => ts(card.submittedAt));
    };
    const handlerHeaders = memberHeaders(HANDLER);
    await run({ operation: 'proposals.handling, admin, all categories', size: text, calls: reads, run: handling(ADMIN, {}, 20, () => true) }, HANDLING_BOUND);
    await run({
      operation: 'proposals.handling, admin, accepted, in a college',
      size: text,
      calls: reads,
      run: handling(ADMIN, { status: 'accepted', unitId: college }, 1, (card) => card.status === 'accepted' && namedIn(college)(card)),
    }, HANDLING_BOUND);
    await run({ operation: 'proposals.handling, handler of one category', size: text, calls: reads, run: handling(handlerHeaders, {}, 20, (card) => card.categoryId === category0) }, HANDLING_BOUND);
    await run({
      operation: 'proposals.handling, handler, in progress, in a department',
      size: text,
      calls: reads,
      run: handling(handlerHeaders, { status: 'in_progress', unitId: department }, 1, (card) => card.categoryId === category0 && card.status === 'in_progress' && namedIn(department)(card)),
    }, HANDLING_BOUND);

    // The dashboard, checked against the database's own counts (counted before, not timed).
    const dashboard = (request: Record<string, unknown>, scope: Record<string, unknown>) => {
      const total = engine.countDocuments(PROPOSALS, scope);
      const counts = new Map(PROPOSAL_STATUSES.map((status) => [status, engine.countDocuments(PROPOSALS, { ...scope, status })]));
      const answered = engine.countDocuments(PROPOSALS, { ...scope, categoryId: category0, firstAnsweredAt: { $ne: null } });
      return async () => {
        const board = await invoke<ProposalDashboard>(cloud, ADMIN, 'proposals.dashboard', request);
        const wrong = PROPOSAL_STATUSES.filter((status) => board.counts[status] !== counts.get(status));
        if (board.total !== total || wrong.length > 0) throw new Error(`proposals.dashboard ${JSON.stringify(request)}: total ${board.total} of ${total}, wrong counts ${wrong.join(', ')}`);
        const first = board.firstAnswer.find((row) => row.categoryId === category0);
        if (!first || first.answered !== answered) throw new Error(`proposals.dashboard ${JSON.stringify(request)}: ${first?.answered} answered in the first category, ${answered} in the database`);
      };
    };
    // Aggregations over every proposal are the local engine's slowest reads: fewer calls keep the run short.
    const boards = Math.min(reads, 10);
    await run({ operation: 'proposals.dashboard, admin, all categories', size: text, calls: boards, warmup: 2, run: dashboard({}, {}) }, DASHBOARD_BOUND);
    await run({ operation: 'proposals.dashboard, admin, a college', size: text, calls: boards, warmup: 2, run: dashboard({ unitId: college }, { unitKeys: college }) }, DASHBOARD_BOUND);

    // 附议, one at a time: a member supports public proposals they had not supported.
    const supportTargets = made.proposals
      .filter((doc) => doc.public && doc.status !== 'merged' && !raceIds.has(doc._id) && authorOf.get(doc._id) !== SUPPORTER)
      .filter((doc) => engine.countDocuments(SUPPORTS, { _id: `${doc._id}~${userId(SUPPORTER)}` }) === 0)
      .map((doc) => doc._id);
    await run({
      operation: 'proposals.support, one member, a proposal',
      size: text,
      calls: writes,
      run: async (i) => {
        const id = supportTargets[i];
        const reply = await invoke<{ supportCount: number; supported: boolean }>(cloud, memberHeaders(SUPPORTER), 'proposals.support', { proposalId: id, support: true });
        const stored = engine.countDocuments(SUPPORTS, { proposalId: id });
        if (!reply.supported || reply.supportCount !== stored) throw new Error(`proposals.support answered ${JSON.stringify(reply)} with ${stored} supports stored`);
      },
    }, SUPPORT_BOUND);

    // A handler accepts submitted proposals of their category with the rev they read; each
    // proposer holds a credit, so the status message goes out.
    const moveTargets = made.proposals.filter((doc) => doc.categoryId === category0 && doc.status === 'submitted');
    await run({
      operation: 'proposals.move, accepted, by a handler (proposer told)',
      size: text,
      calls: writes,
      run: async (i) => {
        const target = moveTargets[i];
        const proposer = authorOf.get(target._id) as number;
        cloud.cloud.openapi.subscribe(openid(proposer), { [STATUS_TEMPLATE]: 'accept' });
        const sent = cloud.cloud.openapi.subscribeMessages.length;
        const [stored] = engine.find(PROPOSALS, { query: { _id: target._id }, limit: 1 });
        const view = await invoke<ProposalView>(cloud, handlerHeaders, 'proposals.move', { proposalId: target._id, rev: stored.rev, to: 'accepted' });
        const message = cloud.cloud.openapi.subscribeMessages[sent];
        if (view.status !== 'accepted' || view.rev === stored.rev) throw new Error(`proposals.move answered ${JSON.stringify(view).slice(0, 200)}`);
        if (!message || message.touser !== openid(proposer) || message.errCode !== 0) throw new Error(`the proposer of ${target._id} was not told: ${JSON.stringify(message)}`);
      },
    }, MOVE_BOUND);
  };

  const smallBounds: BoundCheck[] = [];
  await measureAt(small, 10, [], smallBounds);

  const insertStarted = Date.now();
  const large = makeProposals(cloud, categories, SMALL, LARGE, SUPPORTS_TOTAL - small.supports, raceIds, rand);
  for (const [id, member] of large.authorOf) authorOf.set(id, member);
  setupMs += Date.now() - insertStarted;
  const largeBounds: BoundCheck[] = [];
  await measureAt(large, 30, rows, largeBounds);

  // The race: 100 members support one proposal at once, then all withdraw at once.
  const size = () => `${RACERS} members at once; ${engine.countDocuments(PROPOSALS).toLocaleString('en')} proposals`;
  const raceTargets = [...raceIds];
  let raceRequests = 0;
  const outcomes = new Map<string, number>();
  const race = async (r: number) => {
    const id = raceTargets[r];
    const before = counter();
    for (const support of [true, false]) {
      const replies = await Promise.all(Array.from({ length: RACERS }, (_, k) => attempt<{ supportCount: number }>(cloud, memberHeaders(racer(k)), 'proposals.support', { proposalId: id, support })));
      const answers = replies.map((reply) => (reply.ok ? 'ok' : 'status' in reply ? `HTTP ${reply.status}` : (reply.error?.code ?? 'no code')));
      for (const answer of answers) outcomes.set(answer, (outcomes.get(answer) ?? 0) + 1);
      const [stored] = engine.find(PROPOSALS, { query: { _id: id }, limit: 1 });
      const documents = engine.countDocuments(SUPPORTS, { proposalId: id });
      const expected = support ? RACERS : 0;
      if (answers.some((answer) => answer !== 'ok') || stored.supportCount !== expected || documents !== expected) {
        broken.push(`race ${r + 1}, ${support ? 'supporting' : 'withdrawing'}: stored count ${stored.supportCount}, ${documents} support documents, expected ${expected}; answers ${JSON.stringify(Object.fromEntries(outcomes))}`);
      }
    }
    if (r >= 1) raceRequests += counter() - before;
  };
  const raceRow = await boundedMeasure('proposals', counter, rows, [])({ operation: `proposals.support, ${RACERS} members at once, then ${RACERS} withdraws`, size: size(), calls: RACES, warmup: 1, run: race });
  raceRow.dbRequestsPerCall = round(raceRequests / (RACES * 2 * RACERS));
  const raceBroken = broken.some((line) => line.startsWith('race'));
  raceRow.operation += ` (${raceBroken ? 'count NOT exact' : `stored count and supports ${RACERS}, then 0`}; db req per request)`;

  // Each budget at 10,000, next to the same operation's worst at 1,000.
  const smallOf = new Map(smallBounds.map((b) => [b.operation, b.maxDbRequests]));
  for (const b of largeBounds) bounds.push({ ...b, atSmall: smallOf.get(b.operation) ?? null });
  bounds.push({ operation: `proposals.support, ${RACERS} at once (average per request)`, maxDbRequests: raceRow.dbRequestsPerCall, bound: RACE_BOUND, holds: raceRow.dbRequestsPerCall <= RACE_BOUND, atSmall: null });
  for (const b of bounds) {
    if (!b.holds) broken.push(`${b.operation}: ${b.maxDbRequests} database requests in one call, budget ${b.bound}`);
    if (b.atSmall !== null && b.atSmall !== b.maxDbRequests) broken.push(`${b.operation}: ${b.atSmall} database requests at ${SMALL.toLocaleString('en')} proposals, ${b.maxDbRequests} at ${LARGE.toLocaleString('en')}: it grows with the proposals`);
  }
  return { rows, bounds, broken, seconds: round((Date.now() - started) / 1000, 1), setupSeconds: round(setupMs / 1000, 1) };
}

export function formatProposalBounds(bench: ProposalBench): string {
  const width = Math.max(...bench.bounds.map((b) => b.operation.length));
  const [small, large] = [SMALL, LARGE].map((n) => n.toLocaleString('en'));
  return [
    `proposal budgets (database requests of the worst call, the guard's 2 included, at ${small} and at ${large} proposals; the proposal part took ${bench.seconds} s, ${bench.setupSeconds} s of it inserting the data)`,
    `  ${''.padEnd(width)}  ${small.padStart(5)}  ${large.padStart(6)}   budget`,
    ...bench.bounds.map((b) => {
      const holds = b.holds && (b.atSmall === null || b.atSmall === b.maxDbRequests);
      return `  ${b.operation.padEnd(width)}  ${(b.atSmall === null ? '' : String(b.atSmall)).padStart(5)}  ${String(b.maxDbRequests).padStart(6)} ≤ ${String(b.bound).padEnd(3)} ${holds ? 'holds' : 'BROKEN'}`;
    }),
  ].join('\n');
}
