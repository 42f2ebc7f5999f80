/**
 * The lists of proposals and the handlers' dashboard. Each answers in a fixed number of
 * database requests whatever the number of proposals: a page is one indexed query (keyset
 * paging on the sort key and `_id`), the caller's relations to its rows two more, the counts one
 * aggregation each.
 */
import type { Page, ProposalCard, ProposalDashboard, ProposalFilters, ProposalStatus } from '../../typings';
import { OPEN_PROPOSAL_STATUSES, PROPOSAL_STATUSES } from '../../typings/proposal-rules';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import type { Filter } from '../db/db';
import { keysetAfter, keysetCursor } from '../db/keyset';
import { allCategories, handledCategories } from './categories';
import { AUTHORS, isAdmin, PROPOSALS, relations, toCard, type AuthorDoc, type CategoryDoc, type ProposalDeps, type ProposalDoc } from './model';

export const PAGE = 20;

type SortKey = 'submittedAt' | 'supportCount';

/** Proposal ids are `p-<request id>`. */
const PROPOSAL_ID = /^[A-Za-z0-9_~-]{1,100}$/;

function cursorOf(doc: ProposalDoc | AuthorDoc, key: SortKey): string {
  return keysetCursor(key === 'submittedAt' ? doc.submittedAt : (doc as ProposalDoc).supportCount, doc._id);
}

/** Rows after `after` in (key desc, `_id` desc) order. */
function afterFilter(deps: ProposalDeps, after: string | undefined, key: SortKey): Filter | null {
  return keysetAfter(deps.db, after, { field: key, kind: key === 'submittedAt' ? 'date' : 'number', direction: 'desc', id: PROPOSAL_ID });
}

async function proposalPage(deps: ProposalDeps, account: UserDoc, base: Record<string, unknown>, key: SortKey, after: string | undefined): Promise<Page<ProposalCard>> {
  const _ = deps.db.command;
  const cursor = afterFilter(deps, after, key);
  const { data } = await deps.db
    .collection(PROPOSALS)
    .where(cursor ? _.and([base, cursor]) : base)
    .orderBy(key, 'desc')
    .orderBy('_id', 'desc')
    .limit(PAGE + 1)
    .get();
  const docs = data as ProposalDoc[];
  const items = docs.slice(0, PAGE);
  const rel = await relations(deps.db, account, items.map((doc) => doc._id));
  return {
    // A card shows nothing that depends on handling.
    items: items.map((doc) => toCard(doc, { account, mine: rel.mine.has(doc._id), handler: false, supported: rel.supported.has(doc._id) })),
    next: docs.length > PAGE ? cursorOf(items[items.length - 1], key) : null,
  };
}

/** 我的提案: the caller's proposals, newest first. */
export async function myProposals(deps: ProposalDeps, account: UserDoc, after: string | undefined): Promise<Page<ProposalCard>> {
  const _ = deps.db.command;
  const base = { accountId: account._id };
  const cursor = afterFilter(deps, after, 'submittedAt');
  const { data } = await deps.db
    .collection(AUTHORS)
    .where(cursor ? _.and([base, cursor]) : base)
    .orderBy('submittedAt', 'desc')
    .orderBy('_id', 'desc')
    .limit(PAGE + 1)
    .get();
  const authors = (data as AuthorDoc[]).slice(0, PAGE);
  const ids = authors.map((row) => row._id);
  const found = ids.length === 0 ? [] : ((await deps.db.collection(PROPOSALS).where({ _id: _.in(ids) }).limit(ids.length).get()).data as ProposalDoc[]);
  const byId = new Map(found.map((doc) => [doc._id, doc]));
  const items = ids.flatMap((id) => {
    const doc = byId.get(id);
    return doc ? [toCard(doc, { account, mine: true, handler: false, supported: false })] : [];
  });
  return { items, next: (data as AuthorDoc[]).length > PAGE ? cursorOf(authors[authors.length - 1], 'submittedAt') : null };
}

/** 全部提案: public proposals, most supported or newest first. */
export async function publicProposals(
  deps: ProposalDeps,
  account: UserDoc,
  request: { sort: 'support' | 'newest'; categoryId?: string; status?: ProposalStatus; after?: string },
): Promise<Page<ProposalCard>> {
  const base: Record<string, unknown> = { public: true };
  if (request.categoryId) base.categoryId = request.categoryId;
  if (request.status) base.status = request.status;
  return proposalPage(deps, account, base, request.sort === 'support' ? 'supportCount' : 'submittedAt', request.after);
}

/**
 * What a handler's list and dashboard cover: their categories (all for admins), narrowed by the
 * filters. A category the caller does not handle is FORBIDDEN; a unit filter matches only named
 * proposals (an anonymous one carries no unit).
 */
async function handlingScope(deps: ProposalDeps, account: UserDoc, filters: ProposalFilters): Promise<{ base: Record<string, unknown>; categories: CategoryDoc[] }> {
  const all = await allCategories(deps);
  const handled = handledCategories(account, all);
  if (!isAdmin(account) && handled.length === 0) throw new AppFailure('FORBIDDEN');
  const _ = deps.db.command;
  const base: Record<string, unknown> = {};
  if (filters.categoryId) {
    if (!handled.some((category) => category._id === filters.categoryId)) throw new AppFailure('FORBIDDEN');
    base.categoryId = filters.categoryId;
  } else if (!isAdmin(account)) {
    base.categoryId = _.in(handled.map((category) => category._id));
  }
  if (filters.status && filters.openOnly) throw new AppFailure('INVALID_INPUT', '状态和“办理中的提案”不能同时筛选', 'openOnly');
  if (filters.status) base.status = filters.status;
  else if (filters.openOnly) base.status = _.in([...OPEN_PROPOSAL_STATUSES]);
  if (filters.unitId) base.unitKeys = filters.unitId;
  return { base, categories: filters.categoryId ? handled.filter((category) => category._id === filters.categoryId) : handled };
}

export async function handlingProposals(deps: ProposalDeps, account: UserDoc, request: ProposalFilters & { assignedToMe?: boolean; after?: string }): Promise<Page<ProposalCard>> {
  const { base } = await handlingScope(deps, account, request);
  if (request.assignedToMe) base['assignee.id'] = account.member?.id ?? '';
  return proposalPage(deps, account, base, 'submittedAt', request.after);
}

const round = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null);

/** Counts per status and time to first answer per category: the categories read and two aggregations. */
export async function dashboard(deps: ProposalDeps, account: UserDoc, filters: { categoryId?: string; unitId?: string }): Promise<ProposalDashboard> {
  const { base, categories } = await handlingScope(deps, account, filters);
  const _ = deps.db.command;
  const collection = deps.db.collection(PROPOSALS);
  const [byStatus, byCategory] = await Promise.all([
    collection.aggregate().match(base).group({ _id: '$status', count: { $sum: 1 } }).limit(PROPOSAL_STATUSES.length).end(),
    collection
      .aggregate()
      .match({ ...base, firstAnsweredAt: _.neq(null) })
      .group({ _id: '$categoryId', answered: { $sum: 1 }, mean: { $avg: '$answerMinutes' }, max: { $max: '$answerMinutes' } })
      .limit(categories.length + 1)
      .end(),
  ]);
  const counts = Object.fromEntries(PROPOSAL_STATUSES.map((status) => [status, 0])) as Record<ProposalStatus, number>;
  for (const row of byStatus.list as { _id: ProposalStatus; count: number }[]) if (row._id in counts) counts[row._id] = row.count;
  const answered = new Map((byCategory.list as { _id: string; answered: number; mean: unknown; max: unknown }[]).map((row) => [row._id, row]));
  return {
    counts,
    total: Object.values(counts).reduce((sum, count) => sum + count, 0),
    firstAnswer: categories.map((category) => {
      const row = answered.get(category._id);
      return { categoryId: category._id, categoryName: category.name, answered: row?.answered ?? 0, meanMinutes: row ? round(row.mean) : null, maxMinutes: row ? round(row.max) : null };
    }),
  };
}
