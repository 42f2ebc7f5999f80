/**
 * Bugs the notice function tests found, each kept as the test that showed it: reminders to
 * people who can no longer open a notice, empty unread pages above unread 公告, and the request
 * cost of a later joiner's first open.
 */
import type { InboxPage } from '../../typings';
import { code, inBatches, NoticeWorld, useNoticeWorld, type Person, to, wallClock } from '../helpers/notice-fixtures';

const REMIND = 'tmpl-remind';
const TEMPLATES = [{ id: REMIND, kind: 'one-time', purpose: 'remind', fields: { thing1: 'title', thing3: 'hint' } }];

let w: NoticeWorld;
useNoticeWorld('b', (world) => (w = world), { NOTICE_SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES) });

async function accept(person: Person, times = 1): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const response = await fetch(`${w.cloud.url}/_local/openapi/subscribe`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ openid: person.openid, choices: { [REMIND]: 'accept' } }) });
    expect(response.status).toBe(200);
    await w.must('subscriptions.record', { choices: { [REMIND]: 'accept' } }, person);
  }
}

test('reminders skip a deactivated member and someone who moved out of a 公告’s units: they cannot open it', async () => {
  const [k, elsewhere] = await Promise.all([w.unit('root', 'K班', 'class'), w.unit('root', 'L班', 'class')]);
  const [stays, deactivated, movesOut] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([k.id])]);
  for (const person of [stays, deactivated, movesOut]) await accept(person, 2);
  const author = await w.publisher();
  const notice = await w.publish(author, { audience: to([k.id]) });
  const announcement = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  await w.orgMust('members.deactivate', { memberId: deactivated.memberId });
  await w.move(movesOut, [elsewhere.id]);
  expect(code(await w.notice('open', { noticeId: announcement.id }, movesOut))).toBe('NOTICE_NOT_FOUND');
  expect(code(await w.notice('open', { noticeId: notice.id }, deactivated))).toBe('NOTICE_NOT_FOUND');

  expect(await w.must('remind', { noticeId: announcement.id, target: 'unread' }, author)).toMatchObject({ reached: 1 });
  expect(await w.must('remind', { noticeId: notice.id, target: 'unread' }, author)).toMatchObject({ reached: 2 });
  const listing = (await (await fetch(`${w.cloud.url}/_local/openapi`)).json()) as { subscribeMessages: { touser: string; page: string }[] };
  // The one who moved out keeps the 通知 (its audience is fixed) but not the 公告; the deactivated member neither.
  const sent = listing.subscribeMessages.filter((m) => m.touser === deactivated.openid || m.touser === movesOut.openid);
  expect(sent.map((m) => [m.touser, m.page])).toEqual([[movesOut.openid, `pages/notice-detail/index?id=${notice.id}`]]);
});

test('someone who joined later and read most older 公告 finds the unread ones on the first unread page, as the badge counts them', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const older = await inBatches(Array.from({ length: 45 }), 3, () => w.publish(author, { kind: 'announcement', audience: to([k.id]) }));
  const joined = await w.reader([k.id]);
  await w.timer();
  for (const n of older.slice(2)) await w.must('open', { noticeId: n.id }, joined);
  expect((await w.must<{ count: number }>('inbox.unreadCount', {}, joined)).count).toBe(2);
  // The 通知 tab shows its empty state on an empty first page (and cannot scroll to load more).
  const first = await w.must<InboxPage>('inbox', { filter: 'unread' }, joined);
  expect([...first.pinned, ...first.items].map((i) => i.id).sort()).toEqual(older.slice(0, 2).map((n) => n.id).sort());
}, 60_000);

test('a 公告 first opened by someone who joined its units later costs at most 3 requests beyond the guard', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const announcement = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  const joined = await w.reader([k.id]);
  await w.must('inbox.unreadCount', {}, joined);
  const opened = await w.call('open', { noticeId: announcement.id }, joined);
  expect(code(opened.body)).toBe('OK');
  expect(opened.dbRequests).toBeLessThanOrEqual(2 + 3);
});

test('an admin editing someone else’s notice may attach their own upload; the author’s files stay', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const theirs = await w.upload(`notice-files/${author.userId}/作者的.pdf`, Buffer.from('%PDF-1.4 author'));
  const notice = await w.publish(author, { audience: to([k.id]), attachments: [{ fileId: theirs, name: '作者的.pdf', size: 15 }] });
  const admin = await w.person('admin');
  await w.grant(admin.userId, 'admin');
  const mine = await w.upload(`notice-files/${admin.userId}/管理员的.pdf`, Buffer.from('%PDF-1.4 admin'));
  const changes = { title: notice.input.title, body: notice.input.body, deadline: null, pinned: false, requiresConfirm: false, attachments: [...notice.input.attachments, { fileId: mine, name: '管理员的.pdf', size: 14 }] };
  const edited = await w.must<{ input: { attachments: { fileId: string }[] } }>('edit', { noticeId: notice.id, rev: notice.rev, changes }, admin);
  expect(edited.input.attachments.map((a) => a.fileId)).toEqual([theirs, mine]);
});

test('the chronic non-readers page by number: a malformed cursor is refused, one past everybody ends the list', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const admin = await w.person('admin');
  await w.grant(admin.userId, 'admin');
  const author = await w.publisher();
  await w.readers(3, [k.id]);
  const notice = await w.publish(author, { audience: to([k.id]) });
  w.patch('notice_receipts', { noticeId: notice.id }, { deadline: new Date(Date.now() - 60_000) });
  const all = await w.must<{ items: { number: string }[]; next: string | null }>('nonReaders', { unitId: k.id, last: 3 }, admin);
  expect(all.items).toHaveLength(3);
  expect(all.items.map((i) => i.number)).toEqual([...all.items.map((i) => i.number)].sort());
  expect(code(await w.notice('nonReaders', { unitId: k.id, last: 3, after: 'not a cursor!' }, admin))).toBe('INVALID_INPUT');
  const rest = await w.must<{ items: unknown[] }>('nonReaders', { unitId: k.id, last: 3, after: all.items[0].number }, admin);
  expect(rest.items).toHaveLength(2);
  expect((await w.must<{ items: unknown[] }>('nonReaders', { unitId: k.id, last: 3, after: 'zzzz' }, admin)).items).toEqual([]);
});

// Found by the review of the change.

test('a reminder goes to the account bound to the member now, never to one that was unbound from it', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const first = await w.reader([k.id]);
  await accept(first);
  await w.orgMust('members.unbind', { memberId: first.memberId });
  const second = await w.person('second');
  await w.orgMust('members.bind', { memberId: first.memberId, userId: second.userId });
  const author = await w.publisher();
  const notice = await w.publish(author, { title: '机密：处分名单', audience: to([k.id]) });
  expect(await w.must('remind', { noticeId: notice.id, target: 'unread' }, author)).toMatchObject({ reached: 0, noCredit: 1 });
  await accept(second);
  w.patch('notices', { _id: notice.id }, { remindedAt: new Date(Date.now() - 10 * 60_000) });
  expect(await w.must('remind', { noticeId: notice.id, target: 'unread' }, author)).toMatchObject({ reached: 1, noCredit: 0 });
  const listing = (await (await fetch(`${w.cloud.url}/_local/openapi`)).json()) as { subscribeMessages: { touser: string; errCode: number }[] };
  expect(listing.subscribeMessages.filter((m) => m.touser === first.openid)).toEqual([]);
});

test('an edit and a recall at the same moment never leave a recalled notice in an inbox', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const [reader] = await w.readers(2, [k.id]);
  const author = await w.publisher();
  for (let round = 0; round < 8; round += 1) {
    const notice = await w.publish(author, { audience: to([k.id]) });
    const changes = { title: `改 ${round}`, body: notice.input.body, attachments: [], deadline: null, pinned: false, requiresConfirm: false };
    await Promise.all([w.notice('edit', { noticeId: notice.id, rev: notice.rev, changes }, author), w.notice('recall', { noticeId: notice.id }, author)]);
    const doc = w.doc('notices', notice.id) as { status: string; version: number };
    expect(doc.status).toBe('recalled');
    for (const receipt of w.receiptsOf(notice.id)) expect(receipt).toMatchObject({ hidden: true, noticeVersion: doc.version });
    expect(await w.must<InboxPage>('inbox', { filter: 'all' }, reader)).toMatchObject({ items: [] });
  }
}, 60_000);

test('a scheduled notice whose unit was deleted meanwhile is published to nobody and does not stop the timer', async () => {
  const gone = await w.unit('root', '撤销班', 'class');
  const k = await w.unit('root', 'K班', 'class');
  const [leaver] = await w.readers(1, [gone.id]);
  await w.reader([k.id]);
  const author = await w.publisher();
  const at = new Date(Date.now() + 3_600_000);
  const doomed = await w.publish(author, { audience: to([gone.id]), scheduledAt: wallClock(at) });
  const fine = await w.publish(author, { audience: to([k.id]), scheduledAt: wallClock(at) });
  await w.move(leaver, [k.id]);
  await w.orgMust('units.delete', { unitId: gone.id });
  w.patch('notices', { status: 'scheduled' }, { scheduledAt: new Date(Date.now() - 1000) });
  await w.timer();
  expect(w.doc('notices', doomed.id)).toMatchObject({ status: 'published', audienceSize: 0 });
  expect(w.doc('notices', fine.id)).toMatchObject({ status: 'published', audienceSize: 2 });
});

test('a recalled notice is no longer the business of observers; confirming one that asks for none changes nothing', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const [reader] = await w.readers(1, [k.id]);
  const office = await w.unit('root', '学工办', 'department');
  const counsellor = await w.reader([office.id], { kind: 'staff' });
  await w.orgMust('observers.set', { memberId: counsellor.memberId, unitIds: [k.id] });
  const author = await w.publisher();
  const notice = await w.publish(author, { audience: to([k.id]), requiresConfirm: false });
  expect(code(await w.notice('confirm', { noticeId: notice.id }, reader))).toBe('NOTICE_STATE');
  expect(w.receiptsOf(notice.id)[0]).toMatchObject({ confirmedAt: null });
  expect(code(await w.notice('stats', { noticeId: notice.id }, counsellor))).toBe('OK');
  await w.must('recall', { noticeId: notice.id }, author);
  for (const action of ['stats', 'people', 'export']) {
    const request = action === 'stats' ? { noticeId: notice.id } : { noticeId: notice.id, list: 'unread' };
    expect(code(await w.notice(action, request, counsellor))).toBe('NOTICE_NOT_FOUND');
  }
  expect(code(await w.notice('stats', { noticeId: notice.id }, author))).toBe('OK');
});

test('someone who joined later finds an old unread 通知 on the first unread page however many 公告 they read, within the budget', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const reader = await w.reader([k.id]);
  const author = await w.publisher();
  const old = await w.publish(author, { audience: to([k.id]) });
  const later = await inBatches(Array.from({ length: 70 }), 4, () => w.publish(author, { kind: 'announcement', audience: to([k.id]) }));
  for (const n of later) await w.must('open', { noticeId: n.id }, reader);
  expect((await w.must<{ count: number }>('inbox.unreadCount', {}, reader)).count).toBe(1);
  const page = await w.call<InboxPage>('inbox', { filter: 'unread' }, reader);
  expect(page.body.ok && page.body.data.items.map((i) => i.id)).toEqual([old.id]);
  expect(page.dbRequests).toBeLessThanOrEqual(5);
}, 90_000);

test('the 公告 from before someone joined reach their inbox through the timer; reading the inbox costs one query beyond the guard', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const announcements = await inBatches(Array.from({ length: 5 }), 5, () => w.publish(author, { kind: 'announcement', audience: to([k.id]) }));
  const joined = await w.reader([k.id]);
  const before = await w.call<InboxPage>('inbox', { filter: 'all' }, joined);
  expect(before.dbRequests).toBe(3);
  // Until the timer runs, such a 公告 still opens (opening writes its receipt).
  await w.must('open', { noticeId: announcements[0].id }, joined);
  const run = (await w.timer()).body as { data: { synced: number } };
  expect(run.data.synced).toBeGreaterThanOrEqual(1);
  const after = await w.call<InboxPage>('inbox', { filter: 'all' }, joined);
  expect(after.body.ok && [...after.body.data.pinned, ...after.body.data.items].map((i) => i.id).sort()).toEqual(announcements.map((n) => n.id).sort());
  expect(after.dbRequests).toBe(3);
  expect((await w.must<{ count: number }>('inbox.unreadCount', {}, joined)).count).toBe(4);
  const stats = await w.must<{ totals: { audience: number; read: number } }>('stats', { noticeId: announcements[1].id }, author);
  expect(stats.totals).toMatchObject({ audience: 2, read: 0 });
  // Marked done: the next run leaves the account alone.
  expect(w.doc('users', joined.userId)?.noticeSync).toEqual(expect.any(String));
});

test('someone who left a unit with many 公告 still finds an older notice on the first inbox page', async () => {
  const [k, l] = await Promise.all([w.unit('root', 'K班', 'class'), w.unit('root', 'L班', 'class')]);
  const mover = await w.reader([k.id]);
  const author = await w.publisher();
  const old = await w.publish(author, { audience: to([k.id]) });
  await inBatches(Array.from({ length: 25 }), 5, () => w.publish(author, { kind: 'announcement', audience: to([k.id]) }));
  await w.move(mover, [l.id]);
  const page = await w.must<InboxPage>('inbox', { filter: 'all' }, mover);
  expect([...page.pinned, ...page.items].map((i) => i.id)).toEqual([old.id]);
});

// Found by the second review.

test('a receipt written from a copy read just before a recall is hidden by the timer’s settling sync', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const notice = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  const joined = await w.reader([k.id]);
  await w.must('recall', { noticeId: notice.id }, author);
  // A later joiner's open that read the notice before the recall, writing its receipt after it.
  const stale = { ...w.receiptsOf(notice.id)[0], _id: `${notice.id}~${joined.memberId}`, memberId: joined.memberId, hidden: false, noticeVersion: 1 };
  w.insert('notice_receipts', [stale]);
  expect(w.doc('notices', notice.id)).toMatchObject({ receiptsPending: true });
  w.patch('notices', { _id: notice.id }, { updatedAt: new Date(Date.now() - 120_000) });
  await w.timer();
  expect(w.doc('notice_receipts', stale._id)).toMatchObject({ hidden: true });
  expect(w.doc('notices', notice.id)).toMatchObject({ receiptsPending: false });
  expect(await w.must<InboxPage>('inbox', { filter: 'all' }, joined)).toMatchObject({ items: [], pinned: [] });
});

test('a dead publish recalled to a draft and published elsewhere reaches only its new audience', async () => {
  const [k, l] = await Promise.all([w.unit('root', 'K班', 'class'), w.unit('root', 'L班', 'class')]);
  const [inK] = await w.readers(1, [k.id]);
  const [inL] = await w.readers(1, [l.id]);
  const author = await w.publisher();
  const notice = await w.publish(author, { audience: to([k.id]) });
  // The function died after writing receipts, before marking it published.
  w.patch('notices', { _id: notice.id }, { status: 'publishing', leaseUntil: new Date(Date.now() - 1000) });
  const draft = await w.must<{ rev: string; status: string }>('recall', { noticeId: notice.id }, author);
  expect(draft.status).toBe('draft');
  expect(w.receiptsOf(notice.id)).toEqual([]);
  const again = await w.must<{ id: string }>('publish', { requestId: w.next('request-'), noticeId: notice.id, rev: draft.rev, input: w.input({ audience: to([l.id]) }) }, author);
  expect(code(await w.notice('open', { noticeId: again.id }, inK))).toBe('NOTICE_NOT_FOUND');
  expect(code(await w.notice('open', { noticeId: again.id }, inL))).toBe('OK');
  expect(w.receiptsOf(notice.id).map((r) => r.memberId)).toEqual([inL.memberId]);
});

test('an account whose receipts could not be completed is tried again by the next run, not marked done', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const good = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  const broken = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  w.patch('notices', { _id: broken.id }, { attachments: null });
  const joined = await w.reader([k.id]);
  await w.timer();
  expect(w.doc('users', joined.userId)?.noticeSync).toBeUndefined();
  w.patch('notices', { _id: broken.id }, { attachments: [] });
  await w.timer();
  expect(w.doc('users', joined.userId)?.noticeSync).toEqual(expect.any(String));
  const page = await w.must<InboxPage>('inbox', { filter: 'all' }, joined);
  expect([...page.pinned, ...page.items].map((i) => i.id).sort()).toEqual([good.id, broken.id].sort());
});

test('a 公告 still being published when a joiner is completed reaches them', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const notice = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
  w.patch('notices', { _id: notice.id }, { status: 'publishing', leaseUntil: new Date(Date.now() + 60_000) });
  const joined = await w.reader([k.id]);
  await w.timer();
  w.patch('notices', { _id: notice.id }, { status: 'published', leaseUntil: null });
  const page = await w.must<InboxPage>('inbox', { filter: 'all' }, joined);
  expect([...page.pinned, ...page.items].map((i) => i.id)).toEqual([notice.id]);
});

test('a counsellor’s access follows a move of the class they observe', async () => {
  const [jia, yi] = await Promise.all([w.unit('root', '甲学院'), w.unit('root', '乙学院')]);
  const u = await w.unit(jia.id, 'U班', 'class');
  await w.reader([u.id]);
  const office = await w.unit('root', '学工办', 'department');
  const counsellor = await w.reader([office.id], { kind: 'staff' });
  await w.orgMust('observers.set', { memberId: counsellor.memberId, unitIds: [u.id] });
  await w.orgMust('units.move', { unitId: u.id, parentId: yi.id });
  const author = await w.publisher();
  const toJia = await w.publish(author, { audience: to([jia.id, office.id]) });
  const toYi = await w.publish(author, { audience: to([yi.id, office.id]) });
  const jiaDetail = await w.must<{ canSeeStats: boolean }>('open', { noticeId: toJia.id }, counsellor);
  const yiDetail = await w.must<{ canSeeStats: boolean }>('open', { noticeId: toYi.id }, counsellor);
  expect([jiaDetail.canSeeStats, yiDetail.canSeeStats]).toEqual([false, true]);
  expect(code(await w.notice('stats', { noticeId: toYi.id }, counsellor))).toBe('OK');
});

test('reminding the unconfirmed of a notice that asks for no confirmation is refused and spends nothing; a later joiner confirming a 公告 that asks for none writes nothing', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const [reader] = await w.readers(1, [k.id]);
  await accept(reader);
  const author = await w.publisher();
  const notice = await w.publish(author, { audience: to([k.id]), requiresConfirm: false });
  expect(code(await w.notice('remind', { noticeId: notice.id, target: 'unconfirmed' }, author))).toBe('NOTICE_STATE');
  expect(w.doc('notices', notice.id)).toMatchObject({ remindedAt: null });
  const announcement = await w.publish(author, { kind: 'announcement', audience: to([k.id]), requiresConfirm: false });
  const joined = await w.reader([k.id]);
  expect(code(await w.notice('confirm', { noticeId: announcement.id }, joined))).toBe('NOTICE_STATE');
  expect(w.doc('notice_receipts', `${announcement.id}~${joined.memberId}`)).toBeUndefined();
});

test('a later joiner confirming a 公告 they never opened costs 3 requests beyond the guard', async () => {
  const k = await w.unit('root', 'K班', 'class');
  await w.reader([k.id]);
  const author = await w.publisher();
  const announcement = await w.publish(author, { kind: 'announcement', audience: to([k.id]), requiresConfirm: true });
  const joined = await w.reader([k.id]);
  const reply = await w.call<{ readAt: string; confirmedAt: string }>('confirm', { noticeId: announcement.id }, joined);
  expect(reply.body.ok).toBe(true);
  expect(reply.dbRequests).toBeLessThanOrEqual(5);
  expect(w.doc('notice_receipts', `${announcement.id}~${joined.memberId}`)).toMatchObject({ readAt: expect.any(Date), confirmedAt: expect.any(Date) });
});
