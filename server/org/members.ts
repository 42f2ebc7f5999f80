/**
 * The roster as admins edit it. Every write runs in a transaction with the counters of the
 * units it touches, and with the bound account's summary, so counts and summaries never
 * drift from the members. Members are deactivated, never deleted.
 */
import { randomBytes } from 'node:crypto';
import type { MemberCard, MemberInput, MemberKind } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { AppFailure } from '../core/result';
import { type Filter, findById, isDuplicateKey, type Transaction } from '../db/db';
import { getInTransaction, runRefusable } from '../db/transactions';
import { type MemberDoc, memberCard, oneLine, type UnitDoc, wecomKeyOf } from './model';
import { type CounterChanges, counterChanges, moveCounters } from './counters';
import { normaliseNumber, numberProblem } from './member-number';
import { normalizePhone } from './phone';
import { memberSummary, summaryWrite } from './summaries';
import { newRev, type UnitTree } from './tree';
import { type OrgDeps, tree } from './units';

export type MemberFields = Pick<MemberDoc, 'name' | 'number' | 'phone' | 'kind' | 'unitIds' | 'title' | 'wecomUserId'>;

export const WECOM_USERID_PATTERN = /^[A-Za-z0-9_.@-]+$/;

function invalid(field: string, message: string): AppFailure {
  return new AppFailure('INVALID_INPUT', message, `member.${field}`);
}

function optionalText(value: string | null | undefined, limit: number, field: string, label: string): string | null {
  const text = oneLine(value ?? '');
  if (!text) return null;
  if ([...text].length > limit) throw invalid(field, `${label}不能超过 ${limit} 个字`);
  return text;
}

/** Validates and normalises an admin's member input against the tree. */
export function cleanMemberInput(input: MemberInput, snapshot: UnitTree): MemberFields {
  const name = oneLine(input.name);
  if (!name || [...name].length > FIELD_LIMITS.memberName) throw invalid('name', `姓名需为 1-${FIELD_LIMITS.memberName} 个字`);
  const number = normaliseNumber(input.number);
  const numberInvalid = numberProblem(number);
  if (numberInvalid) throw invalid('number', numberInvalid);
  let phone: string | null = null;
  if (input.phone && input.phone.trim()) {
    phone = normalizePhone(input.phone);
    if (!phone) throw new AppFailure('PHONE_INVALID', undefined, 'member.phone');
  }
  const unitIds = [...new Set(input.unitIds)];
  if (unitIds.length === 0 || unitIds.length > FIELD_LIMITS.memberUnits) throw invalid('unitIds', `请选择 1-${FIELD_LIMITS.memberUnits} 个所属单位`);
  for (const id of unitIds) {
    if (!snapshot.get(id)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'member.unitIds');
  }
  const wecomUserId = optionalText(input.wecomUserId, FIELD_LIMITS.wecomUserId, 'wecomUserId', '企业微信账号');
  if (wecomUserId && !WECOM_USERID_PATTERN.test(wecomUserId)) throw invalid('wecomUserId', '企业微信账号只能包含字母、数字和 _ . @ -');
  return {
    name,
    number,
    phone,
    kind: input.kind,
    unitIds,
    title: optionalText(input.title, FIELD_LIMITS.memberTitle, 'title', '职务'),
    wecomUserId,
  };
}

/**
 * Reads the member's units inside the transaction (their names for the account summary, and
 * proof that none was deleted meanwhile: the read also makes a concurrent delete or rename of
 * the unit conflict with this transaction), then moves the counters.
 */
async function applyCounters(deps: OrgDeps, t: Transaction, changes: CounterChanges, unitIds: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of unitIds) {
    const unit = await getInTransaction<UnitDoc>(t, 'units', id);
    if (!unit) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'member.unitIds');
    names.set(id, unit.name);
  }
  await moveCounters(deps, t, changes);
  return names;
}

const NUMBER_TAKEN = () => new AppFailure('MEMBER_NUMBER_TAKEN', undefined, 'member.number');
const WECOM_TAKEN = () => new AppFailure('MEMBER_WECOM_TAKEN', undefined, 'member.wecomUserId');

/**
 * Which unique key another member holds. Checked before writing for a clear answer; the
 * unique indexes on `number` and `wecomKey` decide races, see `uniqueKeyTaken`.
 */
async function takenKey(deps: OrgDeps, fields: { number?: string; wecomUserId?: string | null }, selfId: string | null): Promise<AppFailure | null> {
  const _ = deps.db.command;
  const others = selfId ? { _id: _.neq(selfId) } : {};
  if (fields.number !== undefined) {
    const { data } = await deps.db.collection('members').where({ number: fields.number, ...others }).limit(1).field({ _id: true }).get();
    if (data.length > 0) return NUMBER_TAKEN();
  }
  if (fields.wecomUserId) {
    const { data } = await deps.db.collection('members').where({ wecomKey: wecomKeyOf('', fields.wecomUserId), ...others }).limit(1).field({ _id: true }).get();
    if (data.length > 0) return WECOM_TAKEN();
  }
  return null;
}

async function assertUnique(deps: OrgDeps, fields: { number?: string; wecomUserId?: string | null }, selfId: string | null): Promise<void> {
  const taken = await takenKey(deps, fields, selfId);
  if (taken) throw taken;
}

/** A write lost to a unique index: say which key, by looking (the error text names no field reliably). */
async function uniqueKeyTaken(deps: OrgDeps, error: unknown, fields: { number: string; wecomUserId: string | null }, selfId: string | null): Promise<never> {
  if (!isDuplicateKey(error)) throw error;
  throw (await takenKey(deps, fields, selfId)) ?? NUMBER_TAKEN();
}

export function memberNotFound(): AppFailure {
  return new AppFailure('MEMBER_NOT_FOUND');
}

export function newMemberId(): string {
  return `m_${randomBytes(8).toString('hex')}`;
}

export async function createMember(deps: OrgDeps, input: MemberInput): Promise<MemberDoc> {
  const snapshot = await tree(deps);
  const fields = cleanMemberInput(input, snapshot);
  await assertUnique(deps, fields, null);
  const now = deps.now();
  const id = newMemberId();
  const member: MemberDoc = {
    _id: id,
    ...fields,
    observes: [],
    active: true,
    userId: null,
    rev: newRev(),
    fieldsRev: newRev(),
    wecomKey: wecomKeyOf(id, fields.wecomUserId),
    createdAt: now,
    updatedAt: now,
    deactivatedAt: null,
  };
  await runRefusable(deps.db, async (t) => {
    await applyCounters(deps, t, counterChanges([{ before: null, after: member }]), member.unitIds);
    await t.collection('members').add({ data: member });
  }).catch((error) => uniqueKeyTaken(deps, error, fields, null));
  return member;
}

/**
 * Rewrites a member inside a transaction: `change` computes the new document from the
 * current one (or refuses); counters and the bound account's summary follow.
 */
async function rewriteMember(deps: OrgDeps, memberId: string, change: (current: MemberDoc) => MemberDoc | null): Promise<MemberDoc> {
  const _ = deps.db.command;
  const snapshot = await tree(deps);
  let attempted: MemberDoc | null = null;
  return runRefusable(deps.db, async (t) => {
    const current = await getInTransaction<MemberDoc>(t, 'members', memberId);
    if (!current) throw memberNotFound();
    const changed = change(current);
    if (!changed) return current;
    const next: MemberDoc = { ...changed, wecomKey: wecomKeyOf(memberId, changed.wecomUserId) };
    attempted = next;
    const names = await applyCounters(deps, t, counterChanges([{ before: current, after: next }]), next.unitIds);
    const { _id, ...data } = next;
    await t.collection('members').doc(memberId).set({ data });
    if (next.userId) {
      const placed = current.active !== next.active || current.unitIds.join('|') !== next.unitIds.join('|');
      await t.collection('users').doc(next.userId).update({ data: summaryWrite(memberSummary(next, snapshot, (id) => names.get(id)), _, next.updatedAt, placed) });
    }
    return next;
  }).catch((error) => {
    const fields = attempted as MemberDoc | null;
    if (!fields) throw error;
    return uniqueKeyTaken(deps, error, fields, memberId);
  });
}

export async function updateMember(deps: OrgDeps, memberId: string, rev: string, patch: Partial<MemberInput>): Promise<MemberDoc> {
  const snapshot = await tree(deps);
  const existing = await findMember(deps, memberId);
  if (!existing) throw memberNotFound();
  const merged: MemberInput = {
    name: patch.name ?? existing.name,
    number: patch.number ?? existing.number,
    phone: patch.phone !== undefined ? patch.phone : existing.phone,
    kind: patch.kind ?? existing.kind,
    unitIds: patch.unitIds ?? existing.unitIds,
    title: patch.title !== undefined ? patch.title : existing.title,
    wecomUserId: patch.wecomUserId !== undefined ? patch.wecomUserId : existing.wecomUserId,
  };
  const fields = cleanMemberInput(merged, snapshot);
  await assertUnique(deps, { number: fields.number !== existing.number ? fields.number : undefined, wecomUserId: fields.wecomUserId !== existing.wecomUserId ? fields.wecomUserId : undefined }, memberId);
  const now = deps.now();
  return rewriteMember(deps, memberId, (current) => {
    if (current.rev !== rev) throw new AppFailure('MEMBER_STALE');
    return { ...current, ...fields, rev: newRev(), fieldsRev: newRev(), updatedAt: now };
  });
}

export async function setMemberActive(deps: OrgDeps, memberId: string, active: boolean): Promise<MemberDoc> {
  const now = deps.now();
  return rewriteMember(deps, memberId, (current) => {
    if (current.active === active) return null;
    return { ...current, active, deactivatedAt: active ? null : now, rev: newRev(), fieldsRev: newRev(), updatedAt: now };
  });
}

export async function setObserves(deps: OrgDeps, memberId: string, unitIds: string[]): Promise<MemberDoc> {
  const observes = [...new Set(unitIds)];
  if (observes.length > FIELD_LIMITS.memberObserves) throw new AppFailure('INVALID_INPUT', `最多关注 ${FIELD_LIMITS.memberObserves} 个单位`, 'unitIds');
  const snapshot = await tree(deps);
  for (const id of observes) if (!snapshot.get(id)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitIds');
  const now = deps.now();
  return rewriteMember(deps, memberId, (current) => ({ ...current, observes, rev: newRev(), updatedAt: now }));
}

export async function listObservers(deps: OrgDeps, unitId: string): Promise<MemberCard[]> {
  const { data } = await deps.db.collection('members').where({ observes: unitId }).orderBy('number', 'asc').limit(100).get();
  return (data as MemberDoc[]).map(memberCard);
}

export const MEMBER_PAGE = 50;

/** Text matched literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Name or number prefix, for the directory and the admin's search; the number part is read as numbers are stored. */
export function prefixFilter(deps: Pick<OrgDeps, 'db'>, query: string): Filter {
  const _ = deps.db.command;
  const prefix = (text: string) => deps.db.RegExp({ regexp: `^${escapeRegExp(text)}`, options: 'i' });
  const number = normaliseNumber(query);
  return number ? _.or([{ name: prefix(query.trim()) }, { number: prefix(number) }]) : { name: prefix(query.trim()) };
}

/** A page of members by number; `after` is the last number of the previous page. */
export async function pageMembers(deps: OrgDeps, base: Record<string, unknown>, query: string | undefined, after: string | undefined): Promise<{ items: MemberDoc[]; next: string | null }> {
  const _ = deps.db.command;
  const plain: Record<string, unknown> = { ...base };
  if (after) plain.number = _.gt(after);
  const filter: Filter = query && query.trim() ? _.and([plain, prefixFilter(deps, query)]) : plain;
  const { data } = await deps.db.collection('members').where(filter).orderBy('number', 'asc').limit(MEMBER_PAGE + 1).get();
  const members = data as MemberDoc[];
  const items = members.slice(0, MEMBER_PAGE);
  return { items, next: members.length > MEMBER_PAGE ? items[items.length - 1].number : null };
}

export async function searchMembers(
  deps: OrgDeps,
  request: { query?: string; unitId?: string; status?: 'active' | 'inactive' | 'all'; after?: string },
): Promise<{ items: MemberCard[]; next: string | null }> {
  const base: Record<string, unknown> = {};
  if (request.unitId) {
    if (!(await tree(deps)).get(request.unitId)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitId');
    base.unitIds = request.unitId;
  }
  const status = request.status ?? 'active';
  if (status !== 'all') base.active = status === 'active';
  const page = await pageMembers(deps, base, request.query, request.after);
  return { items: page.items.map(memberCard), next: page.next };
}

export function findMember(deps: OrgDeps, memberId: string): Promise<MemberDoc | null> {
  return findById<MemberDoc>(deps.db, 'members', memberId);
}

export const MEMBER_KIND_LABEL: Record<MemberKind, string> = { student: '学生', staff: '教职工' };
