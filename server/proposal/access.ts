/**
 * Who a caller is to a proposal, and the proposal as they may see it. Every single-proposal
 * action goes through `loadFor`, so a private proposal answers PROPOSAL_NOT_FOUND to anyone who
 * may not see it, whatever they ask of it.
 */
import type { ProposalView } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById } from '../db/db';
import { AUTHORS, CATEGORIES, canSee, handles, isAdmin, PROPOSALS, relations, toView, visibleImages, type CategoryDoc, type ProposalDeps, type ProposalDoc, type Viewer } from './model';

/** Temporary links last an hour: a page open longer reloads the proposal. */
export const IMAGE_URL_SECONDS = 3600;

export async function isHandler(deps: Pick<ProposalDeps, 'db'>, account: UserDoc, categoryId: string): Promise<boolean> {
  if (isAdmin(account)) return true;
  if (!account.member?.active) return false;
  const category = await findById<CategoryDoc>(deps.db, CATEGORIES, categoryId);
  return !!category && handles(account, category);
}

export async function viewerOf(deps: ProposalDeps, account: UserDoc, doc: ProposalDoc): Promise<Viewer> {
  const [rel, handler] = await Promise.all([relations(deps.db, account, [doc._id]), isHandler(deps, account, doc.categoryId)]);
  return { account, mine: rel.mine.has(doc._id), handler, supported: rel.supported.has(doc._id) };
}

/** The proposal and what the caller is to it; PROPOSAL_NOT_FOUND when they may not see it. */
export async function loadFor(deps: ProposalDeps, account: UserDoc, proposalId: string): Promise<{ doc: ProposalDoc; viewer: Viewer }> {
  const doc = await findById<ProposalDoc>(deps.db, PROPOSALS, proposalId);
  if (!doc) throw new AppFailure('PROPOSAL_NOT_FOUND', undefined, 'proposalId');
  const viewer = await viewerOf(deps, account, doc);
  if (!canSee(doc, viewer)) throw new AppFailure('PROPOSAL_NOT_FOUND', undefined, 'proposalId');
  return { doc, viewer };
}

/** As loadFor, for handling: the category's handlers and admins only. */
export async function loadForHandling(deps: ProposalDeps, account: UserDoc, proposalId: string): Promise<{ doc: ProposalDoc; viewer: Viewer }> {
  const loaded = await loadFor(deps, account, proposalId);
  if (!loaded.viewer.handler) throw new AppFailure('FORBIDDEN');
  return loaded;
}

/** Whether the caller may see the proposal `doc` went into (one read or two, for merged proposals only). */
async function targetVisible(deps: ProposalDeps, doc: ProposalDoc, viewer: Viewer): Promise<boolean> {
  if (!doc.mergedInto) return false;
  if (isAdmin(viewer.account)) return true;
  const target = await findById<ProposalDoc>(deps.db, PROPOSALS, doc.mergedInto.id);
  if (!target) return false;
  if (target.public || (await isHandler(deps, viewer.account, target.categoryId))) return true;
  const { data } = await deps.db.collection(AUTHORS).where({ _id: target._id, accountId: viewer.account._id }).limit(1).field({ _id: true }).get();
  return data.length > 0;
}

export async function viewOf(deps: ProposalDeps, doc: ProposalDoc, viewer: Viewer): Promise<ProposalView> {
  const fileIds = visibleImages(doc, viewer.mine).map((image) => image.fileId);
  const [urls, target] = await Promise.all([
    fileIds.length > 0 ? deps.storage.temporaryUrls(fileIds, IMAGE_URL_SECONDS) : Promise.resolve(new Map<string, string>()),
    targetVisible(deps, doc, viewer),
  ]);
  return toView(doc, viewer, urls, target);
}
