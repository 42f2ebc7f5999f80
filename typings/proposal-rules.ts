/**
 * Proposal facts both sides need at run time: the statuses in Chinese, which moves a handler
 * may make from each, the request id's shape and the default daily limit. A pure data module:
 * the mini-program build inlines it, the functions bundle it.
 */
import type { ProposalStatus } from './proposal';

/** In the order of the handling, the closed ones last. */
export const PROPOSAL_STATUS_NAMES: Readonly<Record<ProposalStatus, string>> = {
  submitted: '待受理',
  accepted: '已受理',
  in_progress: '办理中',
  resolved: '已办结',
  rejected: '未采纳',
  merged: '已合并',
};

export const PROPOSAL_STATUSES = Object.keys(PROPOSAL_STATUS_NAMES) as ProposalStatus[];

/**
 * Moves `proposals.move` allows: along submitted → accepted → in_progress → resolved, and to
 * rejected from any open status. Merging (into another proposal) has its own action; resolved,
 * rejected and merged are final.
 */
export const PROPOSAL_MOVES: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  submitted: ['accepted', 'rejected'],
  accepted: ['in_progress', 'rejected'],
  in_progress: ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
  merged: [],
};

/** Statuses still being handled: a duplicate may be merged from or into these. */
export const OPEN_PROPOSAL_STATUSES: readonly ProposalStatus[] = ['submitted', 'accepted', 'in_progress'];

/** A submission's request id: it names the images' folder, so it stays to path-safe letters. */
export const PROPOSAL_REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Proposals one person may submit per business day unless `PROPOSAL_DAILY_LIMIT` says otherwise. */
export const DEFAULT_PROPOSAL_DAILY_LIMIT = 5;

/** Stars of a rating. */
export const RATING_STARS = { min: 1, max: 5 } as const;

/** The folder proposal images are uploaded to, under it the submission's request id. */
export const PROPOSAL_IMAGE_FOLDER = 'proposal-images';
