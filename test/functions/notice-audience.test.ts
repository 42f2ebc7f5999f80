/**
 * Who sees a notice, through the local cloud: nested units, people in several units, chosen
 * people, a 通知's audience fixed at publishing against a 公告 that follows its units, moved,
 * deactivated and unbound people; the inbox (pinned, order, unread, paging, the badge); opening
 * and confirming, idempotent and exact when 200 people open one notice at the same moment.
 */
import type { InboxItem, InboxPage, NoticeDetail, NoticeInput, NoticeStats } from '../../typings';
import { code, inBatches, NoticeWorld, useNoticeWorld, type Person, type Reader, to } from '../helpers/notice-fixtures';

let w: NoticeWorld;
useNoticeWorld('a', (world) => (w = world));

/** Every page of a person's inbox, pinned rows first as the page shows them. */
async function wholeInbox(reader: Person, filter: 'all' | 'unread' = 'all'): Promise<{ rows: InboxItem[]; pages: InboxPage[] }> {
  const pages: InboxPage[] = [];
  let after: string | undefined;
  do {
    const page = await w.must<InboxPage>('inbox', after ? { filter, after } : { filter }, reader);
    pages.push(page);
    after = page.next ?? undefined;
    if (pages.length > 50) throw new Error('the inbox does not end');
  } while (after);
  return { rows: pages.flatMap((page) => [...page.pinned, ...page.items]), pages };
}

async function inboxIds(reader: Person, filter: 'all' | 'unread' = 'all'): Promise<string[]> {
  return (await wholeInbox(reader, filter)).rows.map((row) => row.id);
}

async function unread(reader: Person): Promise<number> {
  return (await w.must<{ count: number }>('inbox.unreadCount', {}, reader)).count;
}

/** Notice ids in inbox order: pinned first, then newest (their stored sort keys, descending). */
function inboxOrder(noticeIds: readonly string[]): string[] {
  const keys = new Map(noticeIds.map((id) => [id, String(w.doc('notices', id)?.listKey)]));
  return [...noticeIds].sort((a, b) => ((keys.get(a) as string) < (keys.get(b) as string) ? 1 : -1));
}

describe('audiences', () => {
  test('a college includes its classes and its own staff; a person in two classes gets one receipt; other colleges see nothing', async () => {
    const college = await w.unit('root', '学院');
    const [a, b] = await Promise.all([w.unit(college.id, 'A班', 'class'), w.unit(college.id, 'B班', 'class')]);
    const elsewhere = await w.unit((await w.unit('root', '他院')).id, 'E班', 'class');
    const [inA, inB, inBoth, staff, outside] = await Promise.all([w.reader([a.id]), w.reader([b.id]), w.reader([a.id, b.id]), w.reader([college.id]), w.reader([elsewhere.id])]);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([college.id]), requiresConfirm: true });
    expect(w.receiptsOf(published.id).map((r) => r.memberId).sort()).toEqual([inA, inB, inBoth, staff].map((r) => r.memberId).sort());
    for (const reader of [inA, inB, inBoth, staff]) expect((await inboxIds(reader)).filter((id) => id === published.id)).toHaveLength(1);
    expect(await inboxIds(outside)).not.toContain(published.id);
    expect(code(await w.notice('open', { noticeId: published.id }, outside))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('confirm', { noticeId: published.id }, outside))).toBe('NOTICE_NOT_FOUND');
    // Another publisher outside the audience may not look either.
    expect(code(await w.notice('open', { noticeId: published.id }, await w.publisher()))).toBe('NOTICE_NOT_FOUND');

    await w.must('open', { noticeId: published.id }, inBoth);
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id, unitId: college.id }, author);
    expect(stats.totals).toMatchObject({ audience: 4, read: 1, unread: 3 });
    // Per class, a person in both counts in both.
    expect(stats.units.map((u) => [u.unitId, u.audience, u.read])).toEqual([
      [a.id, 2, 1],
      [b.id, 2, 1],
    ]);
  });

  test('chosen people join the units, each once; nobody else is reached', async () => {
    const [k, other] = await Promise.all([w.unit('root', 'K班', 'class'), w.unit('root', 'L班', 'class')]);
    const [inK, chosen, notChosen] = await Promise.all([w.reader([k.id]), w.reader([other.id]), w.reader([other.id])]);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id], [chosen.memberId, inK.memberId]) });
    expect(w.receiptsOf(published.id).map((r) => r.memberId).sort()).toEqual([inK.memberId, chosen.memberId].sort());
    expect(await inboxIds(chosen)).toContain(published.id);
    expect(await inboxIds(notChosen)).not.toContain(published.id);
    const onlyPeople = await w.publish(author, { audience: to([], [notChosen.memberId]) });
    expect(await inboxIds(notChosen)).toContain(onlyPeople.id);
    expect(await inboxIds(chosen)).not.toContain(onlyPeople.id);
  });

  test('a 通知 keeps the audience of its publishing: a member added later neither sees it nor counts; one moved out still does', async () => {
    const [k, l] = await Promise.all([w.unit('root', 'K班', 'class'), w.unit('root', 'L班', 'class')]);
    const [stays, movesOut, movesIn] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([l.id])]);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id]) });
    const joined = await w.reader([k.id]);
    await w.move(movesIn, [k.id]);
    await w.move(movesOut, [l.id]);
    for (const late of [joined, movesIn]) {
      expect(await inboxIds(late)).not.toContain(published.id);
      expect(await unread(late)).toBe(0);
      expect(code(await w.notice('open', { noticeId: published.id }, late))).toBe('NOTICE_NOT_FOUND');
      expect(code(await w.notice('confirm', { noticeId: published.id }, late))).toBe('NOTICE_NOT_FOUND');
    }
    expect(await inboxIds(movesOut)).toContain(published.id);
    expect(await unread(movesOut)).toBe(1);
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, movesOut)).toMatchObject({ receipt: { confirmedAt: null } });
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id }, author);
    expect(stats.totals).toMatchObject({ audience: 2, read: 1, unread: 1 });
    expect(w.receiptsOf(published.id).map((r) => r.memberId).sort()).toEqual([stays.memberId, movesOut.memberId].sort());
  });

  test('a 公告 reaches people who join its units later (opening counts them) and leaves people who moved out', async () => {
    const college = await w.unit('root', '学院');
    const [k, l] = await Promise.all([w.unit(college.id, 'K班', 'class'), w.unit('root', 'L班', 'class')]);
    const [stays, movesOut, movesIn] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([l.id])]);
    const author = await w.publisher();
    const published = await w.publish(author, { kind: 'announcement', audience: to([college.id]) });
    const joined = await w.reader([k.id]);
    await w.move(movesIn, [k.id]);
    await w.move(movesOut, [l.id]);
    // The timer completes the receipts of people whose units changed (within a minute on the platform).
    await w.timer();

    for (const late of [joined, movesIn]) {
      const rows = (await wholeInbox(late)).rows;
      expect(rows.find((row) => row.id === published.id)).toMatchObject({ kind: 'announcement', read: false });
      expect(await unread(late)).toBe(1);
      expect(await inboxIds(late, 'unread')).toEqual([published.id]);
    }
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, joined)).toMatchObject({ id: published.id, receipt: { confirmedAt: null } });
    expect(await unread(joined)).toBe(0);
    expect(await inboxIds(joined, 'unread')).toEqual([]);
    expect((await wholeInbox(joined)).rows.find((row) => row.id === published.id)).toMatchObject({ read: true });
    // Opening twice (or at once) makes one receipt.
    await Promise.all([w.must('open', { noticeId: published.id }, movesIn), w.must('open', { noticeId: published.id }, movesIn)]);
    expect(w.receiptsOf(published.id).filter((r) => r.memberId === movesIn.memberId)).toHaveLength(1);

    expect(await inboxIds(movesOut)).not.toContain(published.id);
    expect(await unread(movesOut)).toBe(0);
    expect(code(await w.notice('open', { noticeId: published.id }, movesOut))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('confirm', { noticeId: published.id }, movesOut))).toBe('NOTICE_NOT_FOUND');

    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id, unitId: college.id }, author);
    expect(stats.units.find((u) => u.unitId === k.id)).toMatchObject({ read: 2 });
    expect(w.receiptsOf(published.id).filter((r) => r.readAt).map((r) => r.memberId).sort()).toEqual([joined.memberId, movesIn.memberId].sort());
    expect(stats.totals).toMatchObject({ read: 2 });
    expect((await wholeInbox(stays)).rows.map((row) => row.id)).toContain(published.id);
  });

  test('deactivated members are not in the audience and their inbox answers inactive; unbound accounts answer unbound', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [active, leavesLater, goneBefore] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.reader([k.id])]);
    await w.orgMust('members.deactivate', { memberId: goneBefore.memberId });
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id]), requiresConfirm: true });
    expect(w.receiptsOf(published.id).map((r) => r.memberId).sort()).toEqual([active.memberId, leavesLater.memberId].sort());
    const announcement = await w.publish(author, { kind: 'announcement', audience: to([k.id]) });
    await w.orgMust('members.deactivate', { memberId: leavesLater.memberId });

    for (const inactive of [goneBefore, leavesLater]) {
      expect(await w.must<InboxPage>('inbox', { filter: 'all' }, inactive)).toEqual({ items: [], next: null, pinned: [], blocked: 'inactive' });
      expect(await unread(inactive)).toBe(0);
      for (const id of [published.id, announcement.id]) expect(code(await w.notice('open', { noticeId: id }, inactive))).toBe('NOTICE_NOT_FOUND');
      expect(code(await w.notice('confirm', { noticeId: published.id }, inactive))).toBe('MEMBER_INACTIVE');
    }
    const unbound = await w.person('unbound');
    expect(await w.must<InboxPage>('inbox', { filter: 'unread' }, unbound)).toEqual({ items: [], next: null, pinned: [], blocked: 'unbound' });
    expect(await unread(unbound)).toBe(0);
    expect(code(await w.notice('open', { noticeId: published.id }, unbound))).toBe('NOTICE_NOT_FOUND');
    expect(code(await w.notice('confirm', { noticeId: published.id }, unbound))).toBe('NOTICE_NOT_FOUND');
    expect((await w.must<InboxPage>('inbox', { filter: 'all' }, active)).blocked).toBeNull();
    expect(w.receiptsOf(published.id).filter((r) => r.readAt)).toHaveLength(0);
  });

  test('holders of the observer role may look at a notice without reading it', async () => {
    const k = await w.unit('root', 'K班', 'class');
    await w.reader([k.id]);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([k.id]) });
    const observer = await w.person('observer');
    await w.grant(observer.userId, 'observer');
    expect(await w.must<NoticeDetail>('open', { noticeId: published.id }, observer)).toMatchObject({ receipt: null, canSeeStats: true, canManage: false });
    expect((await w.must<NoticeStats>('stats', { noticeId: published.id }, author)).totals).toMatchObject({ audience: 1, read: 0 });
  });
});

describe('the inbox', () => {
  test('pinned 公告 above, then newest first; 45 notices page by cursor without loss or repeat; unread filter and count agree', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [reader, author] = await Promise.all([w.reader([k.id]), w.publisher()]);
    const kinds: Partial<NoticeInput>[] = Array.from({ length: 45 }, (_, i) =>
      i % 9 === 4 ? { kind: 'announcement', pinned: i % 2 === 0 } : { kind: 'notice' },
    );
    const published = await inBatches(kinds, 3, (overrides) => w.publish(author, { audience: to([k.id]), ...overrides }));
    const ids = published.map((n) => n.id);
    const pinned = published.filter((n) => n.input.pinned).map((n) => n.id);
    expect(pinned.length).toBeGreaterThanOrEqual(2);

    const all = await wholeInbox(reader);
    expect(all.rows.map((row) => row.id)).toEqual(inboxOrder(ids));
    expect(all.pages[0].pinned.map((row) => row.id)).toEqual(inboxOrder(pinned));
    expect(all.pages.slice(1).every((page) => page.pinned.length === 0)).toBe(true);
    expect(all.pages.every((page) => page.items.every((row) => !row.pinned))).toBe(true);
    expect(all.pages.length).toBeGreaterThan(2);
    const unpinned = all.rows.filter((row) => !row.pinned);
    for (let i = 1; i < unpinned.length; i += 1) expect(unpinned[i - 1].publishedAt >= unpinned[i].publishedAt).toBe(true);

    const opened = [ids[0], ids[7], ids[13], ids[22], ids[30], ids[44], pinned[0]];
    for (const id of opened) await w.must('open', { noticeId: id }, reader);
    const left = ids.filter((id) => !opened.includes(id));
    expect(await inboxIds(reader, 'unread')).toEqual(inboxOrder(left));
    expect(await unread(reader)).toBe(left.length);
    expect(all.rows.every((row) => !row.read)).toBe(true);
    expect((await wholeInbox(reader)).rows.filter((row) => row.read).map((row) => row.id).sort()).toEqual([...opened].sort());

    expect(code(await w.notice('inbox', { filter: 'all', after: 'not-a-cursor' }, reader))).toBe('INVALID_INPUT');
  }, 60_000);

  test('someone who joined midway pages through older 公告 and newer notices mixed, without loss or repeat', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [early, author] = await Promise.all([w.reader([k.id]), w.publisher()]);
    const before = await inBatches(Array.from({ length: 24 }), 3, (_, i) => w.publish(author, { kind: 'announcement', audience: to([k.id]), pinned: i === 5 }));
    const joined = await w.reader([k.id]);
    await w.timer();
    const after = await inBatches(Array.from({ length: 22 }), 3, (_, i) => w.publish(author, { kind: i % 5 === 0 ? 'announcement' : 'notice', audience: to([k.id]) }));
    const visible = [...before, ...after].map((n) => n.id);

    expect(await inboxIds(joined)).toEqual(inboxOrder(visible));
    expect(await unread(joined)).toBe(visible.length);
    // Reading older 公告 (receipts made on opening) and newer notices.
    const opened = [before[0].id, before[5].id, before[17].id, after[3].id, after[21].id];
    for (const id of opened) await w.must('open', { noticeId: id }, joined);
    const left = visible.filter((id) => !opened.includes(id));
    expect(await inboxIds(joined, 'unread')).toEqual(inboxOrder(left));
    expect(await unread(joined)).toBe(left.length);
    expect(await inboxIds(joined)).toEqual(inboxOrder(visible));
    expect(await inboxIds(early)).toEqual(inboxOrder(visible));
  }, 60_000);
});

describe('open and confirm', () => {
  test('both are idempotent: the first read and confirmation times are kept; confirming unread reads too', async () => {
    const k = await w.unit('root', 'K班', 'class');
    const [opener, confirmer, author] = await Promise.all([w.reader([k.id]), w.reader([k.id]), w.publisher()]);
    const published = await w.publish(author, { audience: to([k.id]), requiresConfirm: true });
    const receipt = (reader: Reader) => w.doc('notice_receipts', `${published.id}~${reader.memberId}`) as Record<string, unknown>;

    const first = await w.must<NoticeDetail>('open', { noticeId: published.id }, opener);
    expect(first.receipt?.readAt).not.toBeNull();
    const readAt = receipt(opener).readAt as Date;
    await waitForClockTick(readAt);
    await w.must('open', { noticeId: published.id }, opener);
    expect(receipt(opener).readAt).toEqual(readAt);
    await w.must('confirm', { noticeId: published.id }, opener);
    const confirmedAt = receipt(opener).confirmedAt as Date;
    expect(confirmedAt.getTime()).toBeGreaterThan(readAt.getTime());
    await waitForClockTick(confirmedAt);
    await w.must('confirm', { noticeId: published.id }, opener);
    expect(receipt(opener)).toMatchObject({ readAt, confirmedAt });

    const confirmed = await w.must<{ readAt: string; confirmedAt: string }>('confirm', { noticeId: published.id }, confirmer);
    expect(confirmed.readAt).toBe(confirmed.confirmedAt);
    const stored = receipt(confirmer);
    expect(stored.readAt).toEqual(stored.confirmedAt);
    expect(typeof stored.readSeconds).toBe('number');
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id }, author);
    expect(stats.totals).toMatchObject({ audience: 2, read: 2, confirmed: 2, unread: 0 });
  });

  test('200 people opening one notice at the same moment count exactly 200, and every per-unit figure agrees', async () => {
    const college = await w.unit('root', '学院');
    const classes = await Promise.all([1, 2, 3, 4].map((n) => w.unit(college.id, `${n}班`, 'class')));
    const templates = await Promise.all(classes.map((c) => w.reader([c.id])));
    const people = templates.flatMap((template) => [template, ...w.cloneReaders(template, 49)]);
    expect(people).toHaveLength(200);
    const author = await w.publisher();
    const published = await w.publish(author, { audience: to([college.id]), requiresConfirm: true });
    expect(published.counts.audience).toBe(200);

    const opens = await Promise.all(people.map((reader) => w.notice<NoticeDetail>('open', { noticeId: published.id }, reader)));
    expect(opens.map(code).filter((c) => c !== 'OK')).toEqual([]);
    const stats = await w.must<NoticeStats>('stats', { noticeId: published.id, unitId: college.id }, author);
    expect(stats.totals).toMatchObject({ audience: 200, read: 200, unread: 0, confirmed: 0 });
    expect(stats.units.map((u) => [u.unitId, u.audience, u.read]).sort()).toEqual(classes.map((c) => [c.id, 50, 50]).sort());
    const top = await w.must<NoticeStats>('stats', { noticeId: published.id }, author);
    expect(top.units.find((u) => u.unitId === college.id)).toMatchObject({ audience: 200, read: 200 });

    // A hundred of them at once on another notice: half confirm, half open and confirm together.
    const second = await w.publish(author, { audience: to([college.id]), requiresConfirm: true });
    const acting = people.slice(0, 100);
    const calls = acting.flatMap((reader, i) =>
      i % 2 === 0 ? [w.notice('confirm', { noticeId: second.id }, reader)] : [w.notice('open', { noticeId: second.id }, reader), w.notice('confirm', { noticeId: second.id }, reader)],
    );
    expect((await Promise.all(calls)).map(code).filter((c) => c !== 'OK')).toEqual([]);
    const after = await w.must<NoticeStats>('stats', { noticeId: second.id, unitId: college.id }, author);
    expect(after.totals).toMatchObject({ audience: 200, read: 100, confirmed: 100, unread: 100 });
    for (const figure of ['audience', 'read', 'confirmed', 'unread'] as const) expect(after.units.reduce((sum, u) => sum + u[figure], 0)).toBe(after.totals[figure]);
    const acted = new Set(acting.map((r) => r.memberId));
    for (const receipt of w.receiptsOf(second.id)) {
      const done = receipt.readAt instanceof Date && receipt.confirmedAt instanceof Date && typeof receipt.readSeconds === 'number';
      expect([receipt.memberId, done]).toEqual([receipt.memberId, acted.has(receipt.memberId as string)]);
    }
  }, 120_000);
});

/** Waits until the clock has moved past `instant`, so a second write would store a later time. */
async function waitForClockTick(instant: Date): Promise<void> {
  const target = instant.getTime() + 2;
  while (Date.now() <= target) await new Promise((resolve) => setTimeout(resolve, 2));
}
