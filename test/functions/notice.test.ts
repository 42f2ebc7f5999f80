/**
 * The `notice` function through the local cloud on the real wx-server-sdk: composing (limits,
 * attachments, times, the content check), drafts, permissions, idempotent publishing, edit and
 * recall, the timer (scheduled publishing exactly once, resuming a crashed publish), private
 * attachments, and subscriptions on a deployment without templates.
 * Audiences and the inbox, statistics and reminders have their own files.
 */
import { DEFAULT_RISKY_WORD } from '../../local-cloud/src/cloud';
import type { InboxPage, ManagedNotice, ManagedNoticeDetail, NoticeDetail, NoticeInput, NoticeReach, NoticeStats, Page, Result, SubscriptionState } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { call } from '../helpers/local-cloud';
import { ADMIN, code, NoticeWorld, useNoticeWorld, type Person, type Reader, to, wallClock } from '../helpers/notice-fixtures';

let w: NoticeWorld;
useNoticeWorld('c', (world) => (w = world));

function field(result: Result<unknown>): string | undefined {
  return result.ok ? undefined : result.error.field;
}

/** A class with `size` bound readers and a publisher outside it. */
async function classWith(size: number): Promise<{ unitId: string; readers: Reader[]; author: Person }> {
  const cls = await w.unit('root', '班', 'class');
  const [readers, author] = await Promise.all([w.readers(size, [cls.id]), w.publisher()]);
  return { unitId: cls.id, readers, author };
}

/** What a refused request must leave as it was. */
function snapshot(): string {
  return JSON.stringify(['notices', 'notice_receipts', 'subscriptions', 'subscribe_sends'].map((name) => w.docs(name)));
}

async function inboxIds(reader: Person, filter: 'all' | 'unread' = 'all'): Promise<string[]> {
  const page = await w.must<InboxPage>('inbox', { filter }, reader);
  return [...page.pinned, ...page.items].map((item) => item.id);
}

const PDF = Buffer.from('%PDF-1.4 考场安排\n%%EOF\n');

describe('compose: what a notice may hold', () => {
  test('titles are 1–64 characters counted as code points, bodies at most 5,000', async () => {
    const { unitId, author } = await classWith(1);
    const audience = to([unitId]);
    const save = (input: Partial<NoticeInput>) => w.notice<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience, ...input }) }, author);
    expect(code(await save({ title: '😀'.repeat(FIELD_LIMITS.noticeTitle) }))).toBe('OK');
    const long = await save({ title: '😀'.repeat(FIELD_LIMITS.noticeTitle + 1) });
    expect([code(long), field(long)]).toEqual(['INVALID_INPUT', 'input.title']);
    expect(code(await save({ body: '字'.repeat(FIELD_LIMITS.noticeBody) }))).toBe('OK');
    const longBody = await save({ body: '字'.repeat(FIELD_LIMITS.noticeBody + 1) });
    expect([code(longBody), field(longBody)]).toEqual(['INVALID_INPUT', 'input.body']);
    // A draft may have no title yet; publishing needs one.
    expect(code(await save({ title: '  ' }))).toBe('OK');
    const untitled = await w.notice('publish', { requestId: w.next('request-'), input: w.input({ audience, title: ' \n ' }) }, author);
    expect([code(untitled), field(untitled)]).toEqual(['INVALID_INPUT', 'input.title']);
  });

  test('attachments: at most 9, kinds by extension, at most 10 MB, only the author’s own uploads that exist', async () => {
    const { unitId, readers, author } = await classWith(1);
    const other = await w.publisher();
    const mine = (name: string) => `notice-files/${author.userId}/${name}`;
    const names = ['考场.JPG', '安排.pdf', '报名表.docx', '名单.xls', '说明.pptx'];
    const fileIds = await Promise.all(names.map((name) => w.upload(mine(name), PDF)));
    const attachments = fileIds.map((fileId, i) => ({ fileId, name: names[i], size: PDF.length }));
    const saved = await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]), attachments }) }, author);
    expect(saved.input.attachments).toEqual(attachments);
    const published = await w.must<ManagedNoticeDetail>('publish', { requestId: w.next('request-'), noticeId: saved.id, rev: saved.rev, input: saved.input }, author);
    const opened = await w.must<NoticeDetail>('open', { noticeId: published.id }, readers[0]);
    expect(opened.attachments.map((a) => a.kind)).toEqual(['image', 'pdf', 'word', 'excel', 'powerpoint']);

    const attempt = (list: NoticeInput['attachments']) => w.notice('publish', { requestId: w.next('request-'), input: w.input({ audience: to([unitId]), attachments: list }) }, author);
    const before = snapshot();
    const ten = Array.from({ length: FIELD_LIMITS.noticeAttachments + 1 }, (_, i) => ({ fileId: fileIds[0].replace('考场.JPG', `f${i}.jpg`), name: `f${i}.jpg`, size: 10 }));
    expect(code(await attempt(ten))).toBe('INVALID_INPUT');
    const exe = await attempt([{ fileId: fileIds[0], name: '考场.exe', size: 10 }]);
    expect([code(exe), field(exe)]).toEqual(['INVALID_INPUT', 'input.attachments.name']);
    const big = await attempt([{ fileId: fileIds[0], name: '考场.jpg', size: FIELD_LIMITS.attachmentBytes + 1 }]);
    expect([code(big), field(big)]).toEqual(['INVALID_INPUT', 'input.attachments.size']);
    const foreign = await w.upload(`notice-files/${other.userId}/别人的.pdf`, PDF);
    const avatar = await w.upload(`avatars/${author.userId}/1.jpg`, PDF);
    const refusedIds = [
      foreign,
      avatar,
      foreign.replace(`notice-files/${other.userId}/`, `notice-files/${author.userId}/../${other.userId}/`),
      // In the author's folder but never uploaded.
      fileIds[1].replace('安排.pdf', '不存在.pdf'),
    ];
    for (const fileId of refusedIds) {
      const refused = await attempt([{ fileId, name: '附件.pdf', size: 10 }]);
      expect([fileId, code(refused), field(refused)]).toEqual([fileId, 'NOTICE_ATTACHMENT_INVALID', 'input.attachments']);
    }
    expect(snapshot()).toBe(before);
    // Exactly 10 MB is allowed.
    expect(code(await attempt([{ fileId: fileIds[1], name: '安排.pdf', size: FIELD_LIMITS.attachmentBytes }]))).toBe('OK');
  });

  test('times: malformed or impossible → INVALID_INPUT naming the field; scheduling in the past or a deadline before publishing is refused', async () => {
    const { unitId, author } = await classWith(1);
    const attempt = (input: Partial<NoticeInput>) => w.notice('publish', { requestId: w.next('request-'), input: w.input({ audience: to([unitId]), ...input }) }, author);
    const now = Date.now();
    const before = snapshot();
    const cases: [Partial<NoticeInput>, string][] = [
      [{ deadline: '明天下午' }, 'input.deadline'],
      [{ deadline: '2026-02-30 10:00' }, 'input.deadline'],
      [{ scheduledAt: '2026-13-01 10:00' }, 'input.scheduledAt'],
      [{ scheduledAt: wallClock(new Date(now - 3_600_000)) }, 'input.scheduledAt'],
      [{ scheduledAt: wallClock(new Date(now + 100 * 86_400_000)) }, 'input.scheduledAt'],
      [{ deadline: wallClock(new Date(now - 3_600_000)) }, 'input.deadline'],
      [{ scheduledAt: wallClock(new Date(now + 2 * 3_600_000)), deadline: wallClock(new Date(now + 3_600_000)) }, 'input.deadline'],
    ];
    for (const [input, expected] of cases) {
      const refused = await attempt(input);
      expect([input, code(refused), field(refused)]).toEqual([input, 'INVALID_INPUT', expected]);
    }
    expect(snapshot()).toBe(before);
    expect(code(await attempt({ deadline: wallClock(new Date(now + 86_400_000)) }))).toBe('OK');
  });

  test('the content check refuses the title or the body, naming the field; a long body is checked in pieces', async () => {
    const { unitId, author } = await classWith(1);
    const attempt = (input: Partial<NoticeInput>) => w.notice('publish', { requestId: w.next('request-'), input: w.input({ audience: to([unitId]), ...input }) }, author);
    const before = snapshot();
    const title = await attempt({ title: `关于${DEFAULT_RISKY_WORD}的通知` });
    expect([code(title), field(title)]).toEqual(['CONTENT_RISKY', 'input.title']);
    const body = await attempt({ body: `第一段\n\n${DEFAULT_RISKY_WORD}` });
    expect([code(body), field(body)]).toEqual(['CONTENT_RISKY', 'input.body']);
    // 4,000 characters: the risky word lies only in the second piece of 2,500.
    const secondPiece = await attempt({ body: `${'正'.repeat(2600)}${DEFAULT_RISKY_WORD}${'文'.repeat(1400 - DEFAULT_RISKY_WORD.length)}` });
    expect([code(secondPiece), field(secondPiece)]).toEqual(['CONTENT_RISKY', 'input.body']);
    expect(snapshot()).toBe(before);
    // Pieces that the stand-in passes make a publishable notice of the same length.
    const clean = await attempt({ body: '正'.repeat(4000) });
    expect(code(clean)).toBe('OK');
    const published = (clean as { data: ManagedNoticeDetail }).data;
    const edit = await w.notice('edit', { noticeId: published.id, rev: published.rev, changes: { title: published.title, body: `${'改'.repeat(2600)}${DEFAULT_RISKY_WORD}`, attachments: [], deadline: null, pinned: false, requiresConfirm: false } }, author);
    expect([code(edit), field(edit)]).toEqual(['CONTENT_RISKY', 'changes.body']);
    expect(w.doc('notices', published.id)).toMatchObject({ body: '正'.repeat(4000), rev: published.rev });
  });

  test('drafts: saved, updated with their rev (an old rev is NOTICE_STALE), published with it, deleted', async () => {
    const { unitId, readers, author } = await classWith(1);
    const other = await w.publisher();
    const first = await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]), title: '草稿一' }) }, author);
    expect(first).toMatchObject({ status: 'draft', title: '草稿一', publishedAt: null, counts: { audience: 0 } });
    expect(await inboxIds(readers[0])).not.toContain(first.id);
    const second = await w.must<ManagedNoticeDetail>('drafts.save', { noticeId: first.id, rev: first.rev, input: { ...first.input, title: '草稿二' } }, author);
    expect([second.id, second.title, second.rev === first.rev]).toEqual([first.id, '草稿二', false]);
    const stale = await w.notice('drafts.save', { noticeId: first.id, rev: first.rev, input: { ...first.input, title: '草稿三' } }, author);
    expect([code(stale), field(stale)]).toEqual(['NOTICE_STALE', 'rev']);
    expect(code(await w.notice('drafts.save', { noticeId: first.id, rev: second.rev, input: second.input }, other))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('publish', { requestId: w.next('request-'), noticeId: first.id, rev: first.rev, input: second.input }, author))).toBe('NOTICE_STALE');
    expect(w.doc('notices', first.id)).toMatchObject({ title: '草稿二', status: 'draft' });

    const published = await w.must<ManagedNoticeDetail>('publish', { requestId: w.next('request-'), noticeId: first.id, rev: second.rev, input: second.input }, author);
    expect([published.id, published.status, published.counts.audience]).toEqual([first.id, 'published', 1]);
    expect(await inboxIds(readers[0])).toContain(first.id);
    expect(code(await w.notice('drafts.delete', { noticeId: first.id }, author))).toBe('NOTICE_STATE');
    expect(code(await w.notice('drafts.save', { noticeId: first.id, rev: published.rev, input: second.input }, author))).toBe('NOTICE_STATE');

    const doomed = await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]) }) }, author);
    expect(code(await w.notice('drafts.delete', { noticeId: doomed.id }, other))).toBe('NOTICE_NOT_FOUND');
    expect(await w.must('drafts.delete', { noticeId: doomed.id }, author)).toEqual({ id: doomed.id });
    expect(w.doc('notices', doomed.id)).toBeUndefined();
    expect(code(await w.notice('drafts.delete', { noticeId: doomed.id }, author))).toBe('NOTICE_NOT_FOUND');
    const mine = await w.must<Page<ManagedNotice>>('mine', { status: 'all' }, author);
    expect(mine.items.map((n) => n.id)).toEqual([first.id]);
  });

  test('only publishers and admins compose; members are FORBIDDEN whatever they send, callers without identity UNAUTHENTICATED', async () => {
    const { unitId, readers, author } = await classWith(1);
    const draft = await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]) }) }, author);
    const stranger = await w.person('stranger');
    const before = snapshot();
    const requests: [string, Record<string, unknown>][] = [
      ['drafts.save', { input: w.input({ audience: to([unitId]) }) }],
      ['drafts.save', { junk: true }],
      ['drafts.delete', { noticeId: draft.id }],
      ['publish', { requestId: w.next('request-'), input: w.input({ audience: to([unitId]) }) }],
      ['reach', { audience: to([unitId]), kind: 'notice' }],
      ['edit', { noticeId: draft.id, rev: draft.rev, changes: {} }],
      ['recall', { noticeId: draft.id }],
      ['mine', {}],
      ['manage', { noticeId: draft.id }],
    ];
    for (const [action, request] of requests) {
      for (const caller of [readers[0], stranger]) expect([action, code(await w.notice(action, request, caller))]).toEqual([action, 'FORBIDDEN']);
      const anonymous = await call<Result<unknown>>(w.cloud, 'notice', { action, ...request }, {});
      expect([action, code(anonymous.body)]).toEqual([action, 'UNAUTHENTICATED']);
    }
    expect(snapshot()).toBe(before);
    // The admin composes, and manages anyone's notice; another publisher does not.
    expect(code(await w.notice('manage', { noticeId: draft.id }, ADMIN))).toBe('OK');
    expect(code(await w.notice('manage', { noticeId: draft.id }, await w.publisher()))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('publish', { requestId: w.next('request-'), input: w.input({ audience: to([unitId]) }) }, ADMIN))).toBe('OK');
  });

  test('bad input changes nothing: unknown units, empty audiences, 公告 to chosen people, malformed requests', async () => {
    const { unitId, readers, author } = await classWith(1);
    const emptyClass = await w.unit('root', '空班', 'class');
    const before = snapshot();
    const attempts: [Record<string, unknown>, string][] = [
      [{ requestId: w.next('request-'), input: w.input({ audience: to(['u_missing']) }) }, 'UNIT_NOT_FOUND'],
      [{ requestId: w.next('request-'), input: w.input({ audience: to([]) }) }, 'NOTICE_AUDIENCE_EMPTY'],
      [{ requestId: w.next('request-'), input: w.input({ audience: to([emptyClass.id]) }) }, 'NOTICE_AUDIENCE_EMPTY'],
      [{ requestId: w.next('request-'), input: w.input({ kind: 'announcement', audience: to([unitId], [readers[0].memberId]) }) }, 'INVALID_INPUT'],
      [{ requestId: 'short', input: w.input({ audience: to([unitId]) }) }, 'INVALID_INPUT'],
      [{ requestId: w.next('request-'), input: { ...w.input({ audience: to([unitId]) }), extra: 1 } }, 'INVALID_INPUT'],
      [{ requestId: w.next('request-'), input: { ...w.input({ audience: to([unitId]) }), kind: 'memo' } }, 'INVALID_INPUT'],
      [{ requestId: w.next('request-'), input: { ...w.input({ audience: to([unitId]) }), title: 7 } }, 'INVALID_INPUT'],
      [{ requestId: w.next('request-'), input: w.input({ audience: to([unitId]), title: 'a\u0000b' }) }, 'INVALID_INPUT'],
      [{ requestId: w.next('request-'), noticeId: 'n-missing', rev: 'x', input: w.input({ audience: to([unitId]) }) }, 'NOTICE_NOT_FOUND'],
    ];
    for (const [request, expected] of attempts) {
      const refused = await w.notice('publish', request, author);
      expect([request, code(refused)]).toEqual([request, expected]);
    }
    expect(code(await w.notice('drafts.save', { input: w.input({ audience: to(['u_missing']) }) }, author))).toBe('UNIT_NOT_FOUND');
    expect(code(await w.notice('edit', { noticeId: 'n-missing', rev: 'x', changes: { title: 't', body: '', attachments: [], deadline: null, pinned: false, requiresConfirm: false } }, author))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('recall', { noticeId: 'n-missing' }, author))).toBe('NOTICE_NOT_FOUND');
    expect(snapshot()).toBe(before);
  });

  test('reach: per chosen unit with sub-units, people with a phone, a person in two units once in all', async () => {
    const college = await w.unit('root', '学院');
    const [a, b] = await Promise.all([w.unit(college.id, 'A班', 'class'), w.unit(college.id, 'B班', 'class')]);
    const author = await w.publisher();
    await Promise.all([w.member([a.id]), w.member([a.id], { phone: null }), w.member([b.id]), w.member([a.id, b.id])]);
    const loner = await w.member([(await w.unit('root', '别处', 'class')).id], { phone: null });
    const reach = await w.must<NoticeReach>('reach', { audience: to([a.id, b.id], [loner.id]), kind: 'notice' }, author);
    expect(reach.total).toBe(5);
    expect(reach.withPhone).toBe(3);
    expect(reach.units.map((u) => [u.id, u.total, u.withPhone])).toEqual([
      [a.id, 3, 2],
      [b.id, 2, 2],
    ]);
    expect(reach.members).toEqual({ total: 1, withPhone: 0 });
    expect((await w.must<NoticeReach>('reach', { audience: to([college.id]), kind: 'announcement' }, author)).units).toMatchObject([{ id: college.id, total: 4, withPhone: 3 }]);
    expect(code(await w.notice('reach', { audience: to([a.id], [loner.id]), kind: 'announcement' }, author))).toBe('INVALID_INPUT');
  });
});

describe('idempotent publishing', () => {
  test('the same request id twice, or ten times at once, makes one notice and one receipt per person; a new id makes another', async () => {
    const { unitId, readers, author } = await classWith(3);
    const requestId = w.next('request-');
    const input = w.input({ audience: to([unitId]) });
    const first = await w.must<ManagedNoticeDetail>('publish', { requestId, input }, author);
    const again = await w.must<ManagedNoticeDetail>('publish', { requestId, input: { ...input, title: '重试时改了标题' } }, author);
    expect([again.id, again.title, again.status]).toEqual([first.id, first.title, 'published']);
    expect(w.receiptsOf(first.id)).toHaveLength(3);

    const burstId = w.next('request-');
    const burst = await Promise.all(Array.from({ length: 10 }, () => w.notice<ManagedNoticeDetail>('publish', { requestId: burstId, input }, author)));
    expect(burst.map(code)).toEqual(Array(10).fill('OK'));
    const ids = new Set(burst.map((r) => (r as { data: ManagedNoticeDetail }).data.id));
    expect(ids.size).toBe(1);
    const [burstNotice] = [...ids];
    expect(burstNotice).not.toBe(first.id);
    expect(w.docs('notices').filter((n) => n.requestId === burstId)).toMatchObject([{ status: 'published', audienceSize: 3 }]);
    const receipts = w.receiptsOf(burstNotice);
    expect(receipts.map((r) => r.memberId).sort()).toEqual(readers.map((r) => r.memberId).sort());
    expect((await inboxIds(readers[0])).filter((id) => id === first.id || id === burstNotice)).toHaveLength(2);

    // Another author's identical request id is their own notice.
    const other = await w.publisher();
    const theirs = await w.must<ManagedNoticeDetail>('publish', { requestId, input }, other);
    expect(theirs.id).not.toBe(first.id);
  });

  test('the whole organisation reaches every active member exactly once', async () => {
    const { author } = await classWith(2);
    const published = await w.publish(author, { audience: { all: true, unitIds: [], memberIds: [] } });
    const active = w.docs('members').filter((m) => m.active);
    const receipts = w.receiptsOf(published.id);
    expect(receipts).toHaveLength(active.length);
    expect(new Set(receipts.map((r) => r.memberId))).toEqual(new Set(active.map((m) => m._id)));
    expect(published.counts.audience).toBe(active.length);
    // Choosing the root unit is the same as choosing everyone.
    const viaRoot = await w.publish(author, { audience: to(['root']) });
    expect(viaRoot.input.audience).toEqual({ all: true, unitIds: [], memberIds: [] });
  });
});

describe('contention and lists', () => {
  test('one draft published twice at once with different request ids is published once; two edits from one rev: one wins, the other is NOTICE_STALE', async () => {
    const { unitId, readers, author } = await classWith(2);
    const draft = await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]) }) }, author);
    const both = await Promise.all(
      [w.next('request-'), w.next('request-')].map((requestId) => w.notice<ManagedNoticeDetail>('publish', { requestId, noticeId: draft.id, rev: draft.rev, input: draft.input }, author)),
    );
    expect(both.map(code).sort()).toEqual(['NOTICE_STATE', 'OK']);
    expect(w.receiptsOf(draft.id)).toHaveLength(2);
    const published = (both.find((r) => r.ok) as { data: ManagedNoticeDetail }).data;
    const changes = (title: string) => ({ title, body: '正文', attachments: [], deadline: null, pinned: false, requiresConfirm: false });
    const edits = await Promise.all(['甲', '乙'].map((title) => w.notice<ManagedNoticeDetail>('edit', { noticeId: published.id, rev: published.rev, changes: changes(title) }, author)));
    expect(edits.map(code).sort()).toEqual(['NOTICE_STALE', 'OK']);
    const winner = (edits.find((r) => r.ok) as { data: ManagedNoticeDetail }).data.title;
    expect(w.doc('notices', published.id)).toMatchObject({ title: winner });
    const row = (await w.must<InboxPage>('inbox', { filter: 'all' }, readers[1])).items.find((i) => i.id === published.id);
    expect(row).toMatchObject({ title: winner, edited: true });
  });

  test('我发布的 pages newest first without loss or repeat; only admins list everyone’s', async () => {
    const { unitId, author } = await classWith(1);
    const made: string[] = [];
    for (let i = 0; i < 23; i += 1) made.push((await w.must<ManagedNoticeDetail>('drafts.save', { input: w.input({ audience: to([unitId]) }) }, author)).id);
    const listed: string[] = [];
    let after: string | undefined;
    do {
      const page = await w.must<Page<ManagedNotice>>('mine', after ? { status: 'draft', after } : { status: 'draft' }, author);
      listed.push(...page.items.map((n) => n.id));
      after = page.next ?? undefined;
    } while (after && listed.length < 100);
    expect(listed).toEqual([...made].reverse());
    expect(code(await w.notice('mine', { everyone: true }, author))).toBe('FORBIDDEN');
    const everyone = await w.must<Page<ManagedNotice>>('mine', { everyone: true, status: 'draft' }, ADMIN);
    expect(everyone.items.map((n) => n.id)).toEqual([...made].reverse().slice(0, everyone.items.length));
    expect(code(await w.notice('mine', { after: 'junk' }, author))).toBe('INVALID_INPUT');
  });
});

describe('edit and recall', () => {
  test('an edit shows 已编辑 and the new title everywhere; reads and confirmations stay', async () => {
    const { unitId, readers, author } = await classWith(2);
    const published = await w.publish(author, { audience: to([unitId]), requiresConfirm: true });
    await w.must('confirm', { noticeId: published.id }, readers[0]);
    const receiptBefore = w.doc('notice_receipts', `${published.id}~${readers[0].memberId}`) as Record<string, unknown>;
    const changes = { title: '考场有变', body: '改到 **B101**。', attachments: [], deadline: null, pinned: false, requiresConfirm: true };
    const edited = await w.must<ManagedNoticeDetail>('edit', { noticeId: published.id, rev: published.rev, changes }, author);
    expect(edited).toMatchObject({ title: '考场有变', status: 'published', counts: { audience: 2, read: 1, confirmed: 1 } });
    expect(edited.editedAt).not.toBeNull();
    expect(code(await w.notice('edit', { noticeId: published.id, rev: published.rev, changes }, author))).toBe('NOTICE_STALE');
    expect(code(await w.notice('edit', { noticeId: published.id, rev: edited.rev, changes }, await w.publisher()))).toBe('NOTICE_NOT_FOUND');

    for (const reader of readers) {
      const page = await w.must<InboxPage>('inbox', { filter: 'all' }, reader);
      expect(page.items.find((i) => i.id === published.id)).toMatchObject({ title: '考场有变', excerpt: '改到 B101。', edited: true });
    }
    const opened = await w.must<NoticeDetail>('open', { noticeId: published.id }, readers[0]);
    expect(opened).toMatchObject({ title: '考场有变', body: changes.body, editedAt: edited.editedAt });
    const receiptAfter = w.doc('notice_receipts', `${published.id}~${readers[0].memberId}`) as Record<string, unknown>;
    expect([receiptAfter.readAt, receiptAfter.confirmedAt]).toEqual([receiptBefore.readAt, receiptBefore.confirmedAt]);
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id }, author);
    expect(stats.totals).toMatchObject({ audience: 2, read: 1, confirmed: 1, unread: 1 });
    // The admin edits anyone's notice.
    expect(code(await w.notice('edit', { noticeId: published.id, rev: edited.rev, changes: { ...changes, title: '管理员改' } }, ADMIN))).toBe('OK');
  });

  test('a recalled notice leaves every inbox; readers get NOTICE_NOT_FOUND, the author and admins still open it', async () => {
    const { unitId, readers, author } = await classWith(2);
    const published = await w.publish(author, { audience: to([unitId]), requiresConfirm: true });
    await w.must('open', { noticeId: published.id }, readers[0]);
    const unreadBefore = await w.must<{ count: number }>('inbox.unreadCount', {}, readers[1]);
    const recalled = await w.must<ManagedNotice>('recall', { noticeId: published.id }, author);
    expect(recalled).toMatchObject({ status: 'recalled' });
    expect(recalled.recalledAt).not.toBeNull();
    for (const reader of readers) {
      expect(await inboxIds(reader)).not.toContain(published.id);
      expect(code(await w.notice('open', { noticeId: published.id }, reader))).toBe('NOTICE_NOT_FOUND');
      expect(code(await w.notice('confirm', { noticeId: published.id }, reader))).toBe('NOTICE_NOT_FOUND');
    }
    expect((await w.must<{ count: number }>('inbox.unreadCount', {}, readers[1])).count).toBe(unreadBefore.count - 1);
    expect(w.receiptsOf(published.id).every((r) => r.hidden === true)).toBe(true);
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, author)).toMatchObject({ status: 'recalled', canManage: true });
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, ADMIN)).toMatchObject({ status: 'recalled', canManage: true });
    const mine = await w.must<Page<ManagedNotice>>('mine', { status: 'recalled' }, author);
    expect(mine.items.map((n) => n.id)).toEqual([published.id]);
    expect(code(await w.notice('recall', { noticeId: published.id }, author))).toBe('NOTICE_STATE');
    expect(code(await w.notice('edit', { noticeId: published.id, rev: recalled.rev, changes: { title: 't', body: '', attachments: [], deadline: null, pinned: false, requiresConfirm: false } }, author))).toBe('NOTICE_STATE');
  });
});

describe('the timer', () => {
  test('a scheduled notice is published once at its time, whatever the number of timer runs; a client cannot send a Timer event', async () => {
    const { unitId, readers, author } = await classWith(3);
    const at = new Date(Date.now() + 10 * 60_000);
    const scheduled = await w.publish(author, { audience: to([unitId]), scheduledAt: wallClock(at) });
    expect(scheduled).toMatchObject({ status: 'scheduled', publishedAt: null, scheduledAt: wallClock(at) });
    expect(await inboxIds(readers[0])).not.toContain(scheduled.id);
    // Not due yet: runs change nothing.
    expect((await w.timer()).body).toMatchObject({ ok: true, data: { published: [] } });
    expect(w.doc('notices', scheduled.id)).toMatchObject({ status: 'scheduled' });

    const forged = await call<Result<unknown>>(w.cloud, 'notice', { Type: 'Timer', TriggerName: 'everyMinute' }, readers[0]);
    expect(code(forged.body)).toBe('FORBIDDEN');
    expect(w.doc('notices', scheduled.id)).toMatchObject({ status: 'scheduled' });

    w.patch('notices', { _id: scheduled.id }, { scheduledAt: new Date(Date.now() - 1000) });
    const runs = await Promise.all(Array.from({ length: 5 }, () => w.timer()));
    const later = [await w.timer(), await w.timer()];
    const published = [...runs, ...later].flatMap((run) => (run.body as { data: { published: string[] } }).data.published);
    expect(published).toEqual([scheduled.id]);
    expect(w.doc('notices', scheduled.id)).toMatchObject({ status: 'published', audienceSize: 3 });
    expect(w.receiptsOf(scheduled.id)).toHaveLength(3);
    for (const reader of readers) expect(await inboxIds(reader)).toContain(scheduled.id);
  });

  test('recalling a scheduled notice takes it back to a draft, which the timer leaves alone', async () => {
    const { unitId, readers, author } = await classWith(1);
    const scheduled = await w.publish(author, { audience: to([unitId]), scheduledAt: wallClock(new Date(Date.now() + 10 * 60_000)) });
    expect(await w.must<ManagedNotice>('recall', { noticeId: scheduled.id }, author)).toMatchObject({ status: 'draft' });
    w.patch('notices', { _id: scheduled.id }, { scheduledAt: new Date(Date.now() - 1000) });
    await w.timer();
    expect(w.doc('notices', scheduled.id)).toMatchObject({ status: 'draft' });
    expect(w.receiptsOf(scheduled.id)).toHaveLength(0);
    expect(await inboxIds(readers[0])).not.toContain(scheduled.id);
  });

  test('a publish that died half-way is finished by the timer after its lease, without duplicate receipts', async () => {
    const { unitId, readers, author } = await classWith(6);
    const published = await w.publish(author, { audience: to([unitId]) });
    await w.must('open', { noticeId: published.id }, readers[0]);
    // What a crash after writing some receipts leaves: the notice still `publishing`, half the receipts.
    const kept = [readers[0], readers[1], readers[2]].map((r) => `${published.id}~${r.memberId}`);
    w.cloud.cloud.engine.remove('notice_receipts', { query: { noticeId: published.id, _id: { $nin: kept } }, multi: true });
    w.patch('notices', { _id: published.id }, { status: 'publishing', audienceSize: 0, leaseUntil: new Date(Date.now() + 60_000) });
    // Its lease still runs: nobody takes over.
    expect((await w.timer()).body).toMatchObject({ ok: true, data: { resumed: [] } });
    expect(w.receiptsOf(published.id)).toHaveLength(3);

    w.patch('notices', { _id: published.id }, { leaseUntil: new Date(Date.now() - 1000) });
    const runs = await Promise.all([w.timer(), w.timer(), w.timer()]);
    expect(runs.flatMap((run) => (run.body as { data: { resumed: string[] } }).data.resumed)).toEqual([published.id]);
    expect(w.doc('notices', published.id)).toMatchObject({ status: 'published', audienceSize: 6 });
    const receipts = w.receiptsOf(published.id);
    expect(receipts.map((r) => r.memberId).sort()).toEqual(readers.map((r) => r.memberId).sort());
    // The read recorded before the crash is kept.
    expect(receipts.find((r) => r.memberId === readers[0].memberId)?.readAt).toBeInstanceOf(Date);
    for (const reader of readers) expect(await inboxIds(reader)).toContain(published.id);
  });

  test('receipts an interrupted edit left behind are brought in step by the timer', async () => {
    const { unitId, readers, author } = await classWith(2);
    const published = await w.publish(author, { audience: to([unitId]) });
    // An edit that changed the notice (a new version) and died before its receipts.
    const version = (w.doc('notices', published.id)?.version as number) + 1;
    w.patch('notices', { _id: published.id }, { title: '改过的标题', editedAt: new Date(), version, receiptsPending: true, updatedAt: new Date(Date.now() - 120_000) });
    await w.timer();
    expect(w.doc('notices', published.id)).toMatchObject({ receiptsPending: false });
    const page = await w.must<InboxPage>('inbox', { filter: 'all' }, readers[1]);
    expect(page.items.find((i) => i.id === published.id)).toMatchObject({ title: '改过的标题', edited: true });
  });
});

describe('attachments are private to the audience', () => {
  test('a reader gets working links from open; a plain URL is 403; someone outside gets NOTICE_NOT_FOUND and no link', async () => {
    const { unitId, readers, author } = await classWith(1);
    const outsider = (await classWith(1)).readers[0];
    const cloudPath = `notice-files/${author.userId}/考场安排.pdf`;
    const fileId = await w.upload(cloudPath, PDF, 'application/pdf');
    const published = await w.publish(author, { audience: to([unitId]), attachments: [{ fileId, name: '考场安排.pdf', size: PDF.length }] });

    const opened = await w.must<NoticeDetail>('open', { noticeId: published.id }, readers[0]);
    expect(opened.attachments).toMatchObject([{ fileId, name: '考场安排.pdf', kind: 'pdf', size: PDF.length }]);
    const served = await fetch(opened.attachments[0].url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(PDF)).toBe(true);

    const plain = await fetch(`${w.cloud.url}/storage/files/${cloudPath.split('/').map(encodeURIComponent).join('/')}`);
    expect(plain.status).toBe(403);
    const refused = await call<Result<NoticeDetail>>(w.cloud, 'notice', { action: 'open', noticeId: published.id }, outsider);
    expect(code(refused.body)).toBe('NOTICE_NOT_FOUND');
    expect(JSON.stringify(refused.body)).not.toContain('sign=');
    expect(JSON.stringify(refused.body)).not.toContain(cloudPath);
  });
});

describe('subscriptions on a deployment without templates', () => {
  test('there is nothing to subscribe to, and reminding is SUBSCRIBE_NOT_CONFIGURED', async () => {
    const { unitId, readers, author } = await classWith(1);
    expect(await w.must<SubscriptionState>('subscriptions.state', {}, readers[0])).toEqual({ templates: [] });
    expect(code(await w.notice('subscriptions.record', { choices: { 'tmpl-x': 'accept' } }, readers[0]))).toBe('SUBSCRIBE_NOT_CONFIGURED');
    const published = await w.publish(author, { audience: to([unitId]) });
    const before = snapshot();
    expect(code(await w.notice('remind', { noticeId: published.id, target: 'unread' }, author))).toBe('SUBSCRIBE_NOT_CONFIGURED');
    expect(snapshot()).toBe(before);
  });
});
