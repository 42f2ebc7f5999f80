/**
 * Bugs the notice function tests found, each kept as the test that showed it: reminders to
 * people who can no longer open a notice, empty unread pages above unread 公告, and the request
 * cost of a later joiner's first open.
 */
import type { InboxPage } from '../../typings';
import { code, inBatches, NoticeWorld, useNoticeWorld, type Person, to } from '../helpers/notice-fixtures';

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

test('a made-up cursor of the chronic non-readers is refused instead of restarting the list', async () => {
  const k = await w.unit('root', 'K班', 'class');
  const admin = await w.person('admin');
  await w.grant(admin.userId, 'admin');
  expect(code(await w.notice('nonReaders', { unitId: k.id, last: 3, after: 'm_nobody' }, admin))).toBe('OK');
  const author = await w.publisher();
  await w.reader([k.id]);
  const notice = await w.publish(author, { audience: to([k.id]) });
  w.patch('notice_receipts', { noticeId: notice.id }, { deadline: new Date(Date.now() - 60_000) });
  expect(code(await w.notice('nonReaders', { unitId: k.id, last: 3, after: 'm_nobody' }, admin))).toBe('INVALID_INPUT');
});
