/**
 * What the minute timer does: publishes scheduled notices whose time has come (exactly once:
 * the status change is the claim), finishes publishes a crash left half done (after their
 * lease), and brings receipts in step with notices an interrupted edit or recall left behind.
 */
import { findById } from '../db/db';
import type { UserDoc } from '../accounts/model';
import { publishScheduled, resumePublish, type NoticeDeps } from './compose';
import { syncLateReceipts } from './inbox';
import { syncReceipts } from './fanout';
import { EXPORT_KEEP_MS, EXPORTS, NOTICES, type NoticeDoc } from './model';

/** Notices handled per run and kind of work; the next run takes the rest. */
const PER_RUN = 20;
/** A run stops starting work after this, well inside the function's 60 s. */
const RUN_BUDGET_MS = 40_000;
/** An edit's own call usually syncs its receipts within a second; the timer waits before repairing. */
const REPAIR_AFTER_MS = 60_000;

export interface TimerReport {
  published: string[];
  resumed: string[];
  repaired: string[];
  exportsRemoved: number;
  /** Accounts whose receipts of older 公告 were completed. */
  synced: number;
}

/** Accounts read per query when completing receipts, and completed at the same time. */
const SYNC_PAGE = 100;
const SYNC_PARALLEL = 8;

/** One notice's work: its failure is logged and the run goes on with the others. */
async function isolated<T>(noticeId: string, work: () => Promise<T>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    console.error(`[notice] timer: notice ${noticeId} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return null;
  }
}

export async function runTimer(deps: NoticeDeps): Promise<TimerReport> {
  const started = Date.now();
  const now = deps.now();
  const _ = deps.db.command;
  const notices = deps.db.collection(NOTICES);
  const report: TimerReport = { published: [], resumed: [], repaired: [], exportsRemoved: 0, synced: 0 };
  const inBudget = (): boolean => Date.now() - started < RUN_BUDGET_MS;

  const { data: due } = await notices.where({ status: 'scheduled', scheduledAt: _.lte(now) }).orderBy('scheduledAt', 'asc').limit(PER_RUN).get();
  for (const doc of due as NoticeDoc[]) {
    if (!inBudget()) return report;
    if (await isolated(doc._id, () => publishScheduled(deps, doc))) report.published.push(doc._id);
  }
  const { data: stuck } = await notices.where({ status: 'publishing', leaseUntil: _.lte(now) }).limit(PER_RUN).get();
  for (const doc of stuck as NoticeDoc[]) {
    if (!inBudget()) return report;
    const after = await isolated(doc._id, () => resumePublish(deps, doc));
    if (after?.status === 'published') report.resumed.push(doc._id);
  }
  const { data: pending } = await notices.where({ receiptsPending: true, updatedAt: _.lte(new Date(now.getTime() - REPAIR_AFTER_MS)) }).orderBy('updatedAt', 'asc').limit(PER_RUN).get();
  for (const doc of pending as NoticeDoc[]) {
    if (!inBudget()) return report;
    const repaired = await isolated(doc._id, async () => {
      const current = await findById<NoticeDoc>(deps.db, NOTICES, doc._id);
      if (!current?.receiptsPending) return false;
      await syncReceipts(deps, current, true);
      return true;
    });
    if (repaired) report.repaired.push(doc._id);
  }
  if (inBudget()) report.exportsRemoved = await removeOldExports(deps, now);
  // People whose units changed: their 公告 from before the change, a page at a time while time
  // lasts, in order of account id so every account is reached once per run whatever happens.
  let after = '';
  while (inBudget()) {
    const where: Record<string, unknown> = { 'member.active': true, noticeSync: _.exists(false) };
    if (after) where._id = _.gt(after);
    const { data } = await deps.db.collection('users').where(where).orderBy('_id', 'asc').limit(SYNC_PAGE).get();
    const accounts = data as UserDoc[];
    for (let i = 0; i < accounts.length && inBudget(); i += SYNC_PARALLEL) {
      await Promise.all(
        accounts.slice(i, i + SYNC_PARALLEL).map(async (account) => {
          const done = await isolated(`account ${account._id}`, () => syncLateReceipts(deps, account));
          if (done) report.synced += 1;
          // No active member any more: nothing to complete (a failure, null, is retried next run).
          else if (done === false) await deps.db.collection('users').where({ _id: account._id, noticeSync: _.exists(false) }).update({ data: { noticeSync: 'none' } });
        }),
      );
    }
    if (accounts.length < SYNC_PAGE) break;
    after = accounts[accounts.length - 1]._id;
  }
  return report;
}

/** Exported lists older than a day: their files, then their records. */
async function removeOldExports(deps: NoticeDeps, now: Date): Promise<number> {
  const _ = deps.db.command;
  const old = await isolated('exports', async () => {
    const { data } = await deps.db.collection(EXPORTS).where({ createdAt: _.lte(new Date(now.getTime() - EXPORT_KEEP_MS)) }).limit(50).get();
    const rows = data as { _id: string; fileId: string }[];
    if (rows.length === 0) return 0;
    await deps.storage.remove(rows.map((row) => row.fileId));
    await deps.db.collection(EXPORTS).where({ _id: _.in(rows.map((row) => row._id)) }).remove();
    return rows.length;
  });
  return old ?? 0;
}
