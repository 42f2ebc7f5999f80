/**
 * Typed calls for the `proposal` function: submitting, 我的提案 and 全部提案, support, rating,
 * and the handlers' desk (dashboard, handling actions, categories, the reveal audit). Pages call
 * these, never the transport.
 */
import type {
  CategoryInput,
  Page,
  ProposalCard,
  ProposalCategory,
  ProposalDashboard,
  ProposalFilters,
  ProposalInput,
  ProposalStatus,
  ProposalView,
  Result,
  RevealedAuthor,
  RevealRecord,
  SubscribeChoice,
  SubscriptionState,
} from '../../typings';
import { callWithSession } from './session';

/** Active categories for the form; `all` (handlers, admins) every one with its handlers. */
export function listCategories(all = false): Promise<Result<{ items: ProposalCategory[]; handles: boolean }>> {
  return callWithSession('proposal', 'categories.list', all ? { all: true } : {});
}

/** Admins: creates a category (no `category`) or saves one read earlier. */
export function saveCategory(details: CategoryInput, category: Pick<ProposalCategory, 'id' | 'rev'> | null = null): Promise<Result<ProposalCategory>> {
  return callWithSession('proposal', 'categories.save', category ? { categoryId: category.id, rev: category.rev, details } : { details });
}

export function submitProposal(input: ProposalInput): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.submit', input);
}

export function myProposals(after: string | null = null): Promise<Result<Page<ProposalCard>>> {
  return callWithSession('proposal', 'proposals.mine', after ? { after } : {});
}

export function publicProposals(
  sort: 'support' | 'newest',
  filters: { categoryId?: string; status?: ProposalStatus } = {},
  after: string | null = null,
): Promise<Result<Page<ProposalCard>>> {
  const request: { sort: 'support' | 'newest'; categoryId?: string; status?: ProposalStatus; after?: string } = { sort };
  if (filters.categoryId) request.categoryId = filters.categoryId;
  if (filters.status) request.status = filters.status;
  if (after) request.after = after;
  return callWithSession('proposal', 'proposals.public', request);
}

export function getProposal(proposalId: string): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.get', { proposalId });
}

export function supportProposal(proposalId: string, support: boolean): Promise<Result<{ supportCount: number; supported: boolean }>> {
  return callWithSession('proposal', 'proposals.support', { proposalId, support });
}

export function rateProposal(proposalId: string, stars: number, comment = ''): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.rate', comment ? { proposalId, stars, comment } : { proposalId, stars });
}

/** Handlers and admins: the proposals they handle, filtered. */
export function handlingProposals(filters: ProposalFilters & { assignedToMe?: boolean } = {}, after: string | null = null): Promise<Result<Page<ProposalCard>>> {
  const request: ProposalFilters & { assignedToMe?: boolean; after?: string } = {};
  if (filters.status) request.status = filters.status;
  if (filters.openOnly) request.openOnly = true;
  if (filters.categoryId) request.categoryId = filters.categoryId;
  if (filters.unitId) request.unitId = filters.unitId;
  if (filters.assignedToMe) request.assignedToMe = true;
  if (after) request.after = after;
  return callWithSession('proposal', 'proposals.handling', request);
}

export function proposalDashboard(filters: { categoryId?: string; unitId?: string } = {}): Promise<Result<ProposalDashboard>> {
  const request: { categoryId?: string; unitId?: string } = {};
  if (filters.categoryId) request.categoryId = filters.categoryId;
  if (filters.unitId) request.unitId = filters.unitId;
  return callWithSession('proposal', 'proposals.dashboard', request);
}

type Read = Pick<ProposalView, 'id' | 'rev'>;

export function moveProposal(proposal: Read, to: ProposalStatus, extra: { reason?: string; answer?: string } = {}): Promise<Result<ProposalView>> {
  const request: { proposalId: string; rev: string; to: ProposalStatus; reason?: string; answer?: string } = { proposalId: proposal.id, rev: proposal.rev, to };
  if (extra.reason) request.reason = extra.reason;
  if (extra.answer) request.answer = extra.answer;
  return callWithSession('proposal', 'proposals.move', request);
}

export function answerProposal(proposal: Read, answer: string): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.answer', { proposalId: proposal.id, rev: proposal.rev, answer });
}

export function assignProposal(proposal: Read, handlerId: string | null): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.assign', { proposalId: proposal.id, rev: proposal.rev, handlerId });
}

export function publishProposal(proposal: Read, isPublic: boolean): Promise<Result<ProposalView>> {
  return callWithSession('proposal', 'proposals.publish', { proposalId: proposal.id, rev: proposal.rev, public: isPublic });
}

export function mergeProposal(proposal: Read, intoId: string): Promise<Result<{ merged: ProposalView; into: ProposalView }>> {
  return callWithSession('proposal', 'proposals.merge', { proposalId: proposal.id, rev: proposal.rev, intoId });
}

/** Admins: who proposed an anonymous proposal (recorded with `reason`). */
export function revealAuthor(proposalId: string, reason: string): Promise<Result<RevealedAuthor>> {
  return callWithSession('proposal', 'proposals.reveal', { proposalId, reason });
}

export function revealRecords(after: string | null = null): Promise<Result<Page<RevealRecord>>> {
  return callWithSession('proposal', 'proposals.reveals', after ? { after } : {});
}

export function proposalSubscriptionState(): Promise<Result<SubscriptionState>> {
  return callWithSession('proposal', 'subscriptions.state', {});
}

export function recordProposalSubscriptions(choices: Record<string, SubscribeChoice>): Promise<Result<SubscriptionState>> {
  return callWithSession('proposal', 'subscriptions.record', { choices });
}
