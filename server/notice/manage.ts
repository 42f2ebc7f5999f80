/**
 * The author's side of a notice: its editable detail, the list of one's notices with their
 * figures, and the reach of an audience before publishing.
 */
import type { AudienceInput, ManagedNotice, ManagedNoticeDetail, NoticeKind, NoticeReach, NoticeStatus, ReadCounts } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById } from '../db/db';
import type { MemberDoc } from '../org/model';
import { ROOT_UNIT_ID } from '../org/model';
import type { UnitTree } from '../org/tree';
import { tree } from '../org/units';
import { canManage, isAdmin, type NoticeDeps } from './compose';
import { CONFIRMED, managedView, NO_COUNTS, noticeInputOf, NOTICES, READ, RECEIPTS, type NoticeDoc } from './model';

export const MINE_PAGE = 20;
/** People read per aggregation when counting a reach. */
const REACH_READ = 10000;


/** Audience, reads and confirmations of several notices: one aggregation over their receipts. */
async function countsOf(deps: NoticeDeps, noticeIds: string[]): Promise<Map<string, ReadCounts>> {
  const out = new Map<string, ReadCounts>();
  if (noticeIds.length === 0) return out;
  const _ = deps.db.command;
  const { list: data } = await deps.db
    .collection(RECEIPTS)
    .aggregate()
    .match({ noticeId: _.in(noticeIds) })
    .group({ _id: '$noticeId', audience: { $sum: 1 }, read: { $sum: READ }, confirmed: { $sum: CONFIRMED } })
    .limit(noticeIds.length)
    .end();
  for (const row of data as { _id: string; audience: number; read: number; confirmed: number }[]) {
    out.set(row._id, { audience: row.audience, read: row.read, confirmed: row.confirmed, unread: row.audience - row.read });
  }
  return out;
}

/** What the caller already has, so the detail is not read again. */
export interface Known {
  snapshot?: UnitTree | null;
  counts?: ReadCounts | null;
}

export async function manageDetail(deps: NoticeDeps, target: NoticeDoc | string, account?: UserDoc, known: Known = {}): Promise<ManagedNoticeDetail> {
  const doc = typeof target === 'string' ? await findById<NoticeDoc>(deps.db, NOTICES, target) : target;
  if (!doc || (account && !canManage(account, doc))) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  const snapshot = known.snapshot ?? (await tree(deps));
  const _ = deps.db.command;
  const memberIds = doc.audience.memberIds;
  const countable = doc.status === 'published' || doc.status === 'recalled';
  const [counts, members] = await Promise.all([
    known.counts ? Promise.resolve(new Map([[doc._id, known.counts]])) : countable ? countsOf(deps, [doc._id]) : Promise.resolve(new Map<string, ReadCounts>()),
    memberIds.length > 0
      ? deps.db.collection('members').where({ _id: _.in(memberIds) }).limit(memberIds.length).field({ _id: true, name: true, number: true }).get()
      : Promise.resolve({ data: [] }),
  ]);
  const byId = new Map((members.data as MemberDoc[]).map((m) => [m._id, m]));
  return {
    ...managedView(doc, counts.get(doc._id) ?? NO_COUNTS),
    input: noticeInputOf(doc),
    audienceView: {
      all: doc.audience.all,
      units: doc.audience.unitIds.map((unitId) => ({ id: unitId, name: snapshot.get(unitId)?.name ?? '（已删除的单位）', path: snapshot.pathNames(unitId).join('/') })),
      members: memberIds.map((memberId) => ({ id: memberId, name: byId.get(memberId)?.name ?? '（已删除的成员）', number: byId.get(memberId)?.number ?? '' })),
    },
  };
}

const MINE_CURSOR = /^\d{13}\|[A-Za-z0-9_-]{1,64}$/;

/** The caller's notices (admins may ask for everyone's), newest first; figures for the page in one aggregation. */
export async function myNotices(
  deps: NoticeDeps,
  account: UserDoc,
  request: { status?: NoticeStatus | 'all'; everyone?: boolean; after?: string },
): Promise<{ items: ManagedNotice[]; next: string | null }> {
  if (request.everyone && !isAdmin(account)) throw new AppFailure('FORBIDDEN');
  if (request.after !== undefined && !MINE_CURSOR.test(request.after)) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  const _ = deps.db.command;
  const conditions: Record<string, unknown>[] = [];
  if (!request.everyone) conditions.push({ authorId: account._id });
  if (request.status && request.status !== 'all') conditions.push({ status: request.status });
  if (request.after) {
    const [time, lastId] = request.after.split('|');
    const at = new Date(Number(time));
    conditions.push(_.or([{ createdAt: _.lt(at) }, { createdAt: at, _id: _.lt(lastId) }]) as unknown as Record<string, unknown>);
  }
  const where = conditions.length === 0 ? {} : conditions.length === 1 ? conditions[0] : _.and(conditions);
  const { data } = await deps.db.collection(NOTICES).where(where).orderBy('createdAt', 'desc').orderBy('_id', 'desc').limit(MINE_PAGE).field({ body: false }).get();
  const docs = data as NoticeDoc[];
  const counts = await countsOf(deps, docs.filter((d) => d.status === 'published' || d.status === 'recalled').map((d) => d._id));
  const last = docs[docs.length - 1];
  return {
    items: docs.map((doc) => managedView(doc, counts.get(doc._id) ?? NO_COUNTS)),
    next: docs.length === MINE_PAGE ? `${new Date(last.createdAt).getTime()}|${last._id}` : null,
  };
}

/**
 * How far an audience reaches, exactly: the people are read by aggregation (10,000 a request)
 * and counted once each, per chosen unit and in all.
 */
export async function audienceReach(deps: NoticeDeps, audience: AudienceInput, kind: NoticeKind): Promise<NoticeReach> {
  const snapshot = await tree(deps);
  for (const unitId of audience.unitIds) if (!snapshot.get(unitId)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'audience.unitIds');
  if (kind === 'announcement' && audience.memberIds.length > 0) throw new AppFailure('INVALID_INPUT', '公告只能发给全体成员或单位，不能指定个人', 'audience.memberIds');
  const _ = deps.db.command;
  const all = audience.all || audience.unitIds.includes(ROOT_UNIT_ID);
  const chosen = all ? [] : [...new Set(audience.unitIds)];
  const subtree = new Map<string, Set<string>>(chosen.map((unitId) => [unitId, new Set(snapshot.subtreeIds(unitId))]));
  const unitSet = new Set<string>([...subtree.values()].flatMap((ids) => [...ids]));
  const perUnit = new Map(chosen.map((unitId) => [unitId, { total: 0, withPhone: 0 }]));
  const members = { total: 0, withPhone: 0 };
  const seen = new Set<string>();
  let total = 0;
  let withPhone = 0;
  const tally = (row: { _id: string; unitIds: string[]; phone: string | null }, viaMemberList: boolean): void => {
    if (seen.has(row._id)) return;
    seen.add(row._id);
    total += 1;
    const phone = Boolean(row.phone);
    if (phone) withPhone += 1;
    if (viaMemberList) {
      members.total += 1;
      if (phone) members.withPhone += 1;
      return;
    }
    for (const [unitId, ids] of subtree) {
      if (row.unitIds.some((id) => ids.has(id))) {
        const entry = perUnit.get(unitId) as { total: number; withPhone: number };
        entry.total += 1;
        if (phone) entry.withPhone += 1;
      }
    }
  };
  const scan = async (filter: Record<string, unknown>, viaMemberList: boolean): Promise<void> => {
    let after = '';
    for (;;) {
      const where = after ? { ...filter, _id: _.gt(after) } : filter;
      const { list: data } = await deps.db.collection('members').aggregate().match(where).sort({ _id: 1 }).limit(REACH_READ).project({ unitIds: 1, phone: 1 }).end();
      for (const row of data as { _id: string; unitIds: string[]; phone: string | null }[]) tally(row, viaMemberList);
      if (data.length < REACH_READ) return;
      after = (data[data.length - 1] as { _id: string })._id;
    }
  };
  if (all) {
    await scan({ active: true }, false);
  } else {
    const ids = [...unitSet];
    for (let i = 0; i < ids.length; i += 500) await scan({ active: true, unitIds: _.in(ids.slice(i, i + 500)) }, false);
    const chosenMembers = [...new Set(audience.memberIds)];
    for (let i = 0; i < chosenMembers.length; i += 500) {
      const { data } = await deps.db.collection('members').where({ active: true, _id: _.in(chosenMembers.slice(i, i + 500)) }).limit(500).field({ _id: true, unitIds: true, phone: true }).get();
      for (const row of data as { _id: string; unitIds: string[]; phone: string | null }[]) tally(row, true);
    }
  }
  return {
    total,
    withPhone,
    units: chosen.map((unitId) => ({ id: unitId, name: snapshot.get(unitId)?.name ?? '', path: snapshot.pathNames(unitId).join('/'), ...(perUnit.get(unitId) as { total: number; withPhone: number }) })),
    members,
  };
}
