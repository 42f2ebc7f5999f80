/**
 * The proposal function's five-minute timer: asks again for image checks the platform refused,
 * finishes merges a call left half done, settles the support counts that changed lately, and
 * forgets what is no longer needed (verdicts nobody asked for, past days' quotas).
 */
import { businessDate } from '../core/time';
import { finishMerges } from './merge';
import { QUOTA, type ProposalDeps } from './model';
import { resettleRecent } from './support';
import { forgetOldVerdicts, retryChecks } from './submit';

export interface ProposalTimerRun {
  asked: number;
  merges: number;
  settled: number;
  forgotten: number;
}

/** Quotas of days before today: they tie an account to its request ids and count nothing any more. */
async function forgetPastQuotas(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const { stats } = await deps.db.collection(QUOTA).where({ day: _.lt(businessDate(deps.now())) }).remove();
  return stats.removed;
}

export async function runProposalTimer(deps: ProposalDeps): Promise<ProposalTimerRun> {
  const asked = await retryChecks(deps);
  const merges = await finishMerges(deps);
  const settled = await resettleRecent(deps);
  const forgotten = (await forgetOldVerdicts(deps)) + (await forgetPastQuotas(deps));
  return { asked, merges, settled, forgotten };
}
