/**
 * Typed calls for the `org` function: the unit tree, the roster, binding, the directory,
 * observers and roster import. Binding also refreshes the stored account, so pages showing
 * the caller's roster member (我的) see it at once.
 */
import type {
  ImportItemCategory,
  ImportItemView,
  ImportView,
  MemberCard,
  MemberDetail,
  MemberInput,
  MemberSummary,
  MyDirectory,
  Page,
  Result,
  UnitKind,
  UnitView,
} from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { callWithSession, currentAccount, updateCachedAccount } from './session';

export type ChildKind = Exclude<UnitKind, 'org'>;
export type MemberStatusFilter = 'active' | 'inactive' | 'all';

/**
 * The longest name or number prefix the backend accepts. Counted here in UTF-16 units, which are
 * never fewer than characters, so the text sent fits whether the backend counts either.
 */
export const QUERY_MAX_LENGTH = FIELD_LIMITS.searchQuery;

/**
 * A search box's text as sent: trimmed and cut to QUERY_MAX_LENGTH, never inside a character
 * (an emoji counts two), so a pasted paragraph searches by its start instead of failing.
 */
export function searchQuery(raw: string | undefined): string {
  let query = '';
  for (const char of (raw ?? '').trim()) {
    if (query.length + char.length > QUERY_MAX_LENGTH) break;
    query += char;
  }
  return query.trim();
}

function keepMember(result: Result<{ member: MemberSummary }>): Result<{ member: MemberSummary }> {
  if (result.ok) {
    const account = currentAccount();
    if (account) updateCachedAccount({ ...account, member: result.data.member });
  }
  return result;
}

// Units

export function rootUnit(): Promise<Result<UnitView>> {
  return callWithSession('org', 'units.root', {});
}

export function getUnit(unitId: string): Promise<Result<UnitView>> {
  return callWithSession('org', 'units.get', { unitId });
}

export function childUnits(parentId: string, after: string | null = null): Promise<Result<Page<UnitView>>> {
  return callWithSession('org', 'units.children', after ? { parentId, after } : { parentId });
}

export function createUnit(parentId: string, name: string, kind: ChildKind): Promise<Result<UnitView>> {
  return callWithSession('org', 'units.create', { parentId, name, kind });
}

export function renameUnit(unitId: string, name: string): Promise<Result<UnitView>> {
  return callWithSession('org', 'units.rename', { unitId, name });
}

export function moveUnit(unitId: string, parentId: string): Promise<Result<UnitView>> {
  return callWithSession('org', 'units.move', { unitId, parentId });
}

export function deleteUnit(unitId: string): Promise<Result<{ id: string }>> {
  return callWithSession('org', 'units.delete', { unitId });
}

// Members (admins)

export function createMember(member: MemberInput): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'members.create', { member });
}

export function updateMember(memberId: string, rev: string, member: Partial<MemberInput>): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'members.update', { memberId, rev, member });
}

export function deactivateMember(memberId: string): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'members.deactivate', { memberId });
}

export function restoreMember(memberId: string): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'members.restore', { memberId });
}

export function unbindMember(memberId: string): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'members.unbind', { memberId });
}

export interface MemberSearch {
  query?: string;
  unitId?: string | null;
  status?: MemberStatusFilter;
  after?: string | null;
}

export function searchMembers(search: MemberSearch): Promise<Result<Page<MemberCard>>> {
  const request: { query?: string; unitId?: string; status?: MemberStatusFilter; after?: string } = {};
  const query = searchQuery(search.query);
  if (query) request.query = query;
  if (search.unitId) request.unitId = search.unitId;
  if (search.status) request.status = search.status;
  if (search.after) request.after = search.after;
  return callWithSession('org', 'members.search', request);
}

export function setObservedUnits(memberId: string, unitIds: string[]): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'observers.set', { memberId, unitIds });
}

// Binding and the directory

export function bindByPhone(code: string): Promise<Result<{ member: MemberSummary }>> {
  return callWithSession('org', 'bind.phone', { code }).then(keepMember);
}

export function bindByWecom(): Promise<Result<{ member: MemberSummary }>> {
  return callWithSession('org', 'bind.wecom', {}).then(keepMember);
}

export function myDirectory(): Promise<Result<MyDirectory>> {
  return callWithSession('org', 'directory.mine', {});
}

export function unitMembers(unitId: string, query = '', after: string | null = null): Promise<Result<Page<MemberCard>>> {
  const request: { unitId: string; query?: string; after?: string } = { unitId };
  const capped = searchQuery(query);
  if (capped) request.query = capped;
  if (after) request.after = after;
  return callWithSession('org', 'directory.unitMembers', request);
}

export function getMember(memberId: string): Promise<Result<MemberDetail>> {
  return callWithSession('org', 'directory.member', { memberId });
}

// Roster import (admins)

export function previewImport(fileId: string, fileName: string, deactivateMissing: boolean): Promise<Result<ImportView>> {
  return callWithSession('org', 'imports.preview', { fileId, fileName, deactivateMissing });
}

/** Recent imports, newest first. */
export function listImports(after: string | null = null): Promise<Result<Page<ImportView>>> {
  return callWithSession('org', 'imports.list', after ? { after } : {});
}

export function getImport(importId: string): Promise<Result<ImportView>> {
  return callWithSession('org', 'imports.get', { importId });
}

export function importItems(
  importId: string,
  category: ImportItemCategory,
  after: string | null = null,
): Promise<Result<Page<ImportItemView>>> {
  return callWithSession('org', 'imports.items', after ? { importId, category, after } : { importId, category });
}

export function applyImport(importId: string): Promise<Result<ImportView>> {
  return callWithSession('org', 'imports.apply', { importId });
}
