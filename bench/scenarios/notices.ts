/**
 * Notices at the scale of the issue's budgets: 50,000 active members in 5 colleges of 100
 * classes of 100, inserted straight into the engine like the org scenario does, then measured
 * over HTTP as the mini-program calls the `notice` function:
 * - publishing to 100, 1,000, 10,000 and 50,000 people (a new request id each time);
 * - 1,000 small notices published through the function, then the inbox (first and a later
 *   page), the unread count, opening (each call a first read) and confirming, by bound readers;
 * - the statistics of a college of 100 classes, pages of the unread list of a 10,000-person
 *   audience, the reach, the export and reminders (report only, no budget).
 * Each budget of the issue is checked on the largest count of database requests of any single
 * call (never on time); `broken` lists the ones exceeded, so a regression fails the benchmark.
 */
import type { AudienceInput, InboxPage, ManagedNoticeDetail, NoticeInput, NoticeStats, RemindResult } from '../../typings';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { identityId } from '../../server/db/collections';
import { ROOT_UNIT_ID, UNIT_TREE_DOC_ID } from '../../server/org/model';
import { NOTICES, RECEIPTS, receiptId } from '../../server/notice/model';
import { boundedMeasure, invokeAction, type BoundCheck, type Measurement } from '../harness';

const COLLEGES = 5;
const CLASSES_PER_COLLEGE = 100;
const CLASS_SIZE = 100;
const PEOPLE = COLLEGES * CLASSES_PER_COLLEGE * CLASS_SIZE;
/** Bound readers, the first people of the first class: the inbox, open and confirm are theirs. */
const READERS = 20;
/** People who join that class after its 公告 were published (their first open writes a receipt). */
const LATE_READERS = 10;
const SMALL_NOTICES = 1000;
/** Of them, published one at a time and measured: 通知 to the chosen readers. */
const MEASURED_SMALL = 100;
/** The others go this many at once. */
const FILL_PARALLEL = 4;
/** Every ANNOUNCEMENT_EVERY-th of the others is a 公告 to the readers' class, the first PINNED pinned. */
const ANNOUNCEMENT_EVERY = 20;
const PINNED = 3;
/** Every CONFIRM_EVERY-th small 通知 asks for 确认收到. */
const CONFIRM_EVERY = 4;
/** Share of the 10,000-person notice read before its figures are measured, in ten batches; the first CONFIRM_BATCHES also confirmed. */
const READ_SHARE = 0.37;
const CONFIRM_BATCHES = 4;
/** Every SUBSCRIBER_EVERY-th person of the first college holds a reminder credit. */
const SUBSCRIBER_EVERY = 10;
/** One call of a function may run this long on the platform (config.json `timeout`). */
const CALL_LIMIT_MS = 60_000;
/** Database requests of the shared guard (identities, then the account) in every call. */
const GUARD = 2;

const APPID = 'wx-bench-notice';
const REMIND_TEMPLATE = 'bench-notice-remind';
const ADMIN = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid', 'X-WX-UNIONID': 'demo-admin-unionid' };

/** The function's settings for the benchmark's cloud: a one-time template reminders use. */
export const NOTICE_BENCH_ENV: Record<string, string> = {
  NOTICE_SUBSCRIBE_TEMPLATES: JSON.stringify([{ id: REMIND_TEMPLATE, kind: 'one-time', purpose: 'remind', fields: { thing1: 'title', thing2: 'hint' } }]),
};

/** A budget of the issue and whether the worst call kept it. */

export interface NoticeBench {
  rows: Measurement[];
  bounds: BoundCheck[];
  /** Bounds exceeded, described for the run's failure message. */
  broken: string[];
}

function invoke<T>(cloud: RunningLocalCloud, headers: Record<string, string>, action: string, request: Record<string, unknown> = {}): Promise<T> {
  return invokeAction<T>(cloud, 'notice', headers, action, request);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const collegeId = (c: number) => `u_nb_c${c}`;
const classId = (c: number, k: number) => `u_nb_c${c}_k${pad(k, 3)}`;
const memberId = (n: number) => `m_nb_${pad(n, 6)}`;
const readerHeaders = (r: number) => ({ 'X-WX-OPENID': `nb-reader-${r}`, 'X-WX-APPID': APPID });
const lateHeaders = (r: number) => ({ 'X-WX-OPENID': `nb-late-${r}`, 'X-WX-APPID': APPID });

interface Person {
  _id: string;
  name: string;
  number: string;
  unitId: string;
  collegeId: string;
}

function subscriberAccount(n: number): string | null {
  return n % SUBSCRIBER_EVERY === 0 && n <= CLASSES_PER_COLLEGE * CLASS_SIZE ? `nb-sub-user-${n}` : null;
}

/** A roster member as the org function stores one. */
function memberDoc(person: Person, n: number, now: Date): Record<string, unknown> {
  return {
    _id: person._id, name: person.name, number: person.number,
    // A third without a phone, so reach and receipts count both.
    phone: n % 3 === 0 ? null : `+86137${pad(n, 8)}`, kind: 'student', unitIds: [person.unitId], title: null, wecomUserId: null,
    // Every SUBSCRIBER_EVERY-th person of the first college has an account with reminder credits.
    observes: [], active: true, userId: subscriberAccount(n), rev: 'bench', fieldsRev: 'bench', wecomKey: `none:${person._id}`, createdAt: now, updatedAt: now, deactivatedAt: null,
  };
}

/** A bound account with the summary server/org/summaries.ts writes, and its openid. */
function bindAccount(cloud: RunningLocalCloud, person: Person, userId: string, openid: string, className: string, now: Date): void {
  const engine = cloud.cloud.engine;
  engine.modify('members', { query: { _id: person._id }, data: { $set: { userId } }, multi: false, merge: true, upsert: false });
  engine.insertDocuments('users', [{
    _id: userId, nickname: person.name, avatarFileId: null, roles: [], wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now,
    member: {
      id: person._id, name: person.name, number: person.number, kind: 'student', unitNames: [className], active: true,
      unitIds: [person.unitId], unitKeys: [person.collegeId, person.unitId].sort(), observes: [], observeKeys: [], hasPhone: true,
    },
  }]);
  engine.insertDocuments('identities', [{ _id: identityId('wx-openid', `${APPID}:${openid}`), kind: 'wx-openid', key: `${APPID}:${openid}`, userId, createdAt: now }]);
}

function bumpTree(cloud: RunningLocalCloud): void {
  // A new tree revision, as a structural change leaves it: instances reload their snapshot.
  cloud.cloud.engine.modify('settings', { query: { _id: UNIT_TREE_DOC_ID }, data: { $set: { rev: `bench-notices-${Date.now()}` } }, multi: false, merge: true, upsert: true });
}

function populate(cloud: RunningLocalCloud): { people: Person[] } {
  const engine = cloud.cloud.engine;
  const now = new Date();
  const units: Record<string, unknown>[] = [];
  const members: Record<string, unknown>[] = [];
  const people: Person[] = [];
  const unitDoc = (id: string, name: string, kind: string, parentId: string, childCount: number, memberCount: number) => ({
    _id: id, name, kind, parentId, childCount, memberCount, rosterCount: memberCount, createdAt: now, updatedAt: now,
  });
  for (let c = 0; c < COLLEGES; c += 1) {
    units.push(unitDoc(collegeId(c), `通知学院${c}`, 'college', ROOT_UNIT_ID, CLASSES_PER_COLLEGE, 0));
    for (let k = 0; k < CLASSES_PER_COLLEGE; k += 1) {
      units.push(unitDoc(classId(c, k), `通知${c}班${pad(k, 3)}`, 'class', collegeId(c), 0, CLASS_SIZE));
      for (let i = 0; i < CLASS_SIZE; i += 1) {
        const n = people.length + 1;
        const person = { _id: memberId(n), name: `学员${n}`, number: `N${pad(n, 7)}`, unitId: classId(c, k), collegeId: collegeId(c) };
        people.push(person);
        members.push(memberDoc(person, n, now));
      }
    }
  }
  engine.insertDocuments('units', units);
  engine.insertDocuments('members', members);
  engine.modify('units', { query: { _id: ROOT_UNIT_ID }, data: { $inc: { childCount: COLLEGES } }, multi: false, merge: true, upsert: false });
  bumpTree(cloud);
  for (let r = 0; r < READERS; r += 1) bindAccount(cloud, people[r], `nb-reader-user-${r}`, `nb-reader-${r}`, '通知0班000', now);

  // Reminder credits, as accepted in the popup: WeChat's side (the stand-in) and Xintong's count.
  const subscriptions: Record<string, unknown>[] = [];
  for (let n = SUBSCRIBER_EVERY; n <= CLASSES_PER_COLLEGE * CLASS_SIZE; n += SUBSCRIBER_EVERY) {
    const openid = `nb-sub-${n}`;
    cloud.cloud.openapi.subscribe(openid, { [REMIND_TEMPLATE]: 'accept' });
    subscriptions.push({ _id: `nb-sub-user-${n}~${REMIND_TEMPLATE}`, accountId: `nb-sub-user-${n}`, memberId: memberId(n), openid, templateId: REMIND_TEMPLATE, credits: 1, updatedAt: now });
  }
  engine.insertDocuments('subscriptions', subscriptions);
  return { people };
}

function noticeInput(title: string, audience: AudienceInput, options: Partial<NoticeInput> = {}): NoticeInput {
  return {
    kind: 'notice',
    title,
    body: '各位同学：\n\n请于本周五前登录教务系统核对**个人信息**，如有错误请联系辅导员。\n\n教务处',
    attachments: [],
    audience,
    requiresConfirm: false,
    deadline: null,
    pinned: false,
    scheduledAt: null,
    ...options,
  };
}

const units = (...unitIds: string[]): AudienceInput => ({ all: false, unitIds, memberIds: [] });

/** The cursor `pages` pages down a paged list. */
async function cursorAfter(pages: number, page: (after: string | null) => Promise<{ next: string | null }>): Promise<string> {
  let after: string | null = null;
  for (let i = 0; i < pages; i += 1) {
    after = (await page(after)).next;
    if (!after) throw new Error(`the list has fewer than ${pages + 1} pages`);
  }
  return after as string;
}

export async function noticesScenario(cloud: RunningLocalCloud): Promise<NoticeBench> {
  const { people } = populate(cloud);
  const counter = () => cloud.cloud.dbRequestsTotal;
  const rows: Measurement[] = [];
  const bounds: BoundCheck[] = [];
  const roster = `${PEOPLE.toLocaleString('en')} people in ${COLLEGES} colleges of ${CLASSES_PER_COLLEGE} classes, ${cloud.cloud.engine.countDocuments('members').toLocaleString('en')} members in all`;

  const run = boundedMeasure('notices', counter, rows, bounds);

  // Publishing: an instance with the tree loaded first, as the author's reach check leaves it.
  await invoke(cloud, ADMIN, 'reach', { audience: units(classId(0, 0)), kind: 'notice' });
  const published: Record<number, string> = {};
  const audiences: [number, AudienceInput, number][] = [
    [100, units(classId(0, 0)), 10],
    [1000, units(...Array.from({ length: 10 }, (_, k) => classId(0, k))), 5],
    [10_000, units(collegeId(0)), 2],
    [PEOPLE, units(...Array.from({ length: COLLEGES }, (_, c) => collegeId(c))), 1],
  ];
  for (const [size, audience, calls] of audiences) {
    const label = size.toLocaleString('en');
    const row = await run({
      operation: `publish to ${label} people`,
      size: roster,
      calls,
      warmup: 0,
      run: async (i) => {
        const view = await invoke<ManagedNoticeDetail>(cloud, ADMIN, 'publish', { requestId: `bench-publish-${size}-${i}`, input: noticeInput(`期末安排（${label} 人）第 ${i + 1} 次`, audience) });
        if (view.status !== 'published' || view.counts.audience !== size) throw new Error(`publish to ${label} reached ${view.counts.audience} people (${view.status})`);
        published[size] ??= view.id;
      },
    }, 10 + Math.floor(size / 1000));
    row.operation += row.p95Ms <= CALL_LIMIT_MS ? ' (fits one 60 s call)' : ' (EXCEEDS one 60 s call)';
  }

  // The inbox's notices: 1,000 small ones through the function, the way an institution fills
  // it. The first ones are measured one at a time; the rest go four at once to save time.
  const confirmable: string[] = [];
  const publishSmall = async (i: number) => {
    const announcement = i >= MEASURED_SMALL && i % ANNOUNCEMENT_EVERY === 0;
    const requiresConfirm = !announcement && i % CONFIRM_EVERY === 1;
    const input = announcement
      ? noticeInput(`公告 ${i}`, units(classId(0, 0)), { kind: 'announcement', pinned: i < MEASURED_SMALL + PINNED * ANNOUNCEMENT_EVERY })
      : noticeInput(`通知 ${i}`, { all: false, unitIds: [], memberIds: people.slice(0, READERS).map((p) => p._id) }, { requiresConfirm });
    const view = await invoke<ManagedNoticeDetail>(cloud, ADMIN, 'publish', { requestId: `bench-small-${i}`, input });
    if (requiresConfirm) confirmable.push(view.id);
  };
  await run({ operation: `publish to ${READERS} chosen people`, size: roster, calls: MEASURED_SMALL, warmup: 0, run: publishSmall }, 10);
  for (let i = MEASURED_SMALL; i < SMALL_NOTICES; i += FILL_PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(FILL_PARALLEL, SMALL_NOTICES - i) }, (_, j) => publishSmall(i + j)));
  }
  const inDb = `${cloud.cloud.engine.countDocuments(NOTICES).toLocaleString('en')} notices, ${cloud.cloud.engine.countDocuments(RECEIPTS).toLocaleString('en')} receipts`;

  // A later page: the cursor ten pages down the first reader's inbox.
  const later = await cursorAfter(10, (after) => invoke<InboxPage>(cloud, readerHeaders(0), 'inbox', after ? { filter: 'all', after } : { filter: 'all' }));
  await run({ operation: 'inbox, all, first page', size: inDb, calls: 100, run: (i) => invoke(cloud, readerHeaders(i % READERS), 'inbox', { filter: 'all' }) }, GUARD + 3);
  await run({ operation: 'inbox, unread, first page', size: inDb, calls: 100, run: (i) => invoke(cloud, readerHeaders(i % READERS), 'inbox', { filter: 'unread' }) }, GUARD + 3);
  await run({ operation: 'inbox, all, 11th page', size: inDb, calls: 100, run: (i) => invoke(cloud, readerHeaders(i % READERS), 'inbox', { filter: 'all', after: later }) }, GUARD + 3);
  await run({ operation: 'inbox.unreadCount', size: inDb, calls: 100, run: (i) => invoke(cloud, readerHeaders(i % READERS), 'inbox.unreadCount') }, GUARD + 3);

  // Open then confirm: each call a different (reader, notice), so each is a first read / confirmation.
  const pair = (i: number) => ({ reader: i % READERS, noticeId: confirmable[Math.floor(i / READERS)] });
  if (confirmable.length * READERS < 300) throw new Error('too few notices to confirm');
  await run({ operation: 'open, first read', size: inDb, calls: 200, run: (i) => invoke(cloud, readerHeaders(pair(i).reader), 'open', { noticeId: pair(i).noticeId }) }, GUARD + 3);
  await run({ operation: 'confirm, first confirmation of a read notice', size: inDb, calls: 200, run: (i) => invoke(cloud, readerHeaders(pair(i).reader), 'confirm', { noticeId: pair(i).noticeId }) }, GUARD + 3);
  // Confirming straight from a reminder: read and confirmed in one update.
  const unopened = (i: number) => ({ reader: i % READERS, noticeId: confirmable[confirmable.length - 1 - Math.floor(i / READERS)] });
  await run({ operation: 'confirm, never opened', size: inDb, calls: 100, run: (i) => invoke(cloud, readerHeaders(unopened(i).reader), 'confirm', { noticeId: unopened(i).noticeId }) }, GUARD + 3);

  // People who joined the readers' class after its 公告: their first open writes their receipt.
  const now = new Date();
  for (let r = 0; r < LATE_READERS; r += 1) {
    const n = PEOPLE + 1 + r;
    const person = { _id: memberId(n), name: `新生${r}`, number: `N${pad(n, 7)}`, unitId: classId(0, 0), collegeId: collegeId(0) };
    cloud.cloud.engine.insertDocuments('members', [memberDoc(person, n, now)]);
    bindAccount(cloud, person, `nb-late-user-${r}`, `nb-late-${r}`, '通知0班000', now);
  }
  // Their inbox shows these once the timer has run (the benchmark runs without timers): take them from the database.
  const lateIds = (cloud.cloud.engine.find(NOTICES, { query: { kind: 'announcement', status: 'published' }, limit: 20 }) as { _id: string }[]).map((doc) => doc._id);
  if (lateIds.length < 3) throw new Error(`only ${lateIds.length} 公告 for a late joiner to open`);
  await run({
    operation: 'open, 公告 published before the reader joined (writes the receipt)',
    size: inDb,
    calls: LATE_READERS * 2,
    warmup: LATE_READERS,
    run: (i) => invoke(cloud, lateHeaders(i % LATE_READERS), 'open', { noticeId: lateIds[Math.floor(i / LATE_READERS)] }),
  });

  // Figures of the 10,000-person notice. Its reads are written straight into the receipts, at
  // ten different times and some confirmed: 3,700 opens through the function would cost minutes.
  const tenThousand = published[10_000];
  const first = people.slice(0, CLASSES_PER_COLLEGE * CLASS_SIZE);
  const reads = first.filter((_, n) => (n * 7919) % 100 < READ_SHARE * 100);
  for (let batch = 0; batch < 10; batch += 1) {
    const ids = reads.filter((_, n) => n % 10 === batch).map((p) => receiptId(tenThousand, p._id));
    const readAt = new Date(Date.now() + (batch + 1) * 7 * 60_000);
    cloud.cloud.engine.modify(RECEIPTS, { query: { _id: { $in: ids } }, data: { $set: { readAt, readSeconds: (batch + 1) * 7 * 60 } }, multi: true, merge: true, upsert: false });
    if (batch < CONFIRM_BATCHES) {
      cloud.cloud.engine.modify(RECEIPTS, { query: { _id: { $in: ids } }, data: { $set: { confirmedAt: readAt } }, multi: true, merge: true, upsert: false });
    }
  }
  const figures = `10,000-person notice (${reads.length.toLocaleString('en')} read), ${inDb}`;
  await run({
    operation: 'stats, college of 100 classes (a bar per class)',
    size: figures,
    calls: 10,
    warmup: 2,
    run: async () => {
      const stats = await invoke<NoticeStats>(cloud, ADMIN, 'stats', { noticeId: tenThousand, unitId: collegeId(0) });
      if (stats.units.length !== CLASSES_PER_COLLEGE || stats.totals.read !== reads.length) throw new Error(`stats: ${stats.units.length} units, ${stats.totals.read} read`);
    },
  }, GUARD + 5);
  await run({
    operation: `stats, ${PEOPLE.toLocaleString('en')}-person notice, whole organisation (a bar per college)`,
    size: `${PEOPLE.toLocaleString('en')}-person notice, ${inDb}`,
    calls: 3,
    warmup: 1,
    run: () => invoke(cloud, ADMIN, 'stats', { noticeId: published[PEOPLE] }),
  }, GUARD + 5);
  const unreadAfter = await cursorAfter(50, (after) => invoke<{ next: string | null }>(cloud, ADMIN, 'people', after ? { noticeId: tenThousand, list: 'unread', after } : { noticeId: tenThousand, list: 'unread' }));
  await run({ operation: 'people, unread, first page of 50', size: figures, calls: 50, run: () => invoke(cloud, ADMIN, 'people', { noticeId: tenThousand, list: 'unread' }) }, GUARD + 5);
  await run({ operation: 'people, unread, 51st page', size: figures, calls: 50, run: () => invoke(cloud, ADMIN, 'people', { noticeId: tenThousand, list: 'unread', after: unreadAfter }) }, GUARD + 5);
  await run({ operation: 'people, unread, search by name prefix', size: figures, calls: 50, run: () => invoke(cloud, ADMIN, 'people', { noticeId: tenThousand, list: 'unread', query: '学员12' }) }, GUARD + 5);
  await run({ operation: 'people, unread, one class', size: figures, calls: 50, run: () => invoke(cloud, ADMIN, 'people', { noticeId: tenThousand, list: 'unread', unitId: classId(0, 42) }) }, GUARD + 5);

  // Reported without a budget.
  await run({ operation: 'reach of a 10,000-person audience (a college)', size: roster, calls: 5, warmup: 1, run: () => invoke(cloud, ADMIN, 'reach', { audience: units(collegeId(0)), kind: 'notice' }) });
  await run({ operation: `reach of a ${PEOPLE.toLocaleString('en')}-person audience (${COLLEGES} colleges)`, size: roster, calls: 1, warmup: 0, run: () => invoke(cloud, ADMIN, 'reach', { audience: units(...Array.from({ length: COLLEGES }, (_, c) => collegeId(c))), kind: 'notice' }) });
  await run({
    operation: 'export, all 10,000 of a notice (.xlsx)',
    size: figures,
    calls: 3,
    warmup: 0,
    run: async () => {
      const file = await invoke<{ rows: number }>(cloud, ADMIN, 'export', { noticeId: tenThousand, list: 'all' });
      if (file.rows !== CLASSES_PER_COLLEGE * CLASS_SIZE) throw new Error(`export wrote ${file.rows} rows`);
    },
  });
  for (const size of [10_000, PEOPLE]) {
    let outcome: RemindResult | null = null;
    const row = await run({
      operation: `remind the unread of the ${size.toLocaleString('en')}-person notice`,
      size: `${size === 10_000 ? figures : `${PEOPLE.toLocaleString('en')}-person notice, ${inDb}`}, every ${SUBSCRIBER_EVERY}th person of the first college with a credit`,
      calls: 1,
      warmup: 0,
      run: async () => {
        outcome = await invoke<RemindResult>(cloud, ADMIN, 'remind', { noticeId: published[size], target: 'unread' });
      },
    });
    const result = outcome as RemindResult | null;
    if (result) row.operation += ` [${result.reached} reached, ${result.noCredit} without a credit, ${result.failed} failed]`;
  }

  const broken = bounds.filter((b) => !b.holds).map((b) => `${b.operation}: ${b.maxDbRequests} database requests in one call, budget ${b.bound}`);
  return { rows, bounds, broken };
}

export function formatBounds(bounds: readonly BoundCheck[]): string {
  const width = Math.max(...bounds.map((b) => b.operation.length));
  return [
    'notice budgets (database requests of the worst call, the guard\'s 2 included)',
    ...bounds.map((b) => `  ${b.operation.padEnd(width)}  ${String(b.maxDbRequests).padStart(3)} ≤ ${String(b.bound).padEnd(3)} ${b.holds ? 'holds' : 'BROKEN'}`),
  ].join('\n');
}
