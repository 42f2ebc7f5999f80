/**
 * Proposal categories: admins keep them, each with the roster members who handle its
 * proposals. The list is small (a school keeps a handful), so it is read whole.
 */
import type { CategoryInput, ProposalCategory } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById, isDuplicateKey } from '../db/db';
import { oneLine } from '../org/model';
import { newRev } from '../org/tree';
import { CATEGORIES, handles, PROPOSALS, isAdmin, type CategoryDoc, type ProposalDeps } from './model';

/** More than any organisation keeps; one read lists them all. */
export const MAX_CATEGORIES = 100;

export async function allCategories(deps: Pick<ProposalDeps, 'db'>): Promise<CategoryDoc[]> {
  const { data } = await deps.db.collection(CATEGORIES).orderBy('createdAt', 'asc').limit(MAX_CATEGORIES).get();
  return data as CategoryDoc[];
}

export function categoryView(doc: CategoryDoc): ProposalCategory {
  return { id: doc._id, name: doc.name, description: doc.description, active: doc.active, handlers: doc.handlers, rev: doc.rev };
}

/** Categories whose proposals `account` handles (every one for an admin). */
export function handledCategories(account: UserDoc, categories: readonly CategoryDoc[]): CategoryDoc[] {
  return categories.filter((category) => handles(account, category));
}

export async function listCategories(deps: ProposalDeps, account: UserDoc, all: boolean): Promise<{ items: ProposalCategory[]; handles: boolean }> {
  const categories = await allCategories(deps);
  const handled = handledCategories(account, categories);
  const handlesAny = isAdmin(account) || handled.length > 0;
  if (all && !handlesAny) throw new AppFailure('FORBIDDEN');
  const items = all ? categories : categories.filter((category) => category.active);
  return { items: items.map(categoryView), handles: handlesAny };
}

function invalid(message: string, field: string): AppFailure {
  return new AppFailure('INVALID_INPUT', message, field);
}

async function cleanCategory(deps: ProposalDeps, input: CategoryInput): Promise<Omit<CategoryDoc, '_id' | 'createdAt' | 'updatedAt' | 'rev'>> {
  const name = oneLine(input.name);
  if (!name) throw invalid('请填写类别名称', 'details.name');
  const description = oneLine(input.description);
  const handlerIds = [...new Set(input.handlerIds)];
  if (handlerIds.length > FIELD_LIMITS.categoryHandlers) throw invalid(`处理人最多 ${FIELD_LIMITS.categoryHandlers} 位`, 'details.handlerIds');
  let handlers: { id: string; name: string }[] = [];
  if (handlerIds.length > 0) {
    const _ = deps.db.command;
    const { data } = await deps.db.collection('members').where({ _id: _.in(handlerIds), active: true }).limit(handlerIds.length).field({ _id: true, name: true }).get();
    const names = new Map((data as { _id: string; name: string }[]).map((row) => [row._id, row.name]));
    if (names.size !== handlerIds.length) throw new AppFailure('MEMBER_NOT_FOUND', undefined, 'details.handlerIds');
    handlers = handlerIds.map((id) => ({ id, name: names.get(id) as string }));
  }
  return { name, description, active: input.active, handlerIds, handlers };
}

function newCategoryId(): string {
  return `pc${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}

/** Creates or saves a category (admins). A save sends back the `rev` it read. */
export async function saveCategory(deps: ProposalDeps, request: { categoryId?: string; rev?: string; details: CategoryInput }): Promise<ProposalCategory> {
  const now = deps.now();
  const fields = await cleanCategory(deps, request.details);
  const collection = deps.db.collection(CATEGORIES);
  try {
    if (!request.categoryId) {
      const { total } = await collection.count();
      if (total >= MAX_CATEGORIES) throw invalid(`提案类别最多 ${MAX_CATEGORIES} 个`, 'details');
      const doc: CategoryDoc = { _id: newCategoryId(), ...fields, createdAt: now, updatedAt: now, rev: newRev() };
      await collection.add({ data: doc });
      return categoryView(doc);
    }
    const current = await findById<CategoryDoc>(deps.db, CATEGORIES, request.categoryId);
    if (!current) throw new AppFailure('CATEGORY_NOT_FOUND', undefined, 'categoryId');
    if (request.rev !== current.rev) throw new AppFailure('CATEGORY_STALE', undefined, 'rev');
    const rev = newRev();
    const { stats } = await collection.where({ _id: current._id, rev: current.rev }).update({ data: { ...fields, rev, updatedAt: now } });
    if (stats.updated === 0) throw new AppFailure('CATEGORY_STALE', undefined, 'rev');
    // Lists show the name each proposal carries: one write renames those still under another
    // name (every save, so a rename a crash or a submit in between left behind is caught up).
    const _ = deps.db.command;
    await deps.db.collection(PROPOSALS).where({ categoryId: current._id, categoryName: _.neq(fields.name) }).update({ data: { categoryName: fields.name } });
    return categoryView({ ...current, ...fields, rev, updatedAt: now });
  } catch (error) {
    // The unique index on names: two admins naming two categories alike at once, one gets in.
    if (isDuplicateKey(error)) throw new AppFailure('CATEGORY_NAME_TAKEN', undefined, 'details.name');
    throw error;
  }
}
