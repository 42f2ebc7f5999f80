/**
 * Supports (一键附议). A support is a document of its own (`<proposal>~<account>`), so a person
 * supports once whatever they send and however often. The count a proposal shows is the number
 * of those documents: after each change it is counted and written, then counted again, and
 * written again until two counts agree. Whichever write comes last was followed by a count that
 * saw every change made before it (reads go to the primary), and any later change writes after
 * it: under any concurrency the count settles on the exact number (100 people at once count
 * 100), with no transaction for them to contend on. Each change first stamps the proposal
 * (`supportsTouchedAt`): the timer settles the recently stamped ones again, so a call that died
 * between its change and its count, or gave up counting under a stream of changes, leaves the
 * count wrong for minutes at most.
 *
 * A proposal merged into another passes its supports on (server/proposal/merge.ts); a support
 * that lands on it while it is being merged follows it there.
 */
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { findById, insertIfAbsent, readAll, type Db } from '../db/db';
import { loadFor } from './access';
import { PROPOSALS, SUPPORTS, supportId, type ProposalDeps, type ProposalDoc, type SupportDoc } from './model';

/**
 * Rounds of count-and-write at most. A round is cut short only while supports keep changing
 * under it; the rounds end as soon as they stop, and the timer settles what a longer stream of
 * changes left.
 */
const SETTLE_ROUNDS = 20;
/** Proposals the timer settles per run, and how far back it looks. */
const RESETTLE_BATCH = 50;
export const RESETTLE_WINDOW_MS = 15 * 60_000;
/** How many merges deep a support follows a proposal that went into another. */
export const MERGE_DEPTH = 5;

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

/** Marks a proposal's supports as changing, before the change: the timer's cue. */
export async function touchSupports(deps: Pick<ProposalDeps, 'db' | 'now'>, proposalId: string): Promise<void> {
  await deps.db.collection(PROPOSALS).where({ _id: proposalId }).update({ data: { supportsTouchedAt: deps.now() } });
}

/**
 * Adds one person's support, unless they support it already: looked up by person too, since
 * a merge of two accounts keeps the absorbed account's support documents under their ids.
 */
export async function addSupport(deps: Pick<ProposalDeps, 'db' | 'now'>, proposalId: string, accountId: string): Promise<boolean> {
  const { data } = await deps.db.collection(SUPPORTS).where({ proposalId, accountId }).limit(1).field({ _id: true }).get();
  if (data.length > 0) return false;
  return insertIfAbsent(deps.db, SUPPORTS, { _id: supportId(proposalId, accountId), proposalId, accountId, at: deps.now() });
}

/** The accounts supporting a proposal. */
export async function supporterIds(db: Db, proposalId: string): Promise<string[]> {
  return (await readAll<SupportDoc>(db, SUPPORTS, { proposalId }, { accountId: true })).map((row) => row.accountId);
}

/**
 * Supports `proposalId` by `accountIds` (those not supporting it yet), settles its count, and,
 * when it has itself gone into another proposal meanwhile, passes the same people on along the
 * chain. How many supports were added to the first.
 */
export async function supportAlongMerges(deps: ProposalDeps, proposalId: string, accountIds: readonly string[], depth = 0): Promise<number> {
  if (accountIds.length === 0 || depth > MERGE_DEPTH) return 0;
  await touchSupports(deps, proposalId);
  const present = new Set(await supporterIds(deps.db, proposalId));
  const fresh = [...new Set(accountIds)].filter((id) => !present.has(id));
  const added = await Promise.all(fresh.map((accountId) => insertIfAbsent(deps.db, SUPPORTS, { _id: supportId(proposalId, accountId), proposalId, accountId, at: deps.now() })));
  await settleSupportCount(deps.db, proposalId);
  const now = await findById<ProposalDoc>(deps.db, PROPOSALS, proposalId);
  if (now?.status === 'merged' && now.mergedInto) await supportAlongMerges(deps, now.mergedInto.id, accountIds, depth + 1);
  return added.filter(Boolean).length;
}

export async function support(deps: ProposalDeps, account: UserDoc, proposalId: string, on: boolean): Promise<{ supportCount: number; supported: boolean }> {
  const { doc, viewer } = await loadFor(deps, account, proposalId);
  if (on) {
    if (viewer.mine) throw new AppFailure('PROPOSAL_OWN');
    if (!doc.public) throw new AppFailure('PROPOSAL_NOT_PUBLIC');
    if (doc.status === 'merged') throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '该提案已并入其他提案，请到合并后的提案附议', 'proposalId');
    await touchSupports(deps, doc._id);
    await addSupport(deps, doc._id, account._id);
    // A merge that read this proposal's supporters before ours landed would leave it behind: follow it.
    const after = await findById<ProposalDoc>(deps.db, PROPOSALS, doc._id);
    if (after?.status === 'merged' && after.mergedInto) await supportAlongMerges(deps, after.mergedInto.id, [account._id]);
  } else {
    await touchSupports(deps, doc._id);
    await deps.db.collection(SUPPORTS).where({ proposalId: doc._id, accountId: account._id }).remove();
  }
  return { supportCount: await settleSupportCount(deps.db, doc._id), supported: on };
}

/** The timer: settles again the counts of proposals whose supports changed lately. */
export async function resettleRecent(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const since = new Date(deps.now().getTime() - RESETTLE_WINDOW_MS);
  const { data } = await deps.db.collection(PROPOSALS).where({ supportsTouchedAt: _.gte(since) }).limit(RESETTLE_BATCH).field({ _id: true }).get();
  for (const row of data as { _id: string }[]) await settleSupportCount(deps.db, row._id);
  return data.length;
}
