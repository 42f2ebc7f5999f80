/**
 * A notice's figures through the local cloud: who may see them (a member no, the observer role
 * everything, a class counsellor only their class, the author, admins), the people lists with
 * search and paging, the .xlsx export read back, chronic non-readers, and the database requests
 * of reading and of the figures against the budgets.
 */
import type { ChronicNonReader, InboxPage, NoticeDetail, NoticePerson, NoticeStats, Page, PeopleList } from '../../typings';
import { readFirstSheet } from '../../server/org/roster-file/xlsx';
import type { Caller } from '../helpers/local-cloud';
import { ADMIN, code, inBatches, NoticeWorld, useNoticeWorld, type Person, type Reader, to } from '../helpers/notice-fixtures';

let w: NoticeWorld;
useNoticeWorld('s', (world) => (w = world));

/** Every page of a people list. */
async function everyone(caller: Caller, request: { noticeId: string; list: PeopleList; unitId?: string; query?: string }): Promise<NoticePerson[]> {
  const rows: NoticePerson[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await w.must<Page<NoticePerson>>('people', after ? { ...request, after } : request, caller);
    rows.push(...page.items);
    if (!page.next) return rows;
    after = page.next;
  }
  throw new Error('the list does not end');
}

function ids(people: readonly { memberId: string }[]): string[] {
  return people.map((p) => p.memberId).sort();
}

/** A counsellor: a staff member bound to a person, observing `unitIds`. */
async function counsellor(unitIds: string[]): Promise<Reader> {
  const office = await w.unit('root', '学工办', 'department');
  const staff = await w.reader([office.id], { kind: 'staff' });
  await w.orgMust('observers.set', { memberId: staff.memberId, unitIds });
  return staff;
}

describe('who sees the figures', () => {
  test('a member is FORBIDDEN; the observer role, the author and admins see everything; another publisher nothing', async () => {
    const author = await w.publisher();
    const { college, a, b, inA, inB, notice: published } = await w.collegeNotice([3, 1], author, { requiresConfirm: true });
    const [a1, a2, a3] = inA;
    const [b1] = inB;
    await Promise.all([w.must('open', { noticeId: published.id }, a1), w.must('confirm', { noticeId: published.id }, a2)]);

    const request = { noticeId: published.id };
    for (const caller of [a3, b1, await w.publisher()]) {
      expect(code(await w.notice('stats', request, caller))).toBe('FORBIDDEN');
      expect(code(await w.notice('people', { ...request, list: 'unread' }, caller))).toBe('FORBIDDEN');
      expect(code(await w.notice('export', { ...request, list: 'all' }, caller))).toBe('FORBIDDEN');
    }
    expect(await w.must<NoticeDetail>('open', request, a3)).toMatchObject({ canSeeStats: false, canManage: false });
    const observer = await w.person('observer');
    await w.grant(observer.userId, 'observer');
    for (const caller of [observer, author, ADMIN]) {
      const stats = await w.must<NoticeStats>('stats', { ...request, unitId: college.id }, caller);
      expect(stats.totals).toMatchObject({ audience: 4, read: 3, confirmed: 1, unread: 1 });
      expect(stats.units.map((u) => [u.unitId, u.audience, u.read, u.confirmed])).toEqual([
        [a.id, 3, 3, 1],
        [b.id, 1, 0, 0],
      ]);
      expect(stats.observedUnitIds).toEqual([]);
      expect(ids(await everyone(caller, { ...request, list: 'unread' }))).toEqual([b1.memberId]);
    }
  });

  test('a class counsellor sees only the class they observe: figures, people, export; another unit is FORBIDDEN', async () => {
    const author = await w.publisher();
    const { college, a, b, inA, inB, notice: published } = await w.collegeNotice([2, 2], author, { requiresConfirm: true });
    const [a1, a2] = inA;
    const [b1, b2] = inB;
    await Promise.all([w.must('open', { noticeId: published.id }, a1), w.must('open', { noticeId: published.id }, b1)]);
    const teacher = await counsellor([a.id]);

    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id }, teacher);
    expect(stats.observedUnitIds).toEqual([a.id]);
    expect(stats.totals).toMatchObject({ audience: 2, read: 1, unread: 1 });
    expect(stats.units.map((u) => [u.unitId, u.audience, u.read])).toEqual([[a.id, 2, 1]]);
    expect((await w.must<NoticeStats>('stats', { noticeId: published.id, unitId: a.id }, teacher)).totals).toMatchObject({ audience: 2, read: 1 });
    for (const unitId of [b.id, college.id]) {
      expect(code(await w.notice('stats', { noticeId: published.id, unitId }, teacher))).toBe('FORBIDDEN');
      expect(code(await w.notice('people', { noticeId: published.id, list: 'unread', unitId }, teacher))).toBe('FORBIDDEN');
      expect(code(await w.notice('export', { noticeId: published.id, list: 'all', unitId }, teacher))).toBe('FORBIDDEN');
    }
    expect(ids(await everyone(teacher, { noticeId: published.id, list: 'unread' }))).toEqual([a2.memberId]);
    expect(ids(await everyone(teacher, { noticeId: published.id, list: 'unconfirmed' }))).toEqual(ids([a1, a2]));
    const exported = await w.must<{ url: string; rows: number }>('export', { noticeId: published.id, list: 'all' }, teacher);
    expect(exported.rows).toBe(2);
    const sheet = readFirstSheet(new Uint8Array(await (await fetch(exported.url)).arrayBuffer()));
    expect(sheet.slice(1).map((row) => row[1]).sort()).toEqual([a1.number, a2.number].sort());
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, teacher)).toMatchObject({ canSeeStats: true, receipt: null });

    // A counsellor of a class the notice never reached sees nothing of it.
    const elsewhere = await counsellor([(await w.unit('root', '他班', 'class')).id]);
    expect(code(await w.notice('stats', { noticeId: published.id }, elsewhere))).toBe('FORBIDDEN');
    expect(code(await w.notice('open', { noticeId: published.id }, elsewhere))).toBe('NOTICE_NOT_FOUND');
    expect(ids(await everyone(author, { noticeId: published.id, list: 'unread' }))).toEqual(ids([a2, b2]));
  });
});

describe('people lists and the export', () => {
  test('read, unread and unconfirmed lists page without loss or repeat, search by name or number prefix, and export the same rows', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const template = await w.reader([k.id], { name: '学生00', number: '20249900' });
    const clones = w.cloneReaders(template, 59, { naming: (i) => ({ name: `学生${String(i + 1).padStart(2, '0')}`, number: `202499${String(i + 1).padStart(2, '0')}` }) });
    const people = [template, ...clones];
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id]), requiresConfirm: true });
    const readers = people.slice(0, 25);
    await inBatches(readers, 8, (reader, i) => w.must(i < 10 ? 'confirm' : 'open', { noticeId: published.id }, reader));
    const noticeId = published.id;

    const read = await everyone(author, { noticeId, list: 'read' });
    expect(ids(read)).toEqual(ids(readers));
    expect(read.every((p) => p.readAt !== null && p.unitPath === k.name)).toBe(true);
    const unread = await everyone(author, { noticeId, list: 'unread' });
    expect(ids(unread)).toEqual(ids(people.slice(25)));
    expect(unread.every((p) => p.readAt === null)).toBe(true);
    const unconfirmed = await everyone(author, { noticeId, list: 'unconfirmed' });
    expect(unconfirmed).toHaveLength(50);
    expect(ids(unconfirmed)).toEqual(ids(people.slice(10)));
    expect(new Set(unconfirmed.map((p) => p.memberId)).size).toBe(50);

    expect((await everyone(author, { noticeId, list: 'unread', query: '学生3' })).map((p) => p.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `学生3${i}`),
    );
    expect((await everyone(author, { noticeId, list: 'read', query: '2024990' })).map((p) => p.number).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `2024990${i}`),
    );
    expect(await everyone(author, { noticeId, list: 'read', query: '学生.*' })).toEqual([]);
    expect(await everyone(author, { noticeId, list: 'read', query: '生' })).toEqual([]);

    for (const list of ['read', 'unconfirmed'] as const) {
      const exported = await w.must<{ url: string; fileName: string; rows: number }>('export', { noticeId, list }, author);
      expect(exported.fileName).toMatch(/\.xlsx$/);
      const response = await fetch(exported.url);
      expect(response.status).toBe(200);
      const sheet = readFirstSheet(new Uint8Array(await response.arrayBuffer()));
      expect(sheet[0]).toEqual(['姓名', '学号/工号', '所在单位', '阅读时间', '确认时间']);
      const listed = list === 'read' ? read : unconfirmed;
      expect(exported.rows).toBe(listed.length);
      const rows = sheet.slice(1).map((row) => [row[0], row[1], row[2]]);
      expect(rows.sort()).toEqual(listed.map((p) => [p.name, p.number, p.unitPath]).sort());
      expect(sheet.slice(1).every((row) => (list === 'read' ? row[3] !== '' : true))).toBe(true);
    }
    const all = await w.must<{ rows: number }>('export', { noticeId, list: 'all' }, author);
    expect(all.rows).toBe(60);
  });
});

describe('chronic non-readers', () => {
  test('people who left every recent notice unread past its deadline are listed; who read one in time is not', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [never, once, always, late] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([k.id]), w.reader([k.id])]);
    const author = await w.publisher();
    const deadline = (hoursAhead: number) => {
      const at = new Date(Date.now() + hoursAhead * 3_600_000 + 8 * 3_600_000);
      return at.toISOString().slice(0, 16).replace('T', ' ');
    };
    const notices = await inBatches([1, 2, 3], 1, (n) => w.publish(author, { audience: to([k.id]), deadline: deadline(n) }));
    for (const n of notices) for (const reader of [always]) await w.must('open', { noticeId: n.id }, reader);
    await w.must('open', { noticeId: notices[1].id }, once);
    // The deadlines pass just after those reads (notice and receipts, as time would leave them).
    const readsDone = Date.now();
    notices.forEach((n, i) => {
      const passed = new Date(readsDone + 1 + i);
      w.patch('notices', { _id: n.id }, { deadline: passed });
      w.patch('notice_receipts', { noticeId: n.id }, { deadline: passed });
    });
    await clockPast(readsDone + 4);
    // Read, but only after the deadline.
    for (const n of notices) await w.must('open', { noticeId: n.id }, late);

    const listed = await w.must<Page<ChronicNonReader> & { notices: number }>('nonReaders', { unitId: k.id, last: 3 }, ADMIN);
    expect(listed.notices).toBe(3);
    expect(listed.items.map((p) => [p.memberId, p.unreadCount]).sort()).toEqual(
      [
        [never.memberId, 3],
        [late.memberId, 3],
      ].sort(),
    );
    // Only the latest one counts: `once` read an older one but not this one.
    const latest = await w.must<Page<ChronicNonReader> & { notices: number }>('nonReaders', { unitId: k.id, last: 1 }, ADMIN);
    expect(latest.notices).toBe(1);
    expect(ids(latest.items)).toEqual(ids([never, once, late]));

    expect(code(await w.notice('nonReaders', { unitId: k.id, last: 3 }, never))).toBe('FORBIDDEN');
    expect(ids((await w.must<Page<ChronicNonReader>>('nonReaders', { unitId: k.id, last: 3 }, await counsellor([k.id]))).items)).toEqual(ids([never, late]));
    expect(code(await w.notice('nonReaders', { unitId: k.id, last: 3 }, await counsellor([(await w.unit('root', '他班', 'class')).id])))).toBe('FORBIDDEN');
  });
});

/** Waits (polling the clock) until it has passed `instant`. */
async function clockPast(instant: number): Promise<void> {
  while (Date.now() <= instant) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('database requests (the issue’s budgets: at most 3 beyond the guard for reading, 5 for figures)', () => {
  /** The guard's share of every call: the identity and the account. */
  const GUARD = 2;

  /** A warmed call's database requests: the first call of a fresh snapshot may read the unit tree. */
  async function requests(action: string, request: Record<string, unknown>, caller: Person): Promise<number> {
    const reply = await w.call(action, request, caller);
    expect([action, code(reply.body)]).toEqual([action, 'OK']);
    return reply.dbRequests;
  }

  test('the guard costs 2; inbox, unread count, open and confirm at most 3 more with 1,000 notices in the database', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [reader, author] = await Promise.all([w.reader([k.id]), w.publisher()]);
    const model = await w.publish(author, { audience: to([k.id]), requiresConfirm: true });
    const announcementModel = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
    const notice = w.doc('notices', model.id) as Record<string, unknown>;
    const announcement = w.doc('notices', announcementModel.id) as Record<string, unknown>;
    const receipt = w.doc('notice_receipts', `${model.id}~${reader.memberId}`) as Record<string, unknown>;
    const notices: Record<string, unknown>[] = [];
    const receipts: Record<string, unknown>[] = [];
    const start = Date.now() - 30 * 86_400_000;
    for (let i = 0; i < 1000; i += 1) {
      const id = `nbudget${String(i).padStart(5, '0')}`;
      const publishedAt = new Date(start + i * 60_000);
      const isAnnouncement = i % 10 === 0;
      const listKey = `${isAnnouncement && i % 100 === 0 ? 'P' : 'N'}${publishedAt.toISOString()}|${id}`;
      const base = isAnnouncement ? announcement : notice;
      notices.push({ ...structuredClone(base), _id: id, requestId: id, publishedAt, createdAt: publishedAt, listKey, pinned: listKey.startsWith('P') });
      // Every third 公告 is one the reader has no receipt for (they joined later).
      if (isAnnouncement && i % 30 === 0) continue;
      const read = i % 3 === 0;
      receipts.push({ ...structuredClone(receipt), _id: `${id}~${reader.memberId}`, noticeId: id, kind: base.kind, audienceKeys: base.audienceKeys, listKey, publishedAt, pinned: listKey.startsWith('P'), readAt: read ? publishedAt : null, readSeconds: read ? 0 : null });
    }
    w.insert('notices', notices);
    w.insert('notice_receipts', receipts);

    const guardOnly = await requests('subscriptions.state', {}, reader);
    expect(guardOnly).toBe(GUARD);
    const first = await w.must<InboxPage>('inbox', { filter: 'all' }, reader);
    const figures: Record<string, number> = {
      'inbox (all)': await requests('inbox', { filter: 'all' }, reader),
      'inbox (next page)': await requests('inbox', { filter: 'all', after: first.next }, reader),
      'inbox (unread)': await requests('inbox', { filter: 'unread' }, reader),
      'unread count': await requests('inbox.unreadCount', {}, reader),
      'open (first read)': await requests('open', { noticeId: model.id }, reader),
      'open (again)': await requests('open', { noticeId: model.id }, reader),
      confirm: await requests('confirm', { noticeId: model.id }, reader),
      'confirm (again)': await requests('confirm', { noticeId: 'nbudget00001' }, reader),
    };
    for (const [what, count] of Object.entries(figures)) expect([what, count]).toEqual([what, Math.min(count, GUARD + 3)]);
  });

  test('the figures of a college of 100 classes and a page of its unread list: at most 5 beyond the guard', async () => {
    const college = await w.unit('root', '大学院');
    const classes = await inBatches(Array.from({ length: 100 }), 8, (_, i) => w.unit(college.id, `${i}班`, 'class'));
    const template = await w.reader([classes[0].id]);
    const clones = w.cloneReaders(template, 999, {
      placement: (i) => {
        const cls = classes[(i + 1) % 100];
        return { unitIds: [cls.id], unitKeys: [cls.id, college.id].sort(), unitNames: [cls.name] };
      },
    });
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([college.id]), requiresConfirm: true });
    expect(published.counts.audience).toBe(1000);
    // Some read and confirmed, written directly: the figures are what is measured.
    w.patch('notice_receipts', { noticeId: published.id, memberId: { $in: clones.slice(0, 400).map((c) => c.memberId) } }, { readAt: new Date(), readSeconds: 60 });
    w.patch('notice_receipts', { noticeId: published.id, memberId: { $in: clones.slice(0, 150).map((c) => c.memberId) } }, { confirmedAt: new Date() });

    await w.must('stats', { noticeId: published.id, unitId: college.id }, author);
    const stats = await w.call<NoticeStats>('stats', { noticeId: published.id, unitId: college.id }, author);
    const data = (stats.body as { data: NoticeStats }).data;
    expect(data.units).toHaveLength(100);
    expect(data.totals).toMatchObject({ audience: 1000, read: 400, confirmed: 150 });
    expect(data.units.reduce((sum, u) => sum + u.read, 0)).toBe(400);
    // Everyone who read took a minute; the unread do not count towards the median.
    expect(data.totals.medianReadMinutes).toBe(1);
    expect(data.units.map((u) => u.medianReadMinutes)).toEqual(data.units.map(() => 1));
    const figures: Record<string, number> = {
      'stats (college, 100 classes)': stats.dbRequests,
      'stats (organisation)': await requests('stats', { noticeId: published.id }, author),
      'people (unread, first page)': await requests('people', { noticeId: published.id, list: 'unread' }, author),
      'people (unread, searched)': await requests('people', { noticeId: published.id, list: 'unread', query: '克隆' }, author),
      'people (unconfirmed, one class)': await requests('people', { noticeId: published.id, list: 'unconfirmed', unitId: classes[3].id }, author),
    };
    for (const [what, count] of Object.entries(figures)) expect([what, count]).toEqual([what, Math.min(count, GUARD + 5)]);
    const page = await w.must<Page<NoticePerson>>('people', { noticeId: published.id, list: 'unread' }, author);
    expect(page.items).toHaveLength(50);
    expect(page.next).not.toBeNull();
  }, 90_000);
});
