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
const RESETTLE_BATCH = 100;
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

/** People looked up, and supports written at once, while carrying supporters. */
const CARRY_BATCH = 100;
const CARRY_PARALLEL = 20;

/**
 * Supports `proposalId` by `accountIds` (those not supporting it yet; each carried one records
 * the duplicate it came `via`, so a withdrawal there can follow it), settles its count, and,
 * when it has itself gone into another proposal meanwhile, passes the same people on along the
 * chain. Looks people up a batch at a time and writes a few at a time, whatever their number.
 */
export async function supportAlongMerges(deps: ProposalDeps, proposalId: string, accountIds: readonly string[], via: string, depth = 0): Promise<number> {
  if (accountIds.length === 0 || depth > MERGE_DEPTH) return 0;
  const _ = deps.db.command;
  await touchSupports(deps, proposalId);
  const people = [...new Set(accountIds)];
  let added = 0;
  for (let i = 0; i < people.length; i += CARRY_BATCH) {
    const batch = people.slice(i, i + CARRY_BATCH);
    const { data } = await deps.db.collection(SUPPORTS).where({ proposalId, accountId: _.in(batch) }).limit(batch.length * 2).field({ accountId: true }).get();
    const present = new Set((data as SupportDoc[]).map((row) => row.accountId));
    const fresh = batch.filter((id) => !present.has(id));
    for (let j = 0; j < fresh.length; j += CARRY_PARALLEL) {
      const done = await Promise.all(
        fresh.slice(j, j + CARRY_PARALLEL).map((accountId) => insertIfAbsent(deps.db, SUPPORTS, { _id: supportId(proposalId, accountId), proposalId, accountId, via, at: deps.now() })),
      );
      added += done.filter(Boolean).length;
    }
  }
  await settleSupportCount(deps.db, proposalId);
  const now = await findById<ProposalDoc>(deps.db, PROPOSALS, proposalId);
  if (now?.status === 'merged' && now.mergedInto) await supportAlongMerges(deps, now.mergedInto.id, accountIds, proposalId, depth + 1);
  return added;
}

/**
 * Takes back, along the chain from `proposalId`, the supports that came from `via` for people
 * who no longer support it there: a withdrawal made while (or after) the duplicate went on.
 */
export async function withdrawAlongMerges(deps: ProposalDeps, proposalId: string, via: string, accountIds: readonly string[], depth = 0): Promise<void> {
  if (accountIds.length === 0 || depth > MERGE_DEPTH) return;
  const _ = deps.db.command;
  await touchSupports(deps, proposalId);
  await deps.db.collection(SUPPORTS).where({ proposalId, via, accountId: _.in([...accountIds]) }).remove();
  await settleSupportCount(deps.db, proposalId);
  const now = await findById<ProposalDoc>(deps.db, PROPOSALS, proposalId);
  if (now?.status === 'merged' && now.mergedInto) await withdrawAlongMerges(deps, now.mergedInto.id, proposalId, accountIds, depth + 1);
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
    if (after?.status === 'merged' && after.mergedInto) await supportAlongMerges(deps, after.mergedInto.id, [account._id], doc._id);
  } else {
    await touchSupports(deps, doc._id);
    await deps.db.collection(SUPPORTS).where({ proposalId: doc._id, accountId: account._id }).remove();
    // A merge that read this support before it went would carry it on: take that back too (the
    // merge looks again after carrying, so whichever comes second sees the other).
    const after = await findById<ProposalDoc>(deps.db, PROPOSALS, doc._id);
    if (after?.status === 'merged' && after.mergedInto) await withdrawAlongMerges(deps, after.mergedInto.id, doc._id, [account._id]);
  }
  return { supportCount: await settleSupportCount(deps.db, doc._id), supported: on };
}

/** The timer: settles again the counts of proposals whose supports changed lately. */
export async function resettleRecent(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const since = new Date(deps.now().getTime() - RESETTLE_WINDOW_MS);
  const { data } = await deps.db.collection(PROPOSALS).where({ supportsTouchedAt: _.gte(since) }).orderBy('supportsTouchedAt', 'asc').limit(RESETTLE_BATCH).field({ _id: true, supportsTouchedAt: true }).get();
  for (const row of data as { _id: string; supportsTouchedAt: Date }[]) {
    await settleSupportCount(deps.db, row._id);
    // Settled: off the timer's list, unless a change stamped it again meanwhile.
    await deps.db.collection(PROPOSALS).where({ _id: row._id, supportsTouchedAt: row.supportsTouchedAt }).update({ data: { supportsTouchedAt: null } });
  }
  return data.length;
}
