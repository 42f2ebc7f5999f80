/**
 * Supports (一键附议). A support is a document of its own (`<proposal>~<account>`), so a person
 * supports once whatever they send and however often. The count a proposal shows is the number
 * of those documents: after each change it is counted and written, then counted again, and
 * written again until two counts agree. Whichever write comes last was followed by a count that
 * saw every change made before it, and any later change writes after it: under any concurrency
 * the count settles on the exact number (100 people at once count 100), with no transaction for
 * them to contend on.
 */
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import type { Db } from '../db/db';
import { insertIfAbsent } from '../db/db';
import { loadFor } from './access';
import { PROPOSALS, SUPPORTS, supportId, type ProposalDeps } from './model';

/**
 * Rounds of count-and-write at most. A round is cut short only while supports keep changing
 * under it; the rounds end as soon as they stop, and only an endless stream of changes could
 * outlast these (the next change after it would settle the count again).
 */
const SETTLE_ROUNDS = 20;

/** Counts a proposal's supports and writes the count until a count after the write agrees. */
export async function settleSupportCount(db: Db, proposalId: string): Promise<number> {
  const count = async () => (await db.collection(SUPPORTS).where({ proposalId }).count()).total;
  let counted = await count();
  for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
    await db.collection(PROPOSALS).where({ _id: proposalId }).update({ data: { supportCount: counted } });
    const again = await count();
    if (again === counted) return counted;
    counted = again;
  }
  return counted;
}

export async function support(deps: ProposalDeps, account: UserDoc, proposalId: string, on: boolean): Promise<{ supportCount: number; supported: boolean }> {
  const { doc, viewer } = await loadFor(deps, account, proposalId);
  const id = supportId(doc._id, account._id);
  if (on) {
    if (viewer.mine) throw new AppFailure('PROPOSAL_OWN');
    if (!doc.public) throw new AppFailure('PROPOSAL_NOT_PUBLIC');
    if (doc.status === 'merged') throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '该提案已并入其他提案，请到合并后的提案附议', 'proposalId');
    await insertIfAbsent(deps.db, SUPPORTS, { _id: id, proposalId: doc._id, accountId: account._id, at: deps.now() });
  } else {
    await deps.db.collection(SUPPORTS).where({ _id: id }).remove();
  }
  return { supportCount: await settleSupportCount(deps.db, doc._id), supported: on };
}
