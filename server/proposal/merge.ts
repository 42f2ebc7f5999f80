/**
 * Merging a duplicate into another proposal. One transaction reads both, checks the duplicate
 * is at the `rev` the handler read and both are still being handled, marks the duplicate merged
 * and records the merge on the target: two merges touching one proposal at once (A into B while
 * B goes into A, or into C) conflict, and the retry refuses the one that no longer makes sense.
 * Then the duplicate's supporters support the target, each once (nobody else: carrying a
 * proposer would let a handler test whether someone proposed an anonymous proposal), along the
 * chain if the target has gone on into another meanwhile. A merge cut short is finished by
 * sending it again or by the timer (`mergeCarried`).
 */
import type { ProposalView } from '../../typings';
import { OPEN_PROPOSAL_STATUSES, PROPOSAL_STATUS_NAMES } from '../../typings/proposal-rules';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById } from '../db/db';
import { getInTransaction, runRefusable } from '../db/transactions';
import { newRev } from '../org/tree';
import { loadForHandling, viewOf } from './access';
import { actorName, entry, PROPOSALS, type ProposalDeps, type ProposalDoc, type Viewer } from './model';
import { tellProposer } from './notify';
import { supportAlongMerges, supporterIds, withdrawAlongMerges } from './support';

type MergedDoc = ProposalDoc & { mergeCarried?: boolean; mergeTold?: boolean };

/** Merges the timer finishes per run, and how long a merge may be under way before it does. */
const FINISH_BATCH = 20;
const FINISH_AFTER_MS = 2 * 60_000;

function notOpenTarget(status: ProposalDoc['status']): AppFailure {
  return new AppFailure('PROPOSAL_INVALID_TRANSITION', `目标提案为「${PROPOSAL_STATUS_NAMES[status]}」，只能合并到办理中的提案`, 'intoId');
}

/** The proposal a duplicate goes into: one the caller handles, else the move is refused on `intoId`. */
async function loadTarget(deps: ProposalDeps, account: UserDoc, intoId: string): Promise<{ doc: ProposalDoc; viewer: Viewer }> {
  try {
    return await loadForHandling(deps, account, intoId);
  } catch (error) {
    if (error instanceof AppFailure && (error.code === 'PROPOSAL_NOT_FOUND' || error.code === 'FORBIDDEN')) {
      throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '只能合并到你负责处理的提案', 'intoId');
    }
    throw error;
  }
}

/** Marks `dupId` merged into `intoId` if both are as the checks want them, in one transaction. */
async function mark(deps: ProposalDeps, account: UserDoc, dupId: string, rev: string, intoId: string): Promise<MergedDoc> {
  const _ = deps.db.command;
  const now = deps.now();
  const by = actorName(account);
  return runRefusable(deps.db, async (t) => {
    const dup = await getInTransaction<MergedDoc>(t, PROPOSALS, dupId);
    const into = await getInTransaction<ProposalDoc>(t, PROPOSALS, intoId);
    if (!dup) throw new AppFailure('PROPOSAL_NOT_FOUND', undefined, 'proposalId');
    if (!into) throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '只能合并到你负责处理的提案', 'intoId');
    if (dup.rev !== rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
    if (!OPEN_PROPOSAL_STATUSES.includes(dup.status)) throw new AppFailure('PROPOSAL_INVALID_TRANSITION', `提案当前为「${PROPOSAL_STATUS_NAMES[dup.status]}」，不能合并`, 'intoId');
    if (!OPEN_PROPOSAL_STATUSES.includes(into.status)) throw notOpenTarget(into.status);
    const mergedInto = { id: into._id, title: into.title };
    const mergedEntry = entry(now, 'merged', by, dup.status, into.title);
    const nextRev = newRev();
    await t.collection(PROPOSALS).doc(dupId).update({ data: { status: 'merged', mergedInto: _.set(mergedInto), mergeCarried: false, mergeTold: false, rev: nextRev, updatedAt: now, history: _.push([mergedEntry]) } });
    // Written in the same transaction: a merge of the target at once conflicts with this one. The
    // target's rev stays: a handler's open page of it is not made stale by a duplicate coming in.
    // The entry remembers the duplicate's category: its title is for those who handle that one too.
    const mergedIn = { ...entry(now, 'merged-in', by, dup.title), refCategoryId: dup.categoryId };
    await t.collection(PROPOSALS).doc(intoId).update({ data: { updatedAt: now, history: _.push([mergedIn]) } });
    return { ...dup, status: 'merged' as const, mergedInto, mergeCarried: false, mergeTold: false, rev: nextRev, updatedAt: now, history: [...dup.history, mergedEntry] };
  });
}

/**
 * Passes the duplicate's supporters on and records that it is done. Then it looks again: anyone
 * who withdrew on the duplicate while their support was being carried loses the carried one
 * (the withdrawal looks at the target after removing, so whichever comes second sees the other).
 */
async function carry(deps: ProposalDeps, dup: MergedDoc): Promise<void> {
  if (!dup.mergedInto) return;
  const carried = await supporterIds(deps.db, dup._id);
  await supportAlongMerges(deps, dup.mergedInto.id, carried, dup._id);
  const still = new Set(await supporterIds(deps.db, dup._id));
  const gone = carried.filter((id) => !still.has(id));
  if (gone.length > 0) await withdrawAlongMerges(deps, dup.mergedInto.id, dup._id, gone);
  await deps.db.collection(PROPOSALS).where({ _id: dup._id }).update({ data: { mergeCarried: true } });
}

/** Tells the duplicate's proposer it was merged, once (a call that died before is made up by the timer). */
async function tell(deps: ProposalDeps, dup: MergedDoc): Promise<void> {
  await tellProposer(deps, dup);
  await deps.db.collection(PROPOSALS).where({ _id: dup._id }).update({ data: { mergeTold: true } });
}

export async function mergeProposal(deps: ProposalDeps, account: UserDoc, request: { proposalId: string; rev: string; intoId: string }): Promise<{ merged: ProposalView; into: ProposalView }> {
  if (request.intoId === request.proposalId) throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '不能把提案合并到它自己', 'intoId');
  const dup = await loadForHandling(deps, account, request.proposalId);
  const into = await loadTarget(deps, account, request.intoId);
  let merged = dup.doc as MergedDoc;
  const resuming = merged.status === 'merged' && merged.mergedInto?.id === into.doc._id;
  if (!resuming) {
    if (request.rev !== merged.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
    merged = await mark(deps, account, merged._id, request.rev, into.doc._id);
    await tell(deps, merged);
  }
  if (merged.mergeCarried !== true) {
    await carry(deps, merged);
    merged = { ...merged, mergeCarried: true };
  }
  const target = (await findById<ProposalDoc>(deps.db, PROPOSALS, into.doc._id)) as ProposalDoc;
  return { merged: await viewOf(deps, merged, dup.viewer), into: await viewOf(deps, target, into.viewer) };
}

/** The timer: finishes merges a call left before passing the supporters on or telling the proposer. */
export async function finishMerges(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const before = _.lt(new Date(deps.now().getTime() - FINISH_AFTER_MS));
  const { data } = await deps.db
    .collection(PROPOSALS)
    .where(_.or([{ status: 'merged', mergeCarried: false, updatedAt: before }, { status: 'merged', mergeTold: false, updatedAt: before }]))
    .limit(FINISH_BATCH)
    .get();
  for (const doc of data as MergedDoc[]) {
    if (doc.mergeTold === false) await tell(deps, doc);
    if (doc.mergeCarried === false) await carry(deps, doc);
  }
  return data.length;
}
