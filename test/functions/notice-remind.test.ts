/**
 * Reminders by subscribe message against the local openapi stand-in: people accept a template
 * in the popup (the platform's half, `POST /_local/openapi/subscribe`) and Xintong counts it
 * (`subscriptions.record`); a reminder spends credits, 43101 sets a count Xintong got wrong to
 * zero, every send is recorded, keyword values are cut to their limits, at most one reminder
 * every 5 minutes per notice, and observers remind their own units only.
 */
import type { NoticeStats, RemindResult, Result, SubscriptionState } from '../../typings';
import { ADMIN, code, NoticeWorld, useNoticeWorld, type Person, type Reader, to } from '../helpers/notice-fixtures';

const REMIND = 'tmpl-remind';
const NEW_NOTICE = 'tmpl-new-notice';
const LONG_TERM = 'tmpl-long-term';
const TEMPLATES = [
  { id: REMIND, kind: 'one-time', purpose: 'remind', fields: { thing1: 'title', time2: 'deadline', thing3: 'hint', name4: 'author' } },
  { id: NEW_NOTICE, kind: 'one-time', purpose: 'notice', fields: { thing1: 'title', time2: 'publishedAt' } },
  { id: LONG_TERM, kind: 'long-term', purpose: 'notice', fields: { thing1: 'title' } },
];

let w: NoticeWorld;
useNoticeWorld('r', (world) => (w = world), { NOTICE_SUBSCRIBE_TEMPLATES: JSON.stringify(TEMPLATES) }, { subscribeLongTermTemplates: [LONG_TERM] });

interface SentMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  errCode: number;
}

/** What the stand-in platform received and still counts. */
async function platform(): Promise<{ subscribeMessages: SentMessage[]; subscribeCredits: { openid: string; templateId: string; credits: number }[] }> {
  return (await (await fetch(`${w.cloud.url}/_local/openapi`)).json()) as { subscribeMessages: SentMessage[]; subscribeCredits: { openid: string; templateId: string; credits: number }[] };
}

async function sentTo(openids: readonly string[]): Promise<SentMessage[]> {
  return (await platform()).subscribeMessages.filter((m) => openids.includes(m.touser));
}

/** The popup's answer: what WeChat keeps, and what the mini-program then reports to Xintong. */
async function accept(person: Person, { platformSide = true, xintongSide = true, templateId = REMIND } = {}): Promise<void> {
  const choices = { [templateId]: 'accept' };
  if (platformSide) {
    const response = await fetch(`${w.cloud.url}/_local/openapi/subscribe`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ openid: person.openid, choices }) });
    expect(response.status).toBe(200);
  }
  if (xintongSide) await w.must('subscriptions.record', { choices }, person);
}

async function credits(person: Person, templateId = REMIND): Promise<number> {
  const state = await w.must<SubscriptionState>('subscriptions.state', {}, person);
  return state.templates.find((t) => t.id === templateId)?.credits ?? NaN;
}

function sendsOf(noticeId: string): Record<string, unknown>[] {
  return w.docs('subscribe_sends').filter((s) => s.noticeId === noticeId);
}

/** Lets the 5-minute window of a notice's last reminder pass. */
function windowPasses(noticeId: string): void {
  w.patch('notices', { _id: noticeId }, { remindedAt: new Date(Date.now() - 6 * 60_000) });
}

describe('subscriptions', () => {
  test('each accept of a one-time template is one credit; other answers none; a long-term template stays at one; unknown templates are refused', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const person = await w.reader([k.id]);
    expect(await w.must<SubscriptionState>('subscriptions.state', {}, person)).toEqual({
      templates: [
        { id: REMIND, kind: 'one-time', purpose: 'remind', credits: 0 },
        { id: NEW_NOTICE, kind: 'one-time', purpose: 'notice', credits: 0 },
        { id: LONG_TERM, kind: 'long-term', purpose: 'notice', credits: 0 },
      ],
    });
    await w.must('subscriptions.record', { choices: { [REMIND]: 'accept', [NEW_NOTICE]: 'reject' } }, person);
    await w.must('subscriptions.record', { choices: { [REMIND]: 'accept', [NEW_NOTICE]: 'ban' } }, person);
    await w.must('subscriptions.record', { choices: { [LONG_TERM]: 'accept' } }, person);
    const state = await w.must<SubscriptionState>('subscriptions.record', { choices: { [LONG_TERM]: 'accept', [NEW_NOTICE]: 'filter' } }, person);
    expect(state.templates.map((t) => [t.id, t.credits])).toEqual([
      [REMIND, 2],
      [NEW_NOTICE, 0],
      [LONG_TERM, 1],
    ]);
    const before = JSON.stringify(w.docs('subscriptions'));
    const unknown = await w.notice('subscriptions.record', { choices: { [REMIND]: 'accept', 'tmpl-nobody-configured': 'accept' } }, person);
    expect([code(unknown), (unknown as Result<unknown> & { ok: false }).error.field]).toEqual(['INVALID_INPUT', 'choices']);
    expect(code(await w.notice('subscriptions.record', { choices: { [REMIND]: 'maybe' } }, person))).toBe('INVALID_INPUT');
    expect(JSON.stringify(w.docs('subscriptions'))).toBe(before);
    // The openid is the caller's own, from the WeChat context.
    expect(w.docs('subscriptions').filter((s) => s.accountId === person.userId).every((s) => s.openid === person.openid && s.memberId === person.memberId)).toBe(true);
  });

  test('ten reports of one accept at once add ten credits', async () => {
    const person = await w.reader([(await w.unit('root', 'K班', 'class')).id]);
    const replies = await Promise.all(Array.from({ length: 10 }, () => w.notice('subscriptions.record', { choices: { [NEW_NOTICE]: 'accept' } }, person)));
    expect(replies.map(code)).toEqual(Array(10).fill('OK'));
    expect(await credits(person, NEW_NOTICE)).toBe(10);
  });
});

describe('remind', () => {
  test('reaches the unread with a credit, counts the rest as no credit, spends credits, and a platform 43101 zeroes Xintong’s count', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [one, two, believed, never, done] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([k.id]), w.reader([k.id]), w.reader([k.id])]);
    const everyone = [one, two, believed, never, done].map((p) => p.openid as string);
    await accept(one);
    await accept(two);
    await accept(two);
    // Xintong was told of an accept the platform never had (or spent elsewhere).
    await accept(believed, { platformSide: false });
    const author = await w.publisher();
    const title = '关于二〇二六年春季学期期末考试考场安排及注意事项的通知';
    const published = await w.publish(author, { title, audience: to([k.id]), deadline: '2099-06-30 18:00' });
    await w.must('open', { noticeId: published.id }, done);

    const result = await w.must<RemindResult>('remind', { noticeId: published.id, target: 'unread' }, author);
    expect(result).toMatchObject({ reached: 2, noCredit: 2, failed: 0 });
    expect(await credits(one)).toBe(0);
    expect(await credits(two)).toBe(1);
    expect(await credits(believed)).toBe(0);
    expect(await credits(never)).toBe(0);

    const messages = await sentTo(everyone);
    expect(messages.map((m) => [m.touser, m.errCode]).sort()).toEqual(
      [
        [one.openid, 0],
        [two.openid, 0],
        [believed.openid, 43101],
      ].sort(),
    );
    const delivered = messages.find((m) => m.errCode === 0) as SentMessage;
    expect(delivered).toMatchObject({ templateId: REMIND, page: `pages/notice-detail/index?id=${published.id}` });
    expect(Array.from(delivered.data.thing1.value)).toHaveLength(20);
    expect(delivered.data.thing1.value).toBe(`${Array.from(title).slice(0, 19).join('')}…`);
    expect(delivered.data.time2.value).toBe('2099-06-30 18:00');
    expect(Array.from(delivered.data.thing3.value).length).toBeLessThanOrEqual(20);
    // Every send is recorded with its result.
    expect(sendsOf(published.id).map((s) => [s.memberId, s.errCode, s.templateId, s.purpose]).sort()).toEqual(
      [
        [one.memberId, 0, REMIND, 'remind'],
        [two.memberId, 0, REMIND, 'remind'],
        [believed.memberId, 43101, REMIND, 'remind'],
      ].sort(),
    );

    // Within 5 minutes: refused, nothing sent; the figures say when the next one may go.
    const tooSoon = await w.notice('remind', { noticeId: published.id, target: 'unread' }, author);
    expect(code(tooSoon)).toBe('NOTICE_REMIND_TOO_SOON');
    expect(await sentTo(everyone)).toHaveLength(3);
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id }, author);
    expect(stats.remind.lastAt).not.toBeNull();
    expect(stats.remind.nextAllowedAt).not.toBeNull();

    windowPasses(published.id);
    const again = await w.must<RemindResult>('remind', { noticeId: published.id, target: 'unread' }, author);
    expect(again).toMatchObject({ reached: 1, noCredit: 3, failed: 0 });
    expect(await credits(two)).toBe(0);
    expect(sendsOf(published.id)).toHaveLength(4);
  });

  test('reminding the unconfirmed skips who confirmed; two reminders at once send one round', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [confirmed, readOnly, silent] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([k.id])]);
    for (const person of [confirmed, readOnly, silent]) await accept(person);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id]), requiresConfirm: true });
    await w.must('confirm', { noticeId: published.id }, confirmed);
    await w.must('open', { noticeId: published.id }, readOnly);
    const both = await Promise.all([
      w.notice<RemindResult>('remind', { noticeId: published.id, target: 'unconfirmed' }, author),
      w.notice<RemindResult>('remind', { noticeId: published.id, target: 'unconfirmed' }, ADMIN),
    ]);
    expect(both.map(code).sort()).toEqual(['NOTICE_REMIND_TOO_SOON', 'OK']);
    const result = both.find((r) => r.ok) as { data: RemindResult };
    expect(result.data).toMatchObject({ reached: 2, noCredit: 0 });
    expect((await sentTo([confirmed, readOnly, silent].map((p) => p.openid as string))).map((m) => m.touser).sort()).toEqual([readOnly.openid, silent.openid].sort());
    expect(await credits(confirmed)).toBe(1);
    expect((await sentTo([readOnly.openid as string]))[0].data.thing3.value).toBe('请打开信通确认收到');
  });

  test('a counsellor reminds only the class they observe; members and other units are FORBIDDEN and claim nothing', async () => {
    const author = await w.publisher();
    const { college, a, b, inA: [inA], inB: [inB], notice: published } = await w.collegeNotice([1, 1], author);
    await Promise.all([accept(inA), accept(inB)]);
    const office = await w.unit('root', '学工办', 'department');
    const teacher: Reader = await w.reader([office.id], { kind: 'staff' });
    await w.orgMust('observers.set', { memberId: teacher.memberId, unitIds: [a.id] });

    for (const [caller, unitId] of [[inA, undefined], [teacher, b.id], [teacher, college.id]] as [Person, string | undefined][]) {
      const refused = await w.notice('remind', { noticeId: published.id, target: 'unread', ...(unitId ? { unitId } : {}) }, caller);
      expect(code(refused)).toBe('FORBIDDEN');
    }
    expect(w.doc('notices', published.id)).toMatchObject({ remindedAt: null });
    const result = await w.must<RemindResult>('remind', { noticeId: published.id, target: 'unread' }, teacher);
    expect(result).toMatchObject({ reached: 1, noCredit: 0 });
    expect((await sentTo([inA.openid as string, inB.openid as string])).map((m) => m.touser)).toEqual([inA.openid]);
    expect(await credits(inB)).toBe(1);

    // The author may narrow a reminder to one class too.
    windowPasses(published.id);
    expect(await w.must<RemindResult>('remind', { noticeId: published.id, target: 'unread', unitId: b.id }, author)).toMatchObject({ reached: 1, noCredit: 0 });
    expect((await sentTo([inB.openid as string])).map((m) => m.errCode)).toEqual([0]);
  });
});
