/**
 * The fan-out of a publish: one receipt per person of the audience, read by aggregation in
 * pages of 5,000 and written in batches of 2,500, so 50,000 people cost about 30 requests and
 * none per person. Receipt ids are `<notice>~<member>`: a publish resumed after a crash writes
 * the same ids again, and a batch that meets receipts already written writes only the rest.
 */
import { isDuplicateKey } from '../db/db';
import type { AudienceRow } from '../org/audience';
import { audienceScan } from '../org/audience';
import type { UnitTree } from '../org/tree';
import type { NoticeDeps } from './compose';
import { audienceSpec, NOTICES, RECEIPTS, receiptId, receiptShowing, type NoticeDoc, type ReceiptDoc } from './model';

/** How long one publisher holds a notice's fan-out before another may resume it. */
export const PUBLISH_LEASE_MS = 120_000;

export function leaseFrom(now: Date): Date {
  return new Date(now.getTime() + PUBLISH_LEASE_MS);
}

/** Receipts per insert request. */
export const RECEIPT_BATCH = 2500;
/** Ids per `$in` lookup when a batch met receipts already written (a `get` returns at most 1000). */
const LOOKUP = 1000;

/** A person's receipt of a notice; without a tree the caller supplies `unitKeys` itself. */
export function receiptFor(
  doc: NoticeDoc,
  person: Pick<AudienceRow, '_id' | 'name' | 'number' | 'unitIds'> & { phone?: string | null; hasPhone?: boolean },
  snapshot: UnitTree | null,
  now: Date,
  late = false,
): ReceiptDoc {
  return {
    _id: receiptId(doc._id, person._id),
    noticeId: doc._id,
    memberId: person._id,
    kind: doc.kind,
    audienceKeys: doc.audienceKeys,
    name: person.name,
    number: person.number,
    hasPhone: person.hasPhone ?? Boolean(person.phone),
    unitIds: [...person.unitIds],
    unitKeys: snapshot ? snapshot.ancestorKeys(person.unitIds) : [],
    ...receiptShowing(doc),
    // Written while the notice is being published, for a published notice.
    hidden: false,
    publishedAt: new Date(doc.publishedAt ?? now),
    readAt: null,
    readSeconds: null,
    confirmedAt: null,
    late,
    createdAt: now,
  };
}

/** Inserts receipts; those already there (a resumed publish) are left as they are. */
export async function insertReceipts(deps: NoticeDeps, receipts: ReceiptDoc[]): Promise<void> {
  const _ = deps.db.command;
  let pending = receipts;
  // Each round either inserts everything left or learns which ids exist; two suffice unless
  // another publisher of the same notice races this one, which the lease rules out.
  for (let round = 0; round < 3 && pending.length > 0; round += 1) {
    try {
      await deps.db.collection(RECEIPTS).add({ data: pending });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = new Set<string>();
      for (let i = 0; i < pending.length; i += LOOKUP) {
        const ids = pending.slice(i, i + LOOKUP).map((r) => r._id);
        const { data } = await deps.db.collection(RECEIPTS).where({ _id: _.in(ids) }).limit(ids.length).field({ _id: true }).get();
        for (const row of data as { _id: string }[]) existing.add(row._id);
      }
      pending = pending.filter((r) => !existing.has(r._id));
    }
  }
  if (pending.length > 0) throw new Error(`notice receipts: ${pending.length} could not be written`);
}

export type AudienceBatch = Awaited<ReturnType<typeof audienceScan>>;

/** The first batch of a notice's audience: read before anything is written, so an empty audience writes nothing. */
export function firstBatch(deps: NoticeDeps, doc: Pick<NoticeDoc, 'audience'>, snapshot: UnitTree): Promise<AudienceBatch> {
  return audienceScan(deps, snapshot, reachableSpec(doc, snapshot), undefined);
}

/**
 * The audience as it can still be read: a unit deleted since the notice was scheduled reaches
 * nobody (its people were moved out before it could be deleted) instead of failing the publish.
 */
function reachableSpec(doc: Pick<NoticeDoc, 'audience'>, snapshot: UnitTree): { unitIds: string[]; memberIds: string[] } {
  const spec = audienceSpec(doc.audience);
  return { unitIds: spec.unitIds.filter((id) => snapshot.get(id)), memberIds: spec.memberIds };
}

/** Writes every receipt of a notice being published, then marks it published. */
export async function fanOut(deps: NoticeDeps, doc: NoticeDoc, snapshot: UnitTree, first?: AudienceBatch): Promise<NoticeDoc> {
  const now = deps.now();
  let written = 0;
  let after: string | undefined;
  let prefetched = first;
  // The units the notice reaches into, for the observers' check (server/notice/access.ts): the
  // chosen units with their ancestors, and the units of chosen people.
  const chosen = new Set(doc.audience.memberIds);
  const reach = new Set(snapshot.ancestorKeys(reachableSpec(doc, snapshot).unitIds));
  let leaseUntil = doc.leaseUntil ? new Date(doc.leaseUntil).getTime() : 0;
  do {
    // A long fan-out keeps its lease, so the timer does not start a second one beside it.
    if (leaseUntil - deps.now().getTime() < PUBLISH_LEASE_MS / 2) {
      const renewed = leaseFrom(deps.now());
      await deps.db.collection(NOTICES).where({ _id: doc._id, status: 'publishing' }).update({ data: { leaseUntil: renewed } });
      leaseUntil = renewed.getTime();
    }
    const page = prefetched ?? (await audienceScan(deps, snapshot, reachableSpec(doc, snapshot), after));
    prefetched = undefined;
    const receipts = page.items.map((person) => receiptFor(doc, person, snapshot, now));
    for (const receipt of receipts) if (chosen.has(receipt.memberId)) for (const key of receipt.unitKeys) reach.add(key);
    for (let i = 0; i < receipts.length; i += RECEIPT_BATCH) await insertReceipts(deps, receipts.slice(i, i + RECEIPT_BATCH));
    written += receipts.length;
    after = page.next ?? undefined;
  } while (after);
  const done = { status: 'published' as const, audienceSize: written, reachKeys: [...reach].sort(), leaseUntil: null, updatedAt: deps.now() };
  await deps.db.collection(NOTICES).where({ _id: doc._id, status: 'publishing' }).update({ data: done });
  return { ...doc, ...done };
}

/**
 * Brings receipts in step with their notice after an edit or a recall: one update of every
 * receipt showing an older version. The change's own call syncs at once; the notice keeps
 * `receiptsPending` until the timer has synced it once more a minute later (`settle`), which
 * also catches a receipt a later joiner's open or the timer wrote from a copy of the notice read
 * just before the change, and any sync a crash cut short.
 */
export async function syncReceipts(deps: NoticeDeps, doc: NoticeDoc, settle = false): Promise<void> {
  const _ = deps.db.command;
  const version = doc.version ?? 0;
  // Only receipts showing an older version: a sync of an older version that arrives late changes nothing.
  await deps.db.collection(RECEIPTS).where({ noticeId: doc._id, noticeVersion: _.lt(version) }).update({ data: receiptShowing(doc) });
  if (settle) await deps.db.collection(NOTICES).where({ _id: doc._id, version }).update({ data: { receiptsPending: false } });
}
