/**
 * Figures of a notice, read from its receipts: totals and the breakdown by the sub-units of a
 * scope in two aggregations (a college of 100 classes is one group stage), lists of readers,
 * unread and unconfirmed people in pages, the .xlsx download, and chronic non-readers.
 * Counting receipts instead of keeping counters makes every figure exact by construction.
 */
import type { ChronicNonReader, NoticePerson, NoticeStats, PeopleList, ReadCounts, UnitStats } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { writeXlsx } from '../core/xlsx-writer';
import { findById } from '../db/db';
import { ROOT_UNIT_ID } from '../org/model';
import type { UnitTree } from '../org/tree';
import { tree } from '../org/units';
import { overseesAll, observedUnits, scopeFilter, statsScope, topUnits, type StatsScope } from './access';
import { canManage, type NoticeDeps } from './compose';
import { business, CONFIRMED, EXPORTS, NOTICES, READ, RECEIPTS, type NoticeDoc, type ReceiptDoc } from './model';
import { nextRemindText, REMIND_INTERVAL_MS } from './remind';

export const PEOPLE_PAGE = 50;
/** Rows one aggregation may return (platform facts). */
const AGGREGATE_MAX = 10000;
/** Rows of an export read per request. */
const EXPORT_READ = 1000;


function median(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  const seconds = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(seconds / 60);
}

function counts(audience: number, read: number, confirmed: number): ReadCounts {
  return { audience, read, confirmed, unread: audience - read };
}

async function loadVisible(deps: NoticeDeps, account: UserDoc, noticeId: string, snapshot: UnitTree): Promise<{ doc: NoticeDoc; scope: StatsScope }> {
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc || doc.status === 'draft' || doc.status === 'scheduled') throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  // A recalled notice stays with its author and admins only.
  if (doc.status === 'recalled' && !canManage(account, doc)) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  const scope = await statsScope(deps, account, doc, snapshot);
  if (!scope) throw new AppFailure('FORBIDDEN');
  return { doc, scope };
}

export async function noticeStats(deps: NoticeDeps, account: UserDoc, noticeId: string, unitId: string | undefined): Promise<NoticeStats> {
  const snapshot = await tree(deps);
  const { doc, scope } = await loadVisible(deps, account, noticeId, snapshot);
  const { filter, unitId: scopeUnit } = scopeFilter(deps, scope, unitId, snapshot);
  const _ = deps.db.command;
  // The breakdown: the scope unit's children, or the observed units for a restricted caller at the top.
  const breakdownIds = scopeUnit ? snapshot.children(scopeUnit).map((u) => u._id) : scope.all ? snapshot.children(ROOT_UNIT_ID).map((u) => u._id) : scope.unitIds;
  const receipts = deps.db.collection(RECEIPTS);
  const match = { noticeId: doc._id, ...filter };
  const [totalRows, unitRows] = await Promise.all([
    receipts.aggregate().match(match).group({ _id: null, audience: { $sum: 1 }, read: { $sum: READ }, confirmed: { $sum: CONFIRMED }, seconds: { $push: '$readSeconds' } }).limit(1).end(),
    breakdownIds.length === 0
      ? Promise.resolve({ list: [] })
      : receipts
          .aggregate()
          .match({ ...match, unitKeys: _.in(breakdownIds) })
          .project({ unitKeys: 1, readAt: 1, confirmedAt: 1, readSeconds: 1 })
          .unwind('$unitKeys')
          .match({ unitKeys: _.in(breakdownIds) })
          .group({ _id: '$unitKeys', audience: { $sum: 1 }, read: { $sum: READ }, confirmed: { $sum: CONFIRMED }, seconds: { $push: '$readSeconds' } })
          .limit(AGGREGATE_MAX)
          .end(),
  ]);
  const total = (totalRows.list[0] ?? { audience: 0, read: 0, confirmed: 0, seconds: [] }) as { audience: number; read: number; confirmed: number; seconds: (number | null)[] };
  const units: UnitStats[] = (unitRows.list as { _id: string; audience: number; read: number; confirmed: number; seconds: (number | null)[] }[])
    .map((row) => {
      const unit = snapshot.get(row._id);
      return unit
        ? {
            unitId: unit._id,
            name: unit.name,
            kind: unit.kind,
            hasChildren: snapshot.children(unit._id).length > 0,
            ...counts(row.audience, row.read, row.confirmed),
            medianReadMinutes: median(row.seconds),
          }
        : null;
    })
    .filter((row): row is UnitStats => row !== null)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const scopeDoc = scopeUnit ? snapshot.get(scopeUnit) : snapshot.root;
  const remindedAt = doc.remindedAt ? new Date(doc.remindedAt) : null;
  const nextAllowed = remindedAt ? new Date(remindedAt.getTime() + REMIND_INTERVAL_MS) : null;
  return {
    notice: { id: doc._id, title: doc.title, kind: doc.kind, status: doc.status, publishedAt: business(doc.publishedAt), deadline: business(doc.deadline), requiresConfirm: doc.requiresConfirm },
    scope: {
      unitId: scopeUnit ?? ROOT_UNIT_ID,
      name: scopeUnit ? (scopeDoc?.name ?? '') : scope.all ? (snapshot.root?.name ?? deps.organisationName) : '我关注的单位',
      path: scopeUnit ? snapshot.pathNames(scopeUnit).join('/') : '',
    },
    totals: { ...counts(total.audience, total.read, total.confirmed), medianReadMinutes: median(total.seconds) },
    units,
    observedUnitIds: scope.all ? [] : scope.unitIds,
    remind: {
      lastAt: business(remindedAt),
      nextAllowedAt: remindedAt && nextAllowed && nextAllowed.getTime() > deps.now().getTime() ? nextRemindText(remindedAt) : null,
    },
  };
}

function listFilter(deps: NoticeDeps, list: PeopleList | 'all'): Record<string, unknown> {
  const _ = deps.db.command;
  if (list === 'read') return { readAt: _.neq(null) };
  if (list === 'unread') return { readAt: null };
  if (list === 'unconfirmed') return { confirmedAt: null };
  return {};
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function personOf(receipt: ReceiptDoc, snapshot: UnitTree): NoticePerson {
  return {
    memberId: receipt.memberId,
    name: receipt.name,
    number: receipt.number,
    unitPath: receipt.unitIds.map((id) => snapshot.pathNames(id).join('/')).filter(Boolean).join('；'),
    readAt: business(receipt.readAt),
    confirmedAt: business(receipt.confirmedAt),
  };
}

const PEOPLE_FIELDS = { _id: true, memberId: true, name: true, number: true, unitIds: true, readAt: true, confirmedAt: true };

export async function noticePeople(
  deps: NoticeDeps,
  account: UserDoc,
  request: { noticeId: string; list: PeopleList; unitId?: string; query?: string; after?: string },
): Promise<{ items: NoticePerson[]; next: string | null }> {
  const snapshot = await tree(deps);
  const { doc, scope } = await loadVisible(deps, account, request.noticeId, snapshot);
  const { filter } = scopeFilter(deps, scope, request.unitId, snapshot);
  const _ = deps.db.command;
  const where: Record<string, unknown> = { noticeId: doc._id, ...filter, ...listFilter(deps, request.list) };
  const query = (request.query ?? '').trim();
  const conditions: unknown[] = [where];
  if (query) {
    const prefix = deps.db.RegExp({ regexp: `^${escapeRegExp(query)}` });
    conditions.push(_.or([{ name: prefix }, { number: prefix }]));
  }
  if (request.after) conditions.push({ _id: _.gt(request.after) });
  const { data } = await deps.db
    .collection(RECEIPTS)
    .where(conditions.length === 1 ? where : _.and(conditions as Record<string, unknown>[]))
    .orderBy('_id', 'asc')
    .limit(PEOPLE_PAGE)
    .field(PEOPLE_FIELDS)
    .get();
  const rows = data as ReceiptDoc[];
  return { items: rows.map((row) => personOf(row, snapshot)), next: rows.length === PEOPLE_PAGE ? rows[rows.length - 1]._id : null };
}

const LIST_NAMES: Record<PeopleList | 'all', string> = { all: '全部', read: '已读', unread: '未读', unconfirmed: '未确认' };

/** The list as an .xlsx file in storage, and a temporary link to it. */
export async function exportPeople(
  deps: NoticeDeps,
  account: UserDoc,
  request: { noticeId: string; list: PeopleList | 'all'; unitId?: string },
): Promise<{ url: string; fileName: string; rows: number }> {
  const snapshot = await tree(deps);
  const { doc, scope } = await loadVisible(deps, account, request.noticeId, snapshot);
  const { filter } = scopeFilter(deps, scope, request.unitId, snapshot);
  const _ = deps.db.command;
  const base = { noticeId: doc._id, ...filter, ...listFilter(deps, request.list) };
  const rows: (string | number | null)[][] = [['姓名', '学号/工号', '所在单位', '阅读时间', '确认时间']];
  let after = '';
  for (;;) {
    const where = after ? _.and([base, { _id: _.gt(after) }]) : base;
    const { data } = await deps.db.collection(RECEIPTS).where(where).orderBy('_id', 'asc').limit(EXPORT_READ).field(PEOPLE_FIELDS).get();
    for (const receipt of data as ReceiptDoc[]) {
      const person = personOf(receipt, snapshot);
      rows.push([person.name, person.number, person.unitPath, person.readAt ?? '', person.confirmedAt ?? '']);
    }
    if (data.length < EXPORT_READ) break;
    after = (data[data.length - 1] as ReceiptDoc)._id;
  }
  const stamp = formatBusiness(deps.now(), 'YYYYMMDD-HHmmss');
  const fileName = `${safeName(doc.title)}-${LIST_NAMES[request.list]}名单-${stamp}.xlsx`;
  const bytes = writeXlsx([{ name: LIST_NAMES[request.list], rows, columnWidths: [12, 16, 36, 18, 18] }]);
  const fileId = await deps.storage.upload(`notice-exports/${account._id}/${doc._id}-${stamp}-${request.list}.xlsx`, bytes);
  // Lists of people are personal data: the timer removes the file once its link has long expired.
  await deps.db.collection(EXPORTS).add({ data: { fileId, noticeId: doc._id, accountId: account._id, createdAt: deps.now() } });
  const urls = await deps.storage.temporaryUrls([fileId], EXPORT_LINK_SECONDS);
  const url = urls.get(fileId);
  // Storage did not hand out a link for the file it just stored: a passing fault, worth a retry.
  if (!url) throw new AppFailure('BUSY_RETRY');
  return { url, fileName, rows: rows.length - 1 };
}

/** Long enough to download the file on a slow network. */
const EXPORT_LINK_SECONDS = 600;

function safeName(title: string): string {
  const cleaned = title.replace(/[\\/:*?"<>|\s]+/g, '_').replace(/^_+|_+$/g, '');
  return Array.from(cleaned || '通知').slice(0, 30).join('');
}

/**
 * People of a unit (with its sub-units) who left the latest `last` notices with a deadline
 * that reached them unread past the deadline. For admins, the observer role and the unit's
 * observers. Two aggregations: which notices, then who.
 */
export async function chronicNonReaders(
  deps: NoticeDeps,
  account: UserDoc,
  request: { unitId: string; last: number; after?: string },
): Promise<{ items: ChronicNonReader[]; next: string | null; notices: number }> {
  const snapshot = await tree(deps);
  if (!snapshot.get(request.unitId)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitId');
  if (!overseesAll(account)) {
    const tops = topUnits(await observedUnits(deps, account), snapshot);
    if (!tops.some((top) => snapshot.isWithin(request.unitId, top))) throw new AppFailure('FORBIDDEN');
  }
  const _ = deps.db.command;
  const unitMatch = request.unitId === ROOT_UNIT_ID ? {} : { unitKeys: request.unitId };
  if (request.after !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(request.after)) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  const now = deps.now();
  const receipts = deps.db.collection(RECEIPTS);
  const { list: recent } = await receipts
    .aggregate()
    .match({ ...unitMatch, hidden: false, deadline: _.lt(now) })
    .group({ _id: '$noticeId', deadline: { $first: '$deadline' } })
    .sort({ deadline: -1 })
    .limit(request.last)
    .end();
  const noticeIds = (recent as { _id: string }[]).map((row) => row._id);
  if (noticeIds.length === 0) return { items: [], next: null, notices: 0 };
  // Only the chronic ones leave the database, a page at a time by 学号/工号 (unique, and the order a
  // class list is read in): however many people the unit has, no page is cut short.
  const stages = receipts
    .aggregate()
    .match({ ...unitMatch, noticeId: _.in(noticeIds) })
    .project({
      memberId: 1,
      name: 1,
      number: 1,
      unitIds: 1,
      missed: { $cond: [{ $or: [{ $eq: ['$readAt', null] }, { $gt: ['$readAt', '$deadline'] }] }, 1, 0] },
    })
    .group({ _id: '$memberId', name: { $first: '$name' }, number: { $first: '$number' }, unitIds: { $first: '$unitIds' }, reached: { $sum: 1 }, missed: { $sum: '$missed' } })
    .project({ name: 1, number: 1, unitIds: 1, missed: 1, chronic: { $cond: [{ $and: [{ $gt: ['$missed', 0] }, { $eq: ['$missed', '$reached'] }] }, 1, 0] } })
    .match(request.after ? { chronic: 1, number: _.gt(request.after) } : { chronic: 1 })
    .sort({ number: 1 });
  const { list: people } = await stages.limit(PEOPLE_PAGE + 1).end();
  const rows = people as { _id: string; name: string; number: string; unitIds: string[]; missed: number }[];
  const page = rows.slice(0, PEOPLE_PAGE);
  return {
    items: page.map((row) => ({
      memberId: row._id,
      name: row.name,
      number: row.number,
      unitPath: row.unitIds.map((id) => snapshot.pathNames(id).join('/')).filter(Boolean).join('；'),
      unreadCount: row.missed,
    })),
    next: rows.length > PEOPLE_PAGE ? page[page.length - 1].number : null,
    notices: noticeIds.length,
  };
}
