/**
 * The demo notices of `npm start`: what a first start shows in the inbox, a notice and its
 * statistics, written as a publish would leave them.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { InboxPage, NoticeDetail, NoticeStats, Result } from '../../typings';
import { call, startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;
const ADMIN = { openid: 'demo-admin-openid', appid: 'wx-demo-appid' };
const ZHANG = { openid: 'demo-member-1-openid', appid: 'wx-demo-appid' };

beforeAll(async () => {
  cloud = await startTestCloud({ demoNotices: true, functionEnv: { XINTONG_ORG_NAME: '信通大学' } });
});

afterAll(async () => {
  await cloud.close();
});

async function notice<T>(action: string, request: Record<string, unknown>, caller: typeof ADMIN): Promise<T> {
  const reply = await call<Result<T>>(cloud, 'notice', { action, ...request }, caller);
  if (!reply.body.ok) throw new Error(`${action}: ${JSON.stringify(reply.body.error)}`);
  return reply.body.data;
}

test('a demo student finds the pinned announcement above, the exam notice read but unconfirmed, and an unread notice', async () => {
  const box = await notice<InboxPage>('inbox', { filter: 'all' }, ZHANG);
  expect(box.pinned.map((item) => item.title)).toEqual(['图书馆寒假开放时间调整']);
  expect(box.items.map((item) => [item.title, item.read, item.confirmed])).toEqual([
    ['关于本学期期末考试安排的通知', true, false],
    ['学生会换届选举报名', false, false],
  ]);
  expect(box.items[0].edited).toBe(true);
  expect((await notice<{ count: number }>('inbox.unreadCount', {}, ZHANG)).count).toBe(2);
});

test('the exam notice opens with a working link to its private attachment', async () => {
  const detail = await notice<NoticeDetail>('open', { noticeId: 'n_demo_exam' }, ZHANG);
  expect(detail.attachments).toHaveLength(1);
  const response = await fetch(detail.attachments[0].url);
  expect(response.status).toBe(200);
  expect((await response.text()).startsWith('%PDF-1.4')).toBe(true);
});

test('its statistics add up per class and show reads and confirmations', async () => {
  const college = await notice<NoticeStats>('stats', { noticeId: 'n_demo_exam', unitId: 'u_demo_cs' }, ADMIN);
  expect(college.totals.audience).toBeGreaterThan(30);
  expect(college.totals.read).toBeGreaterThan(0);
  expect(college.totals.confirmed).toBeGreaterThan(0);
  expect(college.totals.unread).toBe(college.totals.audience - college.totals.read);
  expect(college.units.map((u) => u.name).sort()).toEqual(['计算机科学2302班', '软件工程2301班']);
  // The counsellor sits in the college itself, in neither class.
  const classes = college.units.reduce((sum, u) => sum + u.audience, 0);
  expect(classes).toBe(college.totals.audience - 1);
});
