/**
 * Submitting a proposal, and checking its images.
 *
 * One transaction writes the day's quota of the proposer, the proposal, who proposed it and
 * its images' checks: a retry or a double tap with the same request id finds the proposal and
 * answers it, and concurrent submits cannot pass the daily limit. Images are checked after the
 * commit by `security.mediaCheckAsync`, whose verdict WeChat pushes later (`wxa_media_check`);
 * until it passes, an image is shown to its proposer only.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProposalInput, ProposalView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { PROPOSAL_IMAGE_FOLDER, PROPOSAL_REQUEST_ID } from '../../typings/proposal-rules';
import type { UserDoc } from '../accounts/model';
import { isUploadUnder } from '../core/file-ids';
import type { Caller } from '../core/router';
import { AppFailure } from '../core/result';
import { businessDate } from '../core/time';
import { findById, insertIfAbsent, isDuplicateKey } from '../db/db';
import { getInTransaction, runRefusable } from '../db/transactions';
import { checkTexts } from '../notice/compose';
import { oneLine } from '../org/model';
import { newRev } from '../org/tree';
import type { MediaCheckEvent } from '../ports/wechat-openapi.port';
import { viewOf } from './access';
import {
  AUTHORS,
  CATEGORIES,
  entry,
  MEDIA,
  PROPOSALS,
  QUOTA,
  type AuthorDoc,
  type CategoryDoc,
  type MediaDoc,
  type ProposalDeps,
  type ProposalDoc,
  VERDICTS,
} from './model';

/** A submission's proposal id: its request id, which names no account. */
export function proposalIdFor(requestId: string): string {
  return `p-${requestId}`;
}

/** How long an image check that could not be asked is asked again (WeChat wants a user seen within 2 hours). */
export const CHECK_RETRY_MS = 2 * 60 * 60_000;
/** The checker downloads the image some time after the ask: the link outlives any delay seen. */
const CHECK_URL_SECONDS = 24 * 3600;
/** Image checks one timer run asks again. */
const RETRY_BATCH = 50;

interface QuotaDoc {
  _id: string;
  accountId: string;
  day: string;
  requests: string[];
}

function invalid(message: string, field: string): AppFailure {
  return new AppFailure('INVALID_INPUT', message, field);
}

/**
 * What a submission asked, as a digest: the same request id sent again with anything else (a
 * switched anonymous option above all) must not answer the first proposal as if it were this.
 */
export function requestDigest(input: ProposalInput): string {
  const asked = [input.categoryId, oneLine(input.title), input.content.trim(), input.anonymous ? 'anonymous' : 'named', ...input.imageFileIds];
  return createHash('sha256').update(JSON.stringify(asked)).digest('hex').slice(0, 24);
}

/** Whether `author` is this caller's submission of this very request; INVALID_INPUT otherwise. */
function checkOwnRequest(author: AuthorDoc, account: UserDoc, digest: string): void {
  if (author.accountId !== account._id) throw invalid('请求编号已被使用，请重新提交', 'requestId');
  if (author.requestDigest !== undefined && author.requestDigest !== digest) {
    throw invalid('此前的提交已经成功，但没有包含你之后的修改；请到“我的提案”查看已提交的提案', 'requestId');
  }
}

/** The proposal a request id already made, if the caller made it with the same content; INVALID_INPUT otherwise. */
async function existing(deps: ProposalDeps, account: UserDoc, proposalId: string, digest: string): Promise<ProposalDoc | null> {
  const author = await findById<AuthorDoc>(deps.db, AUTHORS, proposalId);
  if (!author) return null;
  checkOwnRequest(author, account, digest);
  const doc = await findById<ProposalDoc>(deps.db, PROPOSALS, proposalId);
  // The author and the proposal are written in one transaction.
  if (!doc) throw new Error(`proposal ${proposalId} has an author but no document`);
  return doc;
}

async function answer(deps: ProposalDeps, account: UserDoc, doc: ProposalDoc): Promise<ProposalView> {
  return viewOf(deps, doc, { account, mine: true, handler: false, supported: false });
}

/** What the person named: at most nine, no repeats, each in the submission's own folder (not a sub-folder). */
function checkImageIds(requestId: string, fileIds: readonly string[]): void {
  if (fileIds.length > FIELD_LIMITS.proposalImages) throw invalid(`图片最多 ${FIELD_LIMITS.proposalImages} 张`, 'imageFileIds');
  if (new Set(fileIds).size !== fileIds.length) throw new AppFailure('PROPOSAL_IMAGE_INVALID', undefined, 'imageFileIds');
  if (fileIds.some((fileId) => !isUploadUnder(fileId, PROPOSAL_IMAGE_FOLDER, requestId, { subfolders: false }))) throw new AppFailure('PROPOSAL_IMAGE_INVALID', undefined, 'imageFileIds');
}

/** An image file as its first bytes say: PNG, JPEG, GIF or WebP, with the extension it is kept under. */
export function imageKind(bytes: Uint8Array): string | null {
  const starts = (...values: number[]) => values.every((value, i) => bytes[i] === value);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'webp';
  return null;
}

/** The largest image kept (the page compresses what it uploads far below this). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * The proposal keeps copies the function writes, not the person's uploads: the storage rule lets
 * an uploader overwrite their own file, so a checked upload could be swapped for anything once it
 * passed. Each attempt writes its copies in a folder of its own (`kept/<attempt>/<n>`), which
 * nobody can know ahead, and only the attempt that commits is referenced; the others remove
 * theirs. The copies are what is checked and shown; the uploads are removed once committed.
 */
async function keepImages(deps: ProposalDeps, requestId: string, fileIds: readonly string[]): Promise<string[]> {
  const attempt = randomBytes(8).toString('hex');
  const copies = await Promise.allSettled(
    fileIds.map(async (fileId, index) => {
      const bytes = await deps.storage.download(fileId);
      const kind = bytes && bytes.length <= MAX_IMAGE_BYTES ? imageKind(bytes) : null;
      if (!bytes || !kind) throw new AppFailure('PROPOSAL_IMAGE_INVALID', undefined, 'imageFileIds');
      return deps.storage.upload(`${PROPOSAL_IMAGE_FOLDER}/${requestId}/kept/${attempt}/${index}.${kind}`, bytes);
    }),
  );
  const made = copies.flatMap((copy) => (copy.status === 'fulfilled' ? [copy.value] : []));
  const failed = copies.find((copy): copy is PromiseRejectedResult => copy.status === 'rejected');
  if (failed) {
    await forget(deps, made);
    throw failed.reason;
  }
  return made;
}

/** Removes files of an attempt that did not become the proposal; a failure only leaves private files. */
async function forget(deps: ProposalDeps, fileIds: readonly string[]): Promise<void> {
  if (fileIds.length > 0) await deps.storage.remove([...fileIds]).catch(() => undefined);
}

export async function submitProposal(deps: ProposalDeps, account: UserDoc, caller: Caller, input: ProposalInput): Promise<ProposalView> {
  if (!PROPOSAL_REQUEST_ID.test(input.requestId)) throw invalid('请求编号格式不正确', 'requestId');
  const proposalId = proposalIdFor(input.requestId);
  const digest = requestDigest(input);
  const before = await existing(deps, account, proposalId, digest);
  if (before) return answer(deps, account, before);

  const member = account.member;
  if (!member || !member.active) throw new AppFailure('PROPOSAL_NO_MEMBER');
  const title = oneLine(input.title);
  if (!title) throw invalid('请填写标题', 'title');
  const content = input.content.trim();
  if (!content) throw invalid('请填写提案内容', 'content');
  const category = await findById<CategoryDoc>(deps.db, CATEGORIES, input.categoryId);
  if (!category || !category.active) throw new AppFailure('CATEGORY_NOT_FOUND', undefined, 'categoryId');
  checkImageIds(input.requestId, input.imageFileIds);
  await checkTexts(deps, caller.openid, { text: title, field: 'title' }, { text: content, field: 'content' });
  let fileIds: string[];
  try {
    fileIds = await keepImages(deps, input.requestId, input.imageFileIds);
  } catch (error) {
    // The uploads may be gone because a twin of this request committed meanwhile: answer it.
    const twin = error instanceof AppFailure ? await existing(deps, account, proposalId, digest) : null;
    if (twin) return answer(deps, account, twin);
    throw error;
  }

  const now = deps.now();
  const day = businessDate(now);
  const doc: ProposalDoc = {
    _id: proposalId,
    title,
    content,
    categoryId: category._id,
    categoryName: category.name,
    anonymous: input.anonymous,
    authorName: input.anonymous ? null : member.name,
    unitNames: input.anonymous ? [] : [...member.unitNames],
    unitKeys: input.anonymous ? [] : [...(member.unitKeys ?? [])],
    images: fileIds.map((fileId) => ({ fileId, check: 'pending' })),
    status: 'submitted',
    public: false,
    assignee: null,
    answer: null,
    rejectReason: null,
    mergedInto: null,
    supportCount: 0,
    rating: null,
    history: [entry(now, 'submitted', null)],
    submittedAt: now,
    updatedAt: now,
    firstAnsweredAt: null,
    answerMinutes: null,
    rev: newRev(),
  };
  const author: AuthorDoc = {
    _id: proposalId,
    accountId: account._id,
    memberId: member.id,
    name: member.name,
    number: member.number,
    unitNames: [...member.unitNames],
    anonymous: input.anonymous,
    requestDigest: digest,
    submittedAt: now,
  };
  const media: MediaDoc[] = fileIds.map((fileId, index) => ({
    _id: `${proposalId}~${index}`,
    proposalId,
    index,
    fileId,
    openid: caller.openid,
    state: 'unrequested',
    traceId: null,
    attempts: 0,
    at: now,
  }));
  let written: ProposalDoc | null = null;
  try {
    written = await commitSubmission(deps, account, input, digest, { doc, author, media, quotaId: `${account._id}~${day.replace(/-/g, '')}`, day });
  } catch (error) {
    await forget(deps, fileIds);
    throw error;
  }
  if (written !== doc) {
    // A twin committed: its copies are the proposal's, not ours.
    await forget(deps, fileIds);
    return answer(deps, account, written);
  }
  await askChecks(deps, media);
  // The person's uploads: the proposal holds the copies.
  await forget(deps, input.imageFileIds);
  return answer(deps, account, written);
}

/**
 * The day's quota, the author, the proposal and its image checks in one transaction; a twin of
 * this request committed meanwhile is answered instead (if it is this caller's, with this content).
 */
async function commitSubmission(
  deps: ProposalDeps,
  account: UserDoc,
  input: ProposalInput,
  digest: string,
  parts: { doc: ProposalDoc; author: AuthorDoc; media: MediaDoc[]; quotaId: string; day: string },
): Promise<ProposalDoc> {
  const { doc, author, media, quotaId, day } = parts;
  const proposalId = doc._id;
  const limit = deps.config.dailyLimit;
  let written: ProposalDoc | null = null;
  for (let attempt = 1; written === null; attempt += 1) {
    try {
      written = await runRefusable(deps.db, async (t) => {
        // A concurrent twin of this request may have committed since the first look: answer it
        // only if it is this caller's, with this content.
        const twin = await getInTransaction<ProposalDoc>(t, PROPOSALS, proposalId);
        if (twin) {
          const twinAuthor = await getInTransaction<AuthorDoc>(t, AUTHORS, proposalId);
          if (!twinAuthor) throw new Error(`proposal ${proposalId} has no author`);
          checkOwnRequest(twinAuthor, account, digest);
          return twin;
        }
        const quota = await getInTransaction<QuotaDoc>(t, QUOTA, quotaId);
        const requests = quota?.requests ?? [];
        if (!requests.includes(input.requestId)) {
          if (requests.length >= limit) throw new AppFailure('PROPOSAL_DAILY_LIMIT', `每人每天最多提交 ${limit} 条提案，今天的已用完，请明天再提交`);
          if (quota) await t.collection(QUOTA).doc(quotaId).update({ data: { requests: [...requests, input.requestId] } });
          else await t.collection(QUOTA).add({ data: { _id: quotaId, accountId: account._id, day, requests: [input.requestId] } });
        }
        await t.collection(AUTHORS).add({ data: author });
        await t.collection(PROPOSALS).add({ data: doc });
        for (const item of media) await t.collection(MEDIA).add({ data: item });
        return doc;
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // The twin committed between our look and our insert: answer it.
      const twin = await existing(deps, account, proposalId, digest);
      if (twin) return twin;
      // Another submit of the same person created the day's quota first: count against it now.
      if (attempt >= 3) throw new AppFailure('BUSY_RETRY');
    }
  }
  return written;
}

/**
 * Asks WeChat to check images; each asked one becomes `pending` under its trace id. An ask the
 * platform refuses (or a network failure) stays `unrequested` for the timer to try again.
 */
export async function askChecks(deps: ProposalDeps, media: readonly MediaDoc[]): Promise<number> {
  if (media.length === 0) return 0;
  const urls = await deps.storage.temporaryUrls(
    media.map((item) => item.fileId),
    CHECK_URL_SECONDS,
  );
  const _ = deps.db.command;
  let asked = 0;
  await Promise.all(
    media.map(async (item) => {
      const url = urls.get(item.fileId);
      let traceId: string | null = null;
      if (url) {
        try {
          traceId = (await deps.openapi.checkImageAsync({ openid: item.openid, url, scene: 3 })).traceId;
        } catch (error) {
          console.warn(`[proposal] image check of ${item._id} not asked: ${String((error as Error)?.message ?? error)}`);
        }
      }
      // Once asked, the proposer's openid is no longer needed here: it is not kept beside the proposal.
      const data = traceId ? { state: 'pending', traceId, openid: '', attempts: _.inc(1) } : { attempts: _.inc(1) };
      const { stats } = await deps.db.collection(MEDIA).where({ _id: item._id, state: 'unrequested' }).update({ data });
      if (!traceId) return;
      asked += 1;
      // The verdict may have been pushed before the trace id was written: it was kept for us.
      const early = stats.updated > 0 ? await findById<VerdictDoc>(deps.db, VERDICTS, traceId) : null;
      if (early) await applyVerdict(deps, { ...item, traceId }, early);
    }),
  );
  return asked;
}

/** The timer: asks again the checks that could not be asked, for CHECK_RETRY_MS after the submit. */
export async function retryChecks(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const since = new Date(deps.now().getTime() - CHECK_RETRY_MS);
  const { data } = await deps.db.collection(MEDIA).where({ state: 'unrequested', at: _.gte(since) }).orderBy('at', 'asc').limit(RETRY_BATCH).get();
  const asked = await askChecks(deps, data as MediaDoc[]);
  // Past the retries: the image stays with its proposer only, and their openid is not kept.
  await deps.db.collection(MEDIA).where({ state: 'unrequested', at: _.lt(since) }).update({ data: { state: 'abandoned', openid: '' } });
  return asked;
}

interface VerdictDoc {
  /** The trace id. */
  _id: string;
  suggest: string | null;
  at: Date;
}

/**
 * Shows or keeps hidden the image a verdict is about. The trace id alone says which: it came
 * from the platform to this function and was never handed out (whether a push's FromUserName is
 * the user or the platform's push account, the documentation and reports disagree).
 */
async function applyVerdict(deps: ProposalDeps, media: MediaDoc, verdict: Pick<VerdictDoc, 'suggest'>): Promise<void> {
  const check = verdict.suggest === 'pass' ? 'passed' : 'refused';
  // Only the image at its index, only while it is the same file, and only its first verdict: nothing else of the proposal moves.
  await deps.db
    .collection(PROPOSALS)
    .where({ _id: media.proposalId, [`images.${media.index}.fileId`]: media.fileId, [`images.${media.index}.check`]: 'pending' })
    .update({ data: { [`images.${media.index}.check`]: check } });
  await deps.db.collection(MEDIA).where({ _id: media._id }).update({ data: { state: 'done' } });
}

async function mediaOf(deps: ProposalDeps, traceId: string): Promise<MediaDoc | null> {
  const { data } = await deps.db.collection(MEDIA).where({ traceId }).limit(1).get();
  return (data as MediaDoc[])[0] ?? null;
}

/**
 * The verdict of an image check, pushed by WeChat (a call from a mini-program is refused by the
 * router). It counts only for a trace id this function asked for; a pass shows the image to
 * everyone, anything else keeps it to its proposer. A push that comes before the ask wrote its
 * trace id is kept (a day), and looked for again after keeping it; the ask looks for kept
 * verdicts after writing: whichever comes second applies it. The answer says nothing either way.
 */
export async function receiveVerdict(deps: ProposalDeps, message: Record<string, unknown>): Promise<Record<string, never>> {
  const event = message as Partial<MediaCheckEvent>;
  const traceId = typeof event.trace_id === 'string' ? event.trace_id : '';
  if (!traceId || traceId.length > 128) return {};
  const verdict = { suggest: typeof event.result?.suggest === 'string' ? event.result.suggest : null };
  let media = await mediaOf(deps, traceId);
  if (!media) {
    await insertIfAbsent(deps.db, VERDICTS, { _id: traceId, ...verdict, at: deps.now() });
    media = await mediaOf(deps, traceId);
    if (!media) return {};
  }
  await applyVerdict(deps, media, verdict);
  return {};
}

/** The timer: forgets verdicts kept for asks that never wrote their trace id, after a day. */
export async function forgetOldVerdicts(deps: ProposalDeps): Promise<number> {
  const _ = deps.db.command;
  const { stats } = await deps.db.collection(VERDICTS).where({ at: _.lt(new Date(deps.now().getTime() - 24 * 3600_000)) }).remove();
  return stats.removed;
}
