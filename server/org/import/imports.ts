/**
 * Roster import: the preview stores the difference as items; the apply step performs exactly
 * those items, in chunks, each chunk checkpointed on the import document, so a call that runs
 * out of time or crashes is resumed by the next call without doing anything twice.
 *
 * - Adds carry the member id chosen at preview: an add already done is recognised by its id.
 * - Updates and deactivations apply only while the member still has the revision the preview
 *   saw, or the import's own revision (a retried chunk); otherwise they are skipped and listed.
 * - One caller applies at a time: a lease on the import document, taken by a conditional update.
 */
import { randomBytes } from 'node:crypto';
import type { ImportItemCategory, ImportItemView, ImportView, InvalidRowReason } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { formatBusiness } from '../../core/time';
import { inParallel } from '../../core/parallel';
import { AppFailure } from '../../core/result';
import { findById, isDuplicateKey } from '../../db/db';
import { getInTransaction, runRefusable } from '../../db/transactions';
import type { FileStoragePort } from '../../ports/storage.port';
import { type CounterChanges, counterChanges, moveCounters, type Placement } from '../counters';
import { type MemberDoc, ROOT_UNIT_ID, wecomKeyOf } from '../model';
import { newMemberId } from '../members';
import { RosterFileError, parseRosterFile } from '../roster-file';
import { refreshMemberSummaries } from '../summaries';
import { readAll } from '../../db/db';
import { type OrgDeps, tree } from '../units';
import { type DiffItem, type DiffMember, diffRoster } from './diff';

export interface ImportDeps extends OrgDeps {
  storage: FileStoragePort;
  /** Time one apply call may spend before returning its progress (the function's limit is 60 s). */
  applyBudgetMs?: number;
}

export interface ImportDoc {
  _id: string;
  fileId: string;
  fileName: string;
  status: ImportView['status'];
  deactivateMissing: boolean;
  counts: ImportView['counts'];
  total: number;
  done: number;
  skipped: number;
  /** `_id` of the last item applied. */
  cursor: string;
  leaseUntil: Date;
  leaseToken: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  appliedAt: Date | null;
  updatedAt: Date;
}

type ItemDoc = DiffItem & {
  _id: string;
  importId: string;
  /** Set when the apply step skipped the change; `category` is then `skipped`. */
  skippedFrom?: DiffItem['category'];
  skipReason?: { code: InvalidRowReason; message: string };
};

const PREVIEW_TTL_MS = 24 * 3600_000;
const LEASE_GRACE_MS = 10_000;
const DEFAULT_BUDGET_MS = 20_000;
const APPLY_BATCH = 200;
const WRITE_BATCH = 500;
const IMPORT_FOLDER = /^cloud:\/\/[^/]+\/imports\//;

function itemId(importId: string, seq: number): string {
  return `${importId}:${String(seq).padStart(6, '0')}`;
}

export function importView(doc: ImportDoc): ImportView {
  return {
    id: doc._id,
    fileName: doc.fileName,
    status: doc.status,
    deactivateMissing: doc.deactivateMissing,
    counts: doc.counts,
    progress: { done: Math.min(doc.done, doc.total), total: doc.total },
    skipped: doc.skipped,
    createdAt: formatBusiness(doc.createdAt),
    appliedAt: doc.appliedAt ? formatBusiness(doc.appliedAt) : null,
  };
}

async function readFile(deps: ImportDeps, fileId: string, fileName: string) {
  if (!IMPORT_FOLDER.test(fileId)) throw new AppFailure('IMPORT_FILE_INVALID', '请通过导入页面上传花名册文件', 'fileId');
  const data = await deps.storage.download(fileId);
  if (!data) throw new AppFailure('IMPORT_FILE_INVALID', '文件不存在或已过期，请重新上传', 'fileId');
  try {
    return parseRosterFile(data, fileName);
  } catch (error) {
    if (error instanceof RosterFileError) {
      const tooLarge = error.code === 'TOO_LARGE' || error.code === 'TOO_MANY_ROWS';
      throw new AppFailure(tooLarge ? 'IMPORT_TOO_LARGE' : 'IMPORT_FILE_INVALID', error.message, 'fileId');
    }
    throw error;
  }
}

/** Expires a preview nobody applied in time and removes its items (nothing can apply them now). */
async function expire(deps: OrgDeps, importId: string): Promise<void> {
  await deps.db.collection('import_items').where({ importId }).remove();
  await deps.db.collection('imports').where({ _id: importId, status: 'previewed' }).update({ data: { status: 'expired', updatedAt: deps.now() } });
}

const KEEP_APPLIED_ITEMS_MS = 7 * 24 * 3600_000;

/**
 * Each preview also expires up to 20 older previews that ran out of time unapplied, and drops
 * the items of imports applied over a week ago: items hold phone numbers, kept only as long as
 * an admin may want to review what an import did.
 */
async function expireStalePreviews(deps: ImportDeps): Promise<void> {
  const _ = deps.db.command;
  const imports = deps.db.collection('imports');
  const { data } = await imports.where({ status: 'previewed', expiresAt: _.lt(deps.now()) }).limit(20).field({ _id: true }).get();
  for (const { _id } of data as { _id: string }[]) await expire(deps, _id);
  const weekAgo = new Date(deps.now().getTime() - KEEP_APPLIED_ITEMS_MS);
  const { data: applied } = await imports.where({ status: 'applied', appliedAt: _.lt(weekAgo), purged: _.neq(true) }).limit(20).field({ _id: true }).get();
  for (const { _id } of applied as { _id: string }[]) {
    await deps.db.collection('import_items').where({ importId: _id }).remove();
    await imports.doc(_id).update({ data: { purged: true, updatedAt: deps.now() } });
  }
}

/**
 * The uploaded file is read once and removed, readable or not: a roster holds phone numbers,
 * and the preview keeps everything the apply step needs.
 */
async function readAndRemove(deps: ImportDeps, fileId: string, fileName: string) {
  try {
    return await readFile(deps, fileId, fileName);
  } finally {
    if (IMPORT_FOLDER.test(fileId)) await deps.storage.remove([fileId]).catch((error) => console.error(`[org] removing ${fileId} failed:`, error));
  }
}

export async function previewImport(deps: ImportDeps, actorId: string, request: { fileId: string; fileName: string; deactivateMissing: boolean }): Promise<ImportView> {
  const sheet = await readAndRemove(deps, request.fileId, request.fileName);
  await expireStalePreviews(deps);
  const snapshot = await tree(deps);
  const existing = await readAll<DiffMember>(deps.db, 'members', {}, {
    name: true, number: true, phone: true, kind: true, unitIds: true, title: true, wecomUserId: true, active: true, fieldsRev: true, userId: true,
  });
  const diff = diffRoster(sheet, existing, snapshot, { deactivateMissing: request.deactivateMissing, newId: newMemberId });
  const now = deps.now();
  const importId = `imp_${formatBusiness(now, 'YYYYMMDDHHmmssSSS')}_${randomBytes(4).toString('hex')}`;
  const items: ItemDoc[] = diff.items.map((item, seq) => ({ ...item, _id: itemId(importId, seq), importId }));
  for (let i = 0; i < items.length; i += WRITE_BATCH) {
    await deps.db.collection('import_items').add({ data: items.slice(i, i + WRITE_BATCH) });
  }
  const counts = diff.counts;
  // Written last: an import is visible only once all its items are.
  const doc: ImportDoc = {
    _id: importId,
    fileId: request.fileId,
    // The name is only shown in the import list: a long one is cut there, never refused.
    fileName: [...request.fileName].slice(0, FIELD_LIMITS.importFileName).join(''),
    status: 'previewed',
    deactivateMissing: request.deactivateMissing,
    counts,
    total: counts.add + counts.update + counts.deactivate,
    done: 0,
    skipped: 0,
    cursor: '',
    leaseUntil: new Date(0),
    leaseToken: null,
    createdBy: actorId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PREVIEW_TTL_MS),
    appliedAt: null,
    updatedAt: now,
  };
  await deps.db.collection('imports').add({ data: doc });
  return importView(doc);
}

export async function getImport(deps: OrgDeps, importId: string): Promise<ImportDoc> {
  const doc = await findById<ImportDoc>(deps.db, 'imports', importId);
  if (!doc) throw new AppFailure('IMPORT_NOT_FOUND');
  return doc;
}

const IMPORT_PAGE = 20;

/** Imports newest first: their ids start with the business time they were previewed at. */
export async function listImports(deps: OrgDeps, after: string | undefined): Promise<{ items: ImportView[]; next: string | null }> {
  const _ = deps.db.command;
  const { data } = await deps.db
    .collection('imports')
    .where(after ? { _id: _.lt(after) } : {})
    .orderBy('_id', 'desc')
    .limit(IMPORT_PAGE + 1)
    .get();
  const docs = data as ImportDoc[];
  const page = docs.slice(0, IMPORT_PAGE);
  return { items: page.map(importView), next: docs.length > IMPORT_PAGE ? page[page.length - 1]._id : null };
}

const ITEM_PAGE = 50;

function itemView(item: ItemDoc): ImportItemView {
  const reasons = item.category === 'invalid' ? item.reasons : item.skipReason ? [item.skipReason] : [];
  return {
    line: item.line,
    category: item.skippedFrom ? 'skipped' : item.category,
    name: item.name,
    number: item.number,
    changes: 'changes' in item ? item.changes : [],
    reasons,
  };
}

export async function listItems(deps: OrgDeps, importId: string, category: ImportItemCategory, after: string | undefined): Promise<{ items: ImportItemView[]; next: string | null }> {
  await getImport(deps, importId);
  const _ = deps.db.command;
  const filter: Record<string, unknown> = { importId, category };
  if (after) filter._id = _.gt(after);
  const { data } = await deps.db.collection('import_items').where(filter).orderBy('_id', 'asc').limit(ITEM_PAGE + 1).get();
  const docs = data as ItemDoc[];
  const page = docs.slice(0, ITEM_PAGE);
  return { items: page.map(itemView), next: docs.length > ITEM_PAGE ? page[page.length - 1]._id : null };
}

interface BatchOutcome {
  skipped: { item: ItemDoc; reason: { code: InvalidRowReason; message: string } }[];
  /** Members whose summary a bound account shows may have changed. */
  touched: string[];
}

const ROSTER_CHANGED = { code: 'ROSTER_CHANGED' as const, message: '预览后该成员已被修改或学号已被占用，未执行' };
const UNIT_GONE = { code: 'UNIT_GONE' as const, message: '预览后所属单位已被删除，未执行' };
const WECOM_TAKEN = { code: 'WECOM_DUPLICATE' as const, message: '预览后该企业微信账号已被其他成员使用，未执行' };

/** The revision an import writes: a retried batch recognises its own changes by it. */
function importRev(importId: string): string {
  return `import-${importId}`;
}

/** Why an insert lost to a unique index: its number or its WeCom userid is someone else's now. */
async function lostInsert(deps: ImportDeps, member: MemberDoc): Promise<{ code: InvalidRowReason; message: string } | null> {
  const { data } = await deps.db.collection('members').where({ _id: member._id }).limit(1).field({ _id: true }).get();
  if (data.length > 0) return null;
  if (member.wecomUserId) {
    const { data: holder } = await deps.db.collection('members').where({ wecomKey: member.wecomKey }).limit(1).field({ _id: true }).get();
    if (holder.length > 0) return WECOM_TAKEN;
  }
  return ROSTER_CHANGED;
}

async function applyAdds(deps: ImportDeps, items: ItemDoc[], unitExists: (id: string) => boolean, outcome: BatchOutcome): Promise<void> {
  const adds = items.filter((item): item is ItemDoc & Extract<DiffItem, { category: 'add' }> => item.category === 'add');
  if (adds.length === 0) return;
  const _ = deps.db.command;
  const ids = adds.map((item) => item.member._id);
  const { data } = await deps.db.collection('members').where({ _id: _.in(ids) }).limit(ids.length).field({ _id: true }).get();
  const done = new Set((data as { _id: string }[]).map((doc) => doc._id));
  const now = deps.now();
  const pending: MemberDoc[] = [];
  for (const item of adds) {
    if (done.has(item.member._id)) continue;
    if (!item.member.unitIds.every(unitExists)) {
      outcome.skipped.push({ item, reason: UNIT_GONE });
      continue;
    }
    const rev = importRev(item.importId);
    pending.push({
      ...item.member,
      observes: [],
      active: true,
      userId: null,
      rev,
      fieldsRev: rev,
      wecomKey: wecomKeyOf(item.member._id, item.member.wecomUserId),
      createdAt: now,
      updatedAt: now,
      deactivatedAt: null,
    });
  }
  if (pending.length === 0) return;
  try {
    await deps.db.collection('members').add({ data: pending });
    return;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  // A number or WeCom userid taken since the preview: insert one by one to find which.
  for (const member of pending) {
    try {
      await deps.db.collection('members').add({ data: member });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const reason = await lostInsert(deps, member);
      if (reason) outcome.skipped.push({ item: adds.find((item) => item.member._id === member._id) as ItemDoc, reason });
    }
  }
}

async function applyChanges(deps: ImportDeps, items: ItemDoc[], unitExists: (id: string) => boolean, outcome: BatchOutcome): Promise<void> {
  const _ = deps.db.command;
  const now = deps.now();
  const changes = items.filter((item) => item.category === 'update' || item.category === 'deactivate');
  await inParallel(changes, async (item) => {
    if (item.category !== 'update' && item.category !== 'deactivate') return;
    const rev = importRev(item.importId);
    let data: Record<string, unknown>;
    if (item.category === 'update') {
      if (item.set.unitIds && !item.set.unitIds.every(unitExists)) {
        outcome.skipped.push({ item, reason: UNIT_GONE });
        return;
      }
      data = { ...item.set, rev, fieldsRev: rev, updatedAt: now };
      if (item.set.unitIds) data.unitIds = _.set(item.set.unitIds);
      if (item.set.active) data.deactivatedAt = null;
      if (item.set.wecomUserId !== undefined) data.wecomKey = wecomKeyOf(item.memberId, item.set.wecomUserId);
    } else {
      data = { active: false, deactivatedAt: now, rev, fieldsRev: rev, updatedAt: now };
    }
    // Binding and observer changes leave `fieldsRev` alone, so they do not make a change stale.
    const fieldsRev = item.expectedFieldsRev === null ? _.in([null, rev]) : _.in([item.expectedFieldsRev, rev]);
    let updated: number;
    try {
      updated = (await deps.db.collection('members').where({ _id: item.memberId, fieldsRev }).update({ data })).stats.updated;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      outcome.skipped.push({ item, reason: WECOM_TAKEN });
      return;
    }
    if (updated === 0) {
      outcome.skipped.push({ item, reason: ROSTER_CHANGED });
      return;
    }
    const set = item.category === 'update' ? item.set : { active: false };
    if (set.name !== undefined || set.kind !== undefined || set.unitIds !== undefined || set.active !== undefined) outcome.touched.push(item.memberId);
  });
}

/** How the batch's applied changes move unit counters; changes done by an earlier, crashed attempt count too. */
function counterDeltas(batch: readonly ItemDoc[], skipped: ReadonlySet<string>): CounterChanges {
  const moves: { before: Placement | null; after: Placement }[] = [];
  for (const item of batch) {
    if (skipped.has(item._id)) continue;
    if (item.category === 'add') moves.push({ before: null, after: { unitIds: item.member.unitIds, active: true } });
    if (item.category === 'deactivate') moves.push({ before: item.before, after: { ...item.before, active: false } });
    if (item.category === 'update') {
      moves.push({ before: item.before, after: { unitIds: item.set.unitIds ?? item.before.unitIds, active: item.set.active ?? item.before.active } });
    }
  }
  return counterChanges(moves);
}

/**
 * Holds the units this batch places members in, then reads which of them still exist. A
 * unit delete refuses a unit with a live hold, so it either happened before (the unit is
 * missing here and those changes are skipped) or it fails: no member is ever placed in a
 * deleted unit. The hold lasts as long as this call's lease; once the batch is checkpointed
 * the unit's counters keep it instead.
 */
async function holdUnits(deps: ImportDeps, importId: string, batch: readonly ItemDoc[], until: Date): Promise<(id: string) => boolean> {
  const _ = deps.db.command;
  const placed = new Set<string>();
  for (const item of batch) {
    if (item.category === 'add') item.member.unitIds.forEach((id) => placed.add(id));
    if (item.category === 'update' && item.set.unitIds) item.set.unitIds.forEach((id) => placed.add(id));
  }
  const ids = [...placed].filter((id) => id !== ROOT_UNIT_ID);
  if (ids.length === 0) return () => true;
  // A nested object updates just this import's key; other imports' holds stay.
  await deps.db.collection('units').where({ _id: _.in(ids) }).update({ data: { importHolds: { [importId]: until } } });
  const { data } = await deps.db.collection('units').where({ _id: _.in(ids) }).limit(ids.length).field({ _id: true }).get();
  const existing = new Set((data as { _id: string }[]).map((unit) => unit._id));
  return (id) => id === ROOT_UNIT_ID || existing.has(id);
}

/** Removes this import's holds, and only its own: another import filling the same units keeps its hold. */
async function releaseUnits(deps: ImportDeps, importId: string): Promise<void> {
  const _ = deps.db.command;
  await deps.db.collection('units').where({ [`importHolds.${importId}`]: _.exists(true) }).update({ data: { importHolds: { [importId]: _.remove() } } });
}

/** The lease was lost between batches: another call carries on. */
class LeaseLost extends AppFailure {
  constructor() {
    super('IMPORT_BUSY');
  }
}

/**
 * Moves the cursor past the batch and the unit counters by the batch's changes, in one
 * transaction: counters move exactly once per batch, however often the batch was attempted.
 */
async function checkpoint(deps: ImportDeps, importId: string, token: string, from: string, to: string, applied: number, skipped: number, deltas: CounterChanges): Promise<void> {
  const now = deps.now();
  await runRefusable(deps.db, async (t) => {
    const current = await getInTransaction<ImportDoc>(t, 'imports', importId);
    if (!current || current.leaseToken !== token || current.cursor !== from) throw new LeaseLost();
    await t.collection('imports').doc(importId).update({ data: { cursor: to, done: current.done + applied, skipped: current.skipped + skipped, updatedAt: now } });
    await moveCounters(deps, t, deltas);
  });
}

export async function applyImport(deps: ImportDeps, importId: string): Promise<ImportView> {
  // Elapsed time, not the business clock: a clock frozen for pictures (the local cloud's
  // --clock) must not keep one call working until the function's timeout.
  const started = performance.now();
  const budget = deps.applyBudgetMs ?? DEFAULT_BUDGET_MS;
  const _ = deps.db.command;
  const imports = deps.db.collection('imports');
  let doc = await getImport(deps, importId);
  if (doc.status === 'applied') return importView(doc);
  if (doc.status === 'expired' || (doc.status === 'previewed' && deps.now() > doc.expiresAt)) {
    if (doc.status !== 'expired') await expire(deps, importId);
    throw new AppFailure('IMPORT_EXPIRED');
  }
  const token = randomBytes(8).toString('hex');
  const now = deps.now();
  // A preview may start applying only before it expires; an apply under way always continues.
  const startable = _.or([{ status: 'applying' }, { status: 'previewed', expiresAt: _.gt(now) }]);
  const leased = await imports
    .where(_.and([{ _id: importId, leaseUntil: _.lt(now) }, startable]))
    .update({ data: { status: 'applying', leaseToken: token, leaseUntil: new Date(now.getTime() + budget + LEASE_GRACE_MS), updatedAt: now } });
  if (leased.stats.updated === 0) {
    doc = await getImport(deps, importId);
    if (doc.status === 'applied') return importView(doc);
    if (doc.status === 'expired' || doc.status === 'previewed') throw new AppFailure('IMPORT_EXPIRED');
    throw new AppFailure('IMPORT_BUSY');
  }
  doc = await getImport(deps, importId);
  const items = deps.db.collection('import_items');

  for (let batches = 0; ; batches += 1) {
    // At least one batch per call, so every call makes progress whatever the budget.
    if (batches > 0 && performance.now() - started > budget) {
      await imports.where({ _id: importId, leaseToken: token }).update({ data: { leaseUntil: new Date(0), updatedAt: deps.now() } });
      return importView(await getImport(deps, importId));
    }
    const filter: Record<string, unknown> = { importId, category: _.in(['add', 'update', 'deactivate']) };
    if (doc.cursor) filter._id = _.gt(doc.cursor);
    const { data } = await items.where(filter).orderBy('_id', 'asc').limit(APPLY_BATCH).get();
    const batch = data as ItemDoc[];
    if (batch.length === 0) break;
    const outcome: BatchOutcome = { skipped: [], touched: [] };
    const unitExists = await holdUnits(deps, importId, batch, new Date(deps.now().getTime() + budget + LEASE_GRACE_MS));
    await applyAdds(deps, batch, unitExists, outcome);
    await applyChanges(deps, batch, unitExists, outcome);
    await inParallel(outcome.skipped, async ({ item, reason }) => {
      await items.doc(item._id).update({ data: { category: 'skipped', skippedFrom: item.category, skipReason: reason } });
    });
    // Before the checkpoint, so a crash here is repaired by the retried batch.
    if (outcome.touched.length > 0) await refreshMemberSummaries(deps, { memberIds: [...new Set(outcome.touched)] }, true);
    const cursor = batch[batch.length - 1]._id;
    const skippedIds = new Set(outcome.skipped.map(({ item }) => item._id));
    try {
      await checkpoint(deps, importId, token, doc.cursor, cursor, batch.length, outcome.skipped.length, counterDeltas(batch, skippedIds));
    } catch (error) {
      // This call overran its lease and another took over: leave the rest to that one.
      if (error instanceof LeaseLost) return importView(await getImport(deps, importId));
      throw error;
    }
    doc = { ...doc, cursor };
  }

  await releaseUnits(deps, importId);
  const skipped = (await items.where({ importId, category: 'skipped' }).count()).total;
  await imports.where({ _id: importId, leaseToken: token }).update({
    data: { status: 'applied', done: doc.total, skipped, appliedAt: deps.now(), leaseUntil: new Date(0), leaseToken: null, updatedAt: deps.now() },
  });
  return importView(await getImport(deps, importId));
}
