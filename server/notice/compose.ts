/**
 * Writing notices: drafts, publishing (now or at a time), editing and recalling. Publishing
 * fans out one receipt per person (fanout.ts); everything a person wrote is checked first:
 * lengths and markup, attachments (the author's own uploads, of an allowed kind), the audience,
 * times, and the text by `security.msgSecCheck`.
 */
import { isUploadUnder } from '../core/file-ids';
import { createHash, randomBytes } from 'node:crypto';
import type { AttachmentInput, AudienceInput, NoticeChanges, NoticeInput, NoticeKind, ReadCounts } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { bodyExcerpt, normaliseBody } from '../../typings/notice-body';
import type { UserDoc } from '../accounts/model';
import { displayName } from '../accounts/model';
import { AppFailure } from '../core/result';
import { fromBusinessWallClock } from '../core/time';
import type { Db } from '../db/db';
import { findById, insertIfAbsent } from '../db/db';
import { audiencePage } from '../org/audience';
import { oneLine, ROOT_UNIT_ID } from '../org/model';
import type { UnitTree } from '../org/tree';
import { newRev } from '../org/tree';
import { tree } from '../org/units';
import type { FileStoragePort } from '../ports/storage.port';
import { OpenApiError, type WechatOpenApiPort } from '../ports/wechat-openapi.port';
import type { NoticeConfig } from './config';
import { fanOut, firstBatch, leaseFrom, syncReceipts } from './fanout';
import { ALL_KEY, attachmentKind, audienceSpec, listKey, NOTICES, RECEIPTS, type NoticeDoc } from './model';

export interface NoticeDeps {
  db: Db;
  now(): Date;
  organisationName: string;
  storage: FileStoragePort;
  openapi: WechatOpenApiPort;
  config: NoticeConfig;
}

export interface Author {
  account: UserDoc;
  openid: string;
}

/** Latest a notice may be scheduled ahead, and how far ahead at least (the timer runs each minute). */
const SCHEDULE_MAX_DAYS = 90;
const SCHEDULE_MIN_AHEAD_MS = 60_000;
/** msgSecCheck v2 takes at most 2,500 characters per call (platform facts). */
const CHECK_PIECE = 2500;

export function isAdmin(account: Pick<UserDoc, 'roles'>): boolean {
  return (account.roles ?? []).includes('admin');
}

/** Authors manage their own notices; admins manage all. */
export function canManage(account: Pick<UserDoc, '_id' | 'roles'>, doc: Pick<NoticeDoc, 'authorId'>): boolean {
  return doc.authorId === account._id || isAdmin(account);
}

/** The id a publish attempt makes: the same author retrying the same request id gets the same notice. */
export function publishedIdFor(authorId: string, requestId: string): string {
  return `n${createHash('sha256').update(`${authorId}\n${requestId}`).digest('hex').slice(0, 24)}`;
}

function newDraftId(): string {
  return `n${randomBytes(12).toString('hex')}`;
}

type Mode = 'draft' | 'publish';

interface Cleaned {
  kind: NoticeKind;
  title: string;
  body: string;
  excerpt: string;
  attachments: NoticeDoc['attachments'];
  audience: AudienceInput;
  requiresConfirm: boolean;
  deadline: Date | null;
  pinned: boolean;
  scheduledAt: Date | null;
}

function invalid(field: string, message: string): AppFailure {
  return new AppFailure('INVALID_INPUT', message, field);
}

function cleanTitle(raw: string, mode: Mode, field: string): string {
  const title = oneLine(raw);
  const length = Array.from(title).length;
  if (mode === 'publish' && length === 0) throw invalid(field, '标题不能为空');
  if (length > FIELD_LIMITS.noticeTitle) throw invalid(field, `标题过长，最多 ${FIELD_LIMITS.noticeTitle} 个字`);
  return title;
}

function cleanBody(raw: string, field: string): string {
  const body = normaliseBody(raw);
  if (Array.from(body).length > FIELD_LIMITS.noticeBody) throw invalid(field, `正文过长，最多 ${FIELD_LIMITS.noticeBody} 个字`);
  return body;
}

/** Attachments live under `notice-files/<author account>/`: nobody can attach another person's upload. */
export function isAuthorsUpload(fileId: string, authorId: string): boolean {
  return isUploadUnder(fileId, 'notice-files', authorId, { subfolders: true });
}

/**
 * Checks attachments: the author's own uploads (or ones the notice already has), of an allowed
 * kind and size, and present in storage. Only new files are looked up.
 */
async function cleanAttachments(
  deps: NoticeDeps,
  input: readonly AttachmentInput[],
  /** Whose uploads may be attached: the author's, and an admin's own when they edit it. */
  ownerIds: readonly string[],
  existing: NoticeDoc['attachments'],
  field: string,
): Promise<NoticeDoc['attachments']> {
  if (input.length > FIELD_LIMITS.noticeAttachments) throw invalid(field, `附件最多 ${FIELD_LIMITS.noticeAttachments} 个`);
  const known = new Set(existing.map((a) => a.fileId));
  const seen = new Set<string>();
  const out: NoticeDoc['attachments'] = [];
  for (const attachment of input) {
    const name = oneLine(attachment.name);
    const kind = attachmentKind(name);
    if (!name || Array.from(name).length > FIELD_LIMITS.attachmentName) throw invalid(`${field}.name`, `附件名称需为 1-${FIELD_LIMITS.attachmentName} 个字`);
    if (!kind) throw invalid(`${field}.name`, '附件只能是图片、PDF、Word、Excel 或 PowerPoint 文件');
    if (!Number.isInteger(attachment.size) || attachment.size <= 0 || attachment.size > FIELD_LIMITS.attachmentBytes) {
      throw invalid(`${field}.size`, '每个附件不能超过 10 MB');
    }
    if (seen.has(attachment.fileId)) throw invalid(field, '同一个附件添加了两次');
    seen.add(attachment.fileId);
    if (!known.has(attachment.fileId) && !ownerIds.some((owner) => isAuthorsUpload(attachment.fileId, owner))) throw new AppFailure('NOTICE_ATTACHMENT_INVALID', undefined, field);
    out.push({ fileId: attachment.fileId, name, size: attachment.size, kind });
  }
  const fresh = out.filter((a) => !known.has(a.fileId));
  const present = await Promise.all(fresh.map((a) => deps.storage.exists(a.fileId)));
  if (present.some((ok) => !ok)) throw new AppFailure('NOTICE_ATTACHMENT_INVALID', undefined, field);
  return out;
}

function parseTime(text: string | null, field: string): Date | null {
  if (text === null) return null;
  try {
    return fromBusinessWallClock(text);
  } catch {
    throw invalid(field, '时间无效，应为 YYYY-MM-DD HH:mm 格式的北京时间');
  }
}

function cleanAudience(audience: AudienceInput, kind: NoticeKind, mode: Mode, snapshot: UnitTree, field: string): AudienceInput {
  const unitIds = [...new Set(audience.unitIds)];
  const memberIds = [...new Set(audience.memberIds)];
  for (const id of unitIds) if (!snapshot.get(id)) throw new AppFailure('UNIT_NOT_FOUND', undefined, `${field}.unitIds`);
  if (kind === 'announcement' && memberIds.length > 0) throw invalid(`${field}.memberIds`, '公告只能发给全体成员或单位，不能指定个人');
  const all = audience.all || unitIds.includes(ROOT_UNIT_ID);
  if (mode === 'publish' && !all && unitIds.length === 0 && memberIds.length === 0) throw new AppFailure('NOTICE_AUDIENCE_EMPTY', undefined, field);
  return all ? { all: true, unitIds: [], memberIds: [] } : { all: false, unitIds, memberIds };
}

/** Everything of an input but attachments and content checks, which need I/O. */
function cleanFields(input: NoticeInput, mode: Mode, snapshot: UnitTree, now: Date): Omit<Cleaned, 'attachments'> {
  const title = cleanTitle(input.title, mode, 'input.title');
  const body = cleanBody(input.body, 'input.body');
  const audience = cleanAudience(input.audience, input.kind, mode, snapshot, 'input.audience');
  const deadline = parseTime(input.deadline, 'input.deadline');
  const scheduledAt = parseTime(input.scheduledAt, 'input.scheduledAt');
  if (mode === 'publish') {
    if (scheduledAt && scheduledAt.getTime() < now.getTime() + SCHEDULE_MIN_AHEAD_MS) throw invalid('input.scheduledAt', '定时发布时间需晚于现在至少 1 分钟');
    if (scheduledAt && scheduledAt.getTime() > now.getTime() + SCHEDULE_MAX_DAYS * 86_400_000) throw invalid('input.scheduledAt', `定时发布最多提前 ${SCHEDULE_MAX_DAYS} 天`);
    const publishAt = scheduledAt ?? now;
    if (deadline && deadline.getTime() <= publishAt.getTime()) throw invalid('input.deadline', '截止时间需晚于发布时间');
  }
  return {
    kind: input.kind,
    title,
    body,
    excerpt: bodyExcerpt(body),
    audience,
    requiresConfirm: input.requiresConfirm,
    deadline,
    pinned: input.kind === 'announcement' && input.pinned,
    scheduledAt,
  };
}

/** Title and body through msgSecCheck v2, the body in pieces; CONTENT_RISKY names the field. */
export async function checkContent(deps: Pick<NoticeDeps, 'openapi'>, openid: string, title: string, body: string, prefix: string): Promise<void> {
  return checkTexts(deps, openid, { text: title, field: `${prefix}.title` }, { text: body, field: `${prefix}.body` });
}

/**
 * A title and a text through msgSecCheck v2 (scene 3), the text in pieces of what one call
 * takes, each piece with the title for context. CONTENT_RISKY names the field refused;
 * CONTENT_CHECK_UNAVAILABLE when the platform answered with an error. Empty parts are skipped.
 */
export async function checkTexts(deps: Pick<NoticeDeps, 'openapi'>, openid: string, title: { text: string; field: string }, body: { text: string; field: string }): Promise<void> {
  const pieces: { field: string; content: string; isTitle: boolean }[] = [];
  if (title.text) pieces.push({ field: title.field, content: title.text, isTitle: true });
  const chars = Array.from(body.text);
  for (let i = 0; i < chars.length; i += CHECK_PIECE) pieces.push({ field: body.field, content: chars.slice(i, i + CHECK_PIECE).join(''), isTitle: false });
  let verdicts: { verdict: string }[];
  try {
    verdicts = await Promise.all(pieces.map((piece) => deps.openapi.checkText({ openid, scene: 3, content: piece.content, title: piece.isTitle ? undefined : title.text || undefined })));
  } catch (error) {
    // The platform answered with an error (busy, a rate limit, the author not seen lately): an expected condition, not a bug.
    if (error instanceof OpenApiError) throw new AppFailure('CONTENT_CHECK_UNAVAILABLE');
    throw error;
  }
  const refused = verdicts.findIndex((v) => v.verdict !== 'pass');
  if (refused >= 0) throw new AppFailure('CONTENT_RISKY', undefined, pieces[refused].field);
}

function audienceKeysOf(kind: NoticeKind, audience: AudienceInput): string[] {
  if (kind !== 'announcement') return [];
  return audience.all ? [ALL_KEY] : [...audience.unitIds];
}

async function loadManaged(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<NoticeDoc> {
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc || !canManage(account, doc)) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  return doc;
}

/** Why a conditional write of `noticeId` found nothing to change. */
async function explainMiss(deps: NoticeDeps, account: UserDoc, noticeId: string, status: NoticeDoc['status']): Promise<never> {
  const doc = await loadManaged(deps, account, noticeId);
  if (doc.status !== status) throw new AppFailure('NOTICE_STATE');
  throw new AppFailure('NOTICE_STALE', undefined, 'rev');
}

export async function saveDraft(deps: NoticeDeps, author: Author, request: { noticeId?: string; rev?: string; requestId?: string; input: NoticeInput }): Promise<NoticeDoc> {
  const now = deps.now();
  const snapshot = await tree(deps);
  const fields = cleanFields(request.input, 'draft', snapshot, now);
  const existing = request.noticeId ? await loadManaged(deps, author.account, request.noticeId) : null;
  if (existing && existing.status !== 'draft') throw new AppFailure('NOTICE_STATE');
  const ownerId = existing?.authorId ?? author.account._id;
  const attachments = await cleanAttachments(deps, request.input.attachments, [ownerId, author.account._id], existing?.attachments ?? [], 'input.attachments');
  const rev = newRev();
  if (!existing) {
    const id = request.requestId ? `d${publishedIdFor(author.account._id, request.requestId).slice(1)}` : newDraftId();
    const doc: NoticeDoc = {
      _id: id,
      ...fields,
      attachments,
      audienceKeys: [],
      status: 'draft',
      authorId: author.account._id,
      authorName: displayName(author.account),
      requestId: null,
      rev,
      version: 1,
      createdAt: now,
      updatedAt: now,
      publishedAt: null,
      editedAt: null,
      recalledAt: null,
      listKey: null,
      leaseUntil: null,
      audienceSize: 0,
      receiptsPending: false,
      remindedAt: null,
    };
    if (!(await insertIfAbsent(deps.db, NOTICES, { ...doc }))) {
      // A retried first save: answer the draft the first attempt made.
      const first = await findById<NoticeDoc>(deps.db, NOTICES, id);
      if (!first || !canManage(author.account, first)) throw new AppFailure('NOTICE_STATE');
      return first;
    }
    return doc;
  }
  const patch = { ...fields, attachments, rev, updatedAt: now };
  const { stats } = await deps.db.collection(NOTICES).where({ _id: existing._id, status: 'draft', rev: request.rev ?? '' }).update({ data: patch });
  if (stats.updated === 0) return explainMiss(deps, author.account, existing._id, 'draft');
  return { ...existing, ...patch };
}

export async function deleteDraft(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<void> {
  const doc = await loadManaged(deps, account, noticeId);
  if (doc.status !== 'draft') throw new AppFailure('NOTICE_STATE');
  const { stats } = await deps.db.collection(NOTICES).where({ _id: noticeId, status: 'draft' }).remove();
  if (stats.removed === 0) throw new AppFailure('NOTICE_STATE');
  // A draft that was a dead publish once may have left receipts.
  if ((doc.version ?? 0) > 1) await deps.db.collection(RECEIPTS).where({ noticeId }).remove();
  await removeUnused(deps, doc.attachments.map((a) => a.fileId), noticeId);
}

/**
 * Removes files a notice no longer carries, unless another notice carries them too (an author
 * may attach one upload to several). The files only cost storage: failing to remove them must
 * not fail the change that dropped them.
 */
async function removeUnused(deps: NoticeDeps, fileIds: string[], noticeId: string): Promise<void> {
  if (fileIds.length === 0) return;
  const _ = deps.db.command;
  try {
    const { data } = await deps.db.collection(NOTICES).where({ _id: _.neq(noticeId), 'attachments.fileId': _.in(fileIds) }).limit(100).field({ attachments: true }).get();
    const shared = new Set((data as NoticeDoc[]).flatMap((doc) => doc.attachments.map((a) => a.fileId)));
    const unused = fileIds.filter((id) => !shared.has(id));
    if (unused.length > 0) await deps.storage.remove(unused);
  } catch (error) {
    console.warn(`[notice] could not remove dropped files: ${String((error as Error)?.message ?? error)}`);
  }
}

/** A notice whose publish already happened (or is under way) for this request id: answered as is. */
function publishOf(doc: NoticeDoc | null, requestId: string): NoticeDoc | null {
  return doc !== null && doc.requestId === requestId && doc.status !== 'draft' ? doc : null;
}

/**
 * Publishes now or schedules. Retrying with the same request id answers the notice the first
 * attempt made (resuming its fan-out if that attempt died half-way) and never makes a second.
 */
/** A publish's notice, with what the reply can reuse instead of reading again. */
export interface Published {
  doc: NoticeDoc;
  snapshot: UnitTree | null;
  counts: ReadCounts | null;
}

function answered(doc: NoticeDoc): Published {
  return { doc, snapshot: null, counts: null };
}

export async function publishNotice(
  deps: NoticeDeps,
  author: Author,
  request: { requestId: string; noticeId?: string; rev?: string; input: NoticeInput },
): Promise<Published> {
  const now = deps.now();
  const id = request.noticeId ?? publishedIdFor(author.account._id, request.requestId);
  const before = await findById<NoticeDoc>(deps.db, NOTICES, id);
  const done = publishOf(before, request.requestId);
  if (done) {
    if (!canManage(author.account, done)) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
    return answered(done.status === 'publishing' ? await resumePublish(deps, done) : done);
  }
  if (request.noticeId) {
    if (!before || !canManage(author.account, before)) throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
    if (before.status !== 'draft') throw new AppFailure('NOTICE_STATE');
    if (before.rev !== request.rev) throw new AppFailure('NOTICE_STALE', undefined, 'rev');
  }
  const snapshot = await tree(deps);
  const fields = cleanFields(request.input, 'publish', snapshot, now);
  const ownerId = before?.authorId ?? author.account._id;
  const attachments = await cleanAttachments(deps, request.input.attachments, [ownerId, author.account._id], before?.attachments ?? [], 'input.attachments');
  await checkContent(deps, author.openid, fields.title, fields.body, 'input');
  // Refuse an audience that reaches nobody before anything is written. Publishing now reads its
  // first batch of people here and writes their receipts from it; a schedule only probes.
  const scheduled = fields.scheduledAt !== null;
  const first = scheduled ? null : await firstBatch(deps, fields, snapshot);
  const reached = first ? first.items.length > 0 : (await audiencePage(deps, snapshot, audienceSpec(fields.audience), undefined, 1)).items.length > 0;
  if (!reached) throw new AppFailure('NOTICE_AUDIENCE_EMPTY', undefined, 'input.audience');

  const publishedAt = scheduled ? null : now;
  const doc: NoticeDoc = {
    _id: id,
    ...fields,
    attachments,
    audienceKeys: audienceKeysOf(fields.kind, fields.audience),
    status: scheduled ? 'scheduled' : 'publishing',
    authorId: ownerId,
    authorName: before?.authorName ?? displayName(author.account),
    requestId: request.requestId,
    rev: newRev(),
    version: (before?.version ?? 0) + 1,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
    publishedAt,
    editedAt: null,
    recalledAt: null,
    listKey: publishedAt ? listKey(fields.pinned, publishedAt, id) : null,
    leaseUntil: scheduled ? null : leaseFrom(now),
    audienceSize: 0,
    receiptsPending: false,
    remindedAt: null,
  };
  if (!before) {
    if (!(await insertIfAbsent(deps.db, NOTICES, { ...doc }))) {
      // The same attempt arrived twice at once: the other call owns it.
      const other = publishOf(await findById<NoticeDoc>(deps.db, NOTICES, id), request.requestId);
      if (other) return answered(other);
      throw new AppFailure('NOTICE_STATE');
    }
  } else {
    // A draft that was a dead publish once may have left receipts (recalled before they were removed).
    if ((before.version ?? 0) > 1) await deps.db.collection(RECEIPTS).where({ noticeId: id }).remove();
    const { _id, ...data } = doc;
    const { stats } = await deps.db.collection(NOTICES).where({ _id: id, status: 'draft', rev: before.rev }).update({ data });
    if (stats.updated === 0) {
      const other = publishOf(await findById<NoticeDoc>(deps.db, NOTICES, id), request.requestId);
      if (other) return answered(other.status === 'publishing' ? await resumePublish(deps, other) : other);
      return explainMiss(deps, author.account, id, 'draft');
    }
  }
  if (scheduled) return { doc, snapshot, counts: null };
  const published = await fanOut(deps, doc, snapshot, first ?? undefined);
  // Just written: everyone is unread, so the figures need no reading.
  const audience = published.audienceSize;
  return { doc: published, snapshot, counts: { audience, read: 0, confirmed: 0, unread: audience } };
}

/**
 * Takes over a notice left `publishing` (its publisher died or is slow) once its lease has run
 * out, and finishes the fan-out; receipts already written are kept (their ids are fixed).
 * Answers the notice as it stands when someone else holds it.
 */
export async function resumePublish(deps: NoticeDeps, doc: NoticeDoc): Promise<NoticeDoc> {
  const now = deps.now();
  const _ = deps.db.command;
  if (doc.leaseUntil && new Date(doc.leaseUntil).getTime() > now.getTime()) return doc;
  const { stats } = await deps.db
    .collection(NOTICES)
    .where({ _id: doc._id, status: 'publishing', leaseUntil: _.lte(now) })
    .update({ data: { leaseUntil: leaseFrom(now) } });
  if (stats.updated === 0) return (await findById<NoticeDoc>(deps.db, NOTICES, doc._id)) ?? doc;
  return fanOut(deps, { ...doc, leaseUntil: leaseFrom(now) }, await tree(deps));
}

/**
 * Publishes a scheduled notice whose time has come. The status change is the claim: of any
 * number of timer runs, exactly one moves it on, so it is published exactly once.
 */
export async function publishScheduled(deps: NoticeDeps, doc: NoticeDoc): Promise<NoticeDoc | null> {
  const now = deps.now();
  const publishedAt = now;
  const claim = { status: 'publishing' as const, publishedAt, listKey: listKey(doc.pinned, publishedAt, doc._id), leaseUntil: leaseFrom(now), updatedAt: now };
  const { stats } = await deps.db.collection(NOTICES).where({ _id: doc._id, status: 'scheduled', rev: doc.rev }).update({ data: claim });
  if (stats.updated === 0) return null;
  return fanOut(deps, { ...doc, ...claim }, await tree(deps));
}

export async function editNotice(deps: NoticeDeps, author: Author, request: { noticeId: string; rev: string; changes: NoticeChanges }): Promise<NoticeDoc> {
  const now = deps.now();
  const doc = await loadManaged(deps, author.account, request.noticeId);
  if (doc.status !== 'published') throw new AppFailure('NOTICE_STATE');
  if (doc.rev !== request.rev) throw new AppFailure('NOTICE_STALE', undefined, 'rev');
  const { changes } = request;
  const title = cleanTitle(changes.title, 'publish', 'changes.title');
  const body = cleanBody(changes.body, 'changes.body');
  const deadline = parseTime(changes.deadline, 'changes.deadline');
  if (deadline && doc.publishedAt && deadline.getTime() <= new Date(doc.publishedAt).getTime()) throw invalid('changes.deadline', '截止时间需晚于发布时间');
  const attachments = await cleanAttachments(deps, changes.attachments, [doc.authorId, author.account._id], doc.attachments, 'changes.attachments');
  await checkContent(deps, author.openid, title, body, 'changes');
  const pinned = doc.kind === 'announcement' && changes.pinned;
  const patch = {
    title,
    body,
    excerpt: bodyExcerpt(body),
    attachments,
    deadline,
    pinned,
    requiresConfirm: changes.requiresConfirm,
    listKey: listKey(pinned, new Date(doc.publishedAt ?? now), doc._id),
    editedAt: now,
    updatedAt: now,
    rev: newRev(),
    version: (doc.version ?? 0) + 1,
    receiptsPending: true,
  };
  const { stats } = await deps.db.collection(NOTICES).where({ _id: doc._id, status: 'published', rev: request.rev }).update({ data: patch });
  if (stats.updated === 0) return explainMiss(deps, author.account, doc._id, 'published');
  const next = { ...doc, ...patch };
  await syncReceipts(deps, next);
  await removeUnused(deps, doc.attachments.filter((a) => !attachments.some((b) => b.fileId === a.fileId)).map((a) => a.fileId), doc._id);
  return next;
}

/** Published: out of every inbox, kept for the author and admins. Scheduled: back to draft. */
export async function recallNotice(deps: NoticeDeps, account: UserDoc, noticeId: string): Promise<NoticeDoc> {
  // The change is conditional on the version read, so it cannot slip between an edit's write and its sync.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const now = deps.now();
    const doc = await loadManaged(deps, account, noticeId);
    const stuck = doc.status === 'publishing' && doc.leaseUntil !== null && new Date(doc.leaseUntil).getTime() <= now.getTime();
    if (doc.status === 'scheduled' || stuck) {
      // A scheduled notice goes back to draft; so does a publish that died and was never finished.
      // Its receipts go first: a crash after that leaves it publishing, which the timer finishes.
      const _ = deps.db.command;
      if (stuck) await deps.db.collection(RECEIPTS).where({ noticeId }).remove();
      const patch = { status: 'draft' as const, requestId: null, rev: newRev(), updatedAt: now, leaseUntil: null, publishedAt: null, listKey: null };
      // A publish the timer took over meanwhile holds a live lease again: not recalled.
      const condition = stuck ? { _id: noticeId, status: 'publishing', rev: doc.rev, leaseUntil: _.lte(now) } : { _id: noticeId, status: 'scheduled', rev: doc.rev };
      const { stats } = await deps.db.collection(NOTICES).where(condition).update({ data: patch });
      if (stats.updated === 0) continue;
      return { ...doc, ...patch };
    }
    if (doc.status !== 'published') throw new AppFailure('NOTICE_STATE');
    const version = (doc.version ?? 0) + 1;
    const patch = { status: 'recalled' as const, recalledAt: now, updatedAt: now, rev: newRev(), version, receiptsPending: true };
    const { stats } = await deps.db.collection(NOTICES).where({ _id: noticeId, status: 'published', version: doc.version ?? 0 }).update({ data: patch });
    if (stats.updated === 0) continue;
    const next = { ...doc, ...patch };
    await syncReceipts(deps, next);
    return next;
  }
  throw new AppFailure('BUSY_RETRY');
}
