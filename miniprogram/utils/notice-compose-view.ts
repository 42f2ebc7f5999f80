/**
 * Composing and managing notices, as the author sees them: the compose form and the request
 * built from it, the checks made before saving, attachments as chosen on the device, which
 * field a backend error belongs to, the reach, the preview, and the rows of 我发布的. Plain
 * functions, tested without a page.
 */
import type {
  AppError,
  AttachmentInput,
  AttachmentKind,
  AudienceInput,
  AudienceView,
  ManagedNotice,
  ManagedNoticeDetail,
  NoticeChanges,
  NoticeInput,
  NoticeKind,
  NoticeReach,
  NoticeStatus,
} from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { parseBody } from '../../typings/notice-body';
import { attachmentKindOf, DOCUMENT_EXTENSIONS, extensionOfName, IMAGE_EXTENSIONS } from '../../typings/notice-files';
export { attachmentKindOf, DOCUMENT_EXTENSIONS, extensionOfName, IMAGE_EXTENSIONS };
import { unitPathPieces, unitPathText } from './org-view';

export const KIND_OPTIONS: readonly { kind: NoticeKind; label: string }[] = [
  { kind: 'notice', label: '通知' },
  { kind: 'announcement', label: '公告' },
];

export function kindLabel(kind: NoticeKind): string {
  return kind === 'announcement' ? '公告' : '通知';
}

export const BODY_HINT = '空一行即分段；**文字** 显示为粗体';

// Attachments

const ICON_OF_KIND: Readonly<Record<AttachmentKind, string>> = {
  image: 'photo-o',
  pdf: 'description',
  word: 'notes-o',
  excel: 'bar-chart-o',
  powerpoint: 'tv-o',
};

export function attachmentIcon(kind: AttachmentKind): string {
  return ICON_OF_KIND[kind];
}

/** `850 B`, `12 KB`, `1.5 MB`. */
export function fileSizeText(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.round(bytes))} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

export const ATTACHMENT_MB = Math.floor(FIELD_LIMITS.attachmentBytes / (1024 * 1024));
export const ATTACHMENT_HINT = `图片、PDF、Word、Excel、PPT，每个不超过 ${ATTACHMENT_MB} MB，最多 ${FIELD_LIMITS.noticeAttachments} 个`;

/** The name readers see: the file's own, trimmed to FIELD_LIMITS.attachmentName characters with its extension kept. */
export function attachmentDisplayName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(base);
  const max = FIELD_LIMITS.attachmentName;
  if (chars.length <= max) return base;
  const extension = extensionOfName(base);
  const tail = extension ? `.${extension}` : '';
  return chars.slice(0, max - tail.length).join('') + tail;
}

/** A photo has no name of its own: `图片3.jpg`. */
export function imageName(tempFilePath: string, number: number): string {
  return `图片${number}.${extensionOfName(tempFilePath) || 'jpg'}`;
}

/** A file as a chooser handed it over, before any check. */
export interface PickedFile {
  path: string;
  name: string;
  size: number;
}

export interface ChosenAttachment extends PickedFile {
  kind: AttachmentKind;
}

export interface ChoiceOutcome {
  accepted: ChosenAttachment[];
  /** Why the others were left out, one sentence; '' when none was. */
  refusal: string;
}

/**
 * Which chosen files can be attached: of a kind readers can open, at most ATTACHMENT_MB each,
 * and no more than the `room` left. Refused on the device, before a byte is uploaded.
 */
export function acceptFiles(files: readonly PickedFile[], room: number): ChoiceOutcome {
  const accepted: ChosenAttachment[] = [];
  const tooLarge: string[] = [];
  const wrongKind: string[] = [];
  let overCount = 0;
  for (const file of files) {
    const name = attachmentDisplayName(file.name);
    const kind = attachmentKindOf(name);
    if (!kind) wrongKind.push(name);
    else if (file.size > FIELD_LIMITS.attachmentBytes) tooLarge.push(name);
    else if (accepted.length >= room) overCount += 1;
    else accepted.push({ path: file.path, name, size: file.size, kind });
  }
  const reasons: string[] = [];
  if (tooLarge.length) reasons.push(`「${tooLarge.join('」「')}」超过 ${ATTACHMENT_MB} MB，不能作为附件`);
  if (wrongKind.length) reasons.push(`「${wrongKind.join('」「')}」不是图片、PDF、Word、Excel 或 PPT 文件`);
  if (overCount) reasons.push(`最多 ${FIELD_LIMITS.noticeAttachments} 个附件，${overCount} 个未添加`);
  return { accepted, refusal: reasons.join('；') };
}

export type UploadStatus = 'uploading' | 'done' | 'failed';

export interface AttachmentRow {
  /** This row on this device (a file id exists only once uploaded). */
  key: string;
  name: string;
  size: number;
  sizeText: string;
  kind: AttachmentKind;
  icon: string;
  fileId: string;
  /** The chosen file on the device, to retry a failed upload; '' for one saved earlier. */
  tempPath: string;
  status: UploadStatus;
  progress: number;
}

export function uploadingRow(key: string, file: ChosenAttachment): AttachmentRow {
  return {
    key,
    name: file.name,
    size: file.size,
    sizeText: fileSizeText(file.size),
    kind: file.kind,
    icon: attachmentIcon(file.kind),
    fileId: '',
    tempPath: file.path,
    status: 'uploading',
    progress: 0,
  };
}

/** Attachments saved with a draft or a published notice: uploaded already. */
export function savedRows(attachments: readonly AttachmentInput[]): AttachmentRow[] {
  return attachments.map((attachment, index) => {
    const kind = attachmentKindOf(attachment.name) ?? 'pdf';
    return {
      key: `saved-${index}-${attachment.fileId}`,
      name: attachment.name,
      size: attachment.size,
      sizeText: fileSizeText(attachment.size),
      kind,
      icon: attachmentIcon(kind),
      fileId: attachment.fileId,
      tempPath: '',
      status: 'done',
      progress: 100,
    };
  });
}

// Business time (Asia/Shanghai, UTC+8 all year), whatever zone the phone is in

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The time a picked date starts with: the end of an office day. */
export const DEFAULT_TIME = '18:00';
const pad = (value: number) => String(value).padStart(2, '0');

/** Now as a business time, `YYYY-MM-DD HH:mm`. */
export function businessNow(now: number = Date.now()): string {
  const shifted = new Date(now + SHANGHAI_OFFSET_MS);
  const date = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  return `${date} ${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
}

export function businessToday(now: number = Date.now()): string {
  return businessNow(now).slice(0, 10);
}

/** A date and a time from their pickers as the contract sends them; null without a date. */
export function joinDateTime(date: string, time: string): string | null {
  return date ? `${date} ${time || DEFAULT_TIME}` : null;
}

export function splitDateTime(value: string | null): { date: string; time: string } {
  if (!value) return { date: '', time: DEFAULT_TIME };
  const [date, time] = value.split(' ');
  return { date: date ?? '', time: time || DEFAULT_TIME };
}

// The form

export interface ComposeForm {
  kind: NoticeKind;
  title: string;
  body: string;
  all: boolean;
  requiresConfirm: boolean;
  pinned: boolean;
  /** '' for no deadline. */
  deadlineDate: string;
  deadlineTime: string;
  scheduled: boolean;
  scheduleDate: string;
  scheduleTime: string;
}

export function emptyComposeForm(): ComposeForm {
  return {
    kind: 'notice',
    title: '',
    body: '',
    all: false,
    requiresConfirm: false,
    pinned: false,
    deadlineDate: '',
    deadlineTime: DEFAULT_TIME,
    scheduled: false,
    scheduleDate: '',
    scheduleTime: DEFAULT_TIME,
  };
}

export function composeFormOf(input: NoticeInput): ComposeForm {
  const deadline = splitDateTime(input.deadline);
  const schedule = splitDateTime(input.scheduledAt);
  return {
    kind: input.kind,
    title: input.title,
    body: input.body,
    all: input.audience.all,
    requiresConfirm: input.requiresConfirm,
    pinned: input.kind === 'announcement' && input.pinned,
    deadlineDate: deadline.date,
    deadlineTime: deadline.time,
    scheduled: !!input.scheduledAt,
    scheduleDate: schedule.date,
    scheduleTime: schedule.time,
  };
}

/** A chosen unit: its path in pieces that wrap between names. */
export interface UnitChip {
  id: string;
  name: string;
  pieces: string[];
}

export interface PersonChip {
  id: string;
  name: string;
  number: string;
}

export function unitChipOf(unit: { id: string; name: string; path: readonly string[] | string }): UnitChip {
  const pieces = unitPathPieces(unit.path);
  return { id: unit.id, name: unit.name, pieces: pieces.length ? pieces : [unit.name] };
}

export function audienceChips(view: AudienceView): { units: UnitChip[]; people: PersonChip[] } {
  return {
    units: view.units.map(unitChipOf),
    people: view.members.map((member) => ({ id: member.id, name: member.name, number: member.number })),
  };
}

/** 全体成员, or the units and people, as the author reads them back on a published notice. */
export function audienceText(view: AudienceView): string {
  if (view.all) return '全体成员';
  const parts = view.units.map((unit) => unitPathText(unit.path) || unit.name);
  if (view.members.length) parts.push(`${view.members.map((member) => member.name).slice(0, 5).join('、')}${view.members.length > 5 ? ` 等 ${view.members.length} 人` : ''}`);
  return parts.join('；') || '未选择';
}

/** The audience as sent: 全体 alone when chosen, and chosen people only on a 通知. */
export function audienceInputOf(form: Pick<ComposeForm, 'all' | 'kind'>, units: readonly UnitChip[], people: readonly PersonChip[]): AudienceInput {
  if (form.all) return { all: true, unitIds: [], memberIds: [] };
  return { all: false, unitIds: units.map((unit) => unit.id), memberIds: form.kind === 'notice' ? people.map((person) => person.id) : [] };
}

export function audienceIsEmpty(audience: AudienceInput): boolean {
  return !audience.all && !audience.unitIds.length && !audience.memberIds.length;
}

function attachmentInputs(rows: readonly AttachmentRow[]): AttachmentInput[] {
  return rows.filter((row) => row.status === 'done' && row.fileId).map((row) => ({ fileId: row.fileId, name: row.name, size: row.size }));
}

export function noticeInputOf(form: ComposeForm, attachments: readonly AttachmentRow[], units: readonly UnitChip[], people: readonly PersonChip[]): NoticeInput {
  return {
    kind: form.kind,
    title: form.title.trim(),
    body: form.body,
    attachments: attachmentInputs(attachments),
    audience: audienceInputOf(form, units, people),
    requiresConfirm: form.requiresConfirm,
    deadline: joinDateTime(form.deadlineDate, form.deadlineTime),
    pinned: form.kind === 'announcement' && form.pinned,
    scheduledAt: form.scheduled ? joinDateTime(form.scheduleDate, form.scheduleTime) : null,
  };
}

/** What an edit of a published notice sends: only what may change after publishing. */
export function noticeChangesOf(form: ComposeForm, attachments: readonly AttachmentRow[]): NoticeChanges {
  return {
    title: form.title.trim(),
    body: form.body,
    attachments: attachmentInputs(attachments),
    deadline: joinDateTime(form.deadlineDate, form.deadlineTime),
    pinned: form.kind === 'announcement' && form.pinned,
    requiresConfirm: form.requiresConfirm,
  };
}

export type ComposeField = 'title' | 'body' | 'attachments' | 'audience' | 'deadline' | 'schedule';
export type ComposeErrors = Record<ComposeField, string>;

export const NO_COMPOSE_ERRORS: Readonly<ComposeErrors> = { title: '', body: '', attachments: '', audience: '', deadline: '', schedule: '' };

export function hasComposeErrors(errors: ComposeErrors): boolean {
  return Object.values(errors).some(Boolean);
}

const length = (text: string) => Array.from(text).length;

/** `123/5000`: characters as people count them. */
export function countText(text: string, max: number): string {
  return `${length(text)}/${max}`;
}

/**
 * What must be fixed first. A draft needs only what fits its limits and finished uploads;
 * publishing also needs a title, an audience and times still ahead.
 */
export function checkCompose(
  form: ComposeForm,
  attachments: readonly AttachmentRow[],
  audience: AudienceInput,
  purpose: 'draft' | 'publish' | 'edit',
  now: string,
): ComposeErrors {
  const errors: ComposeErrors = { ...NO_COMPOSE_ERRORS };
  const title = form.title.trim();
  // A draft may be saved before it has a title (the backend keeps it); publishing needs one.
  if (!title) errors.title = purpose === 'draft' ? '' : '请输入标题';
  else if (length(title) > FIELD_LIMITS.noticeTitle) errors.title = `标题不超过 ${FIELD_LIMITS.noticeTitle} 个字`;
  if (length(form.body) > FIELD_LIMITS.noticeBody) errors.body = `正文不超过 ${FIELD_LIMITS.noticeBody} 个字`;
  if (attachments.some((row) => row.status === 'uploading')) errors.attachments = '附件正在上传，请稍候';
  else if (attachments.some((row) => row.status === 'failed')) errors.attachments = '有附件上传失败，请重试或移除';
  if (purpose === 'draft') return errors;
  if (purpose === 'publish' && audienceIsEmpty(audience)) errors.audience = '请选择发送范围';
  const schedule = purpose === 'publish' && form.scheduled ? joinDateTime(form.scheduleDate, form.scheduleTime) : null;
  if (purpose === 'publish' && form.scheduled) {
    if (!schedule) errors.schedule = '请选择定时发布的时间';
    else if (schedule <= now) errors.schedule = '定时发布的时间需晚于现在';
  }
  const deadline = joinDateTime(form.deadlineDate, form.deadlineTime);
  // A published notice keeps a deadline that has passed (fixing a typo must not move it); the
  // backend checks it against the publishing time.
  if (deadline && deadline <= now && purpose !== 'edit') errors.deadline = '截止时间需晚于现在';
  else if (deadline && schedule && deadline <= schedule) errors.deadline = '截止时间需晚于发布时间';
  return errors;
}

/** The form field a backend error belongs to, or null for errors about the whole notice. */
export function fieldOfNoticeError(error: AppError): ComposeField | null {
  switch (error.code) {
    case 'NOTICE_AUDIENCE_EMPTY':
      return 'audience';
    case 'NOTICE_ATTACHMENT_INVALID':
      return 'attachments';
    case 'UNIT_NOT_FOUND':
    case 'MEMBER_NOT_FOUND':
      return 'audience';
    case 'CONTENT_RISKY':
    case 'INVALID_INPUT': {
      // `input.title`, `changes.body`, `input.audience.unitIds[3]`, `input.attachments[0].name`...
      const names = (error.field ?? '').split('.').map((name) => name.replace(/\[\d+\]$/, ''));
      if (names.includes('title')) return 'title';
      if (names.includes('body')) return 'body';
      if (names.includes('attachments')) return 'attachments';
      if (names.some((name) => name === 'audience' || name === 'unitIds' || name === 'memberIds' || name === 'all')) return 'audience';
      if (names.includes('deadline')) return 'deadline';
      if (names.includes('scheduledAt')) return 'schedule';
      return null;
    }
    default:
      return null;
  }
}

/**
 * Chosen units, chosen people and reach rows shown at once: an audience may name hundreds of
 * units and a thousand people, and the form stays under 1,000 nodes. The rest are counted; the
 * picker and the search still unchoose any of them.
 */
export const CHOSEN_SHOWN = 20;

// The reach

export interface ReachRow {
  id: string;
  pieces: string[];
  value: string;
}

export interface ReachView {
  total: string;
  /** The first `shown` rows: one per chosen unit, then the chosen people outside them. */
  rows: ReachRow[];
  /** `另有 12 个单位未列出` when there are more; '' otherwise. */
  more: string;
}

const reachFigures = (total: number, withPhone: number) => `${total} 人 · ${withPhone} 人有手机号`;

export function reachView(reach: NoticeReach, shown = CHOSEN_SHOWN): ReachView {
  const rows: ReachRow[] = reach.units.map((unit) => ({
    id: unit.id,
    pieces: unitPathPieces(unit.path).length ? unitPathPieces(unit.path) : [unit.name],
    value: reachFigures(unit.total, unit.withPhone),
  }));
  const hidden = Math.max(0, rows.length - shown);
  const visible = rows.slice(0, shown);
  if (reach.members.total) visible.push({ id: 'members', pieces: ['指定成员（不含以上单位中的）'], value: reachFigures(reach.members.total, reach.members.withPhone) });
  return { total: `共 ${reach.total} 人，其中 ${reach.withPhone} 人有手机号`, rows: visible, more: hidden ? `另有 ${hidden} 个单位未列出` : '' };
}

// The preview

export interface PreviewSegment {
  key: string;
  text: string;
  strong: boolean;
}

export interface PreviewLine {
  key: string;
  segments: PreviewSegment[];
}

export interface PreviewParagraph {
  key: string;
  lines: PreviewLine[];
}

export interface PreviewView {
  title: string;
  kindLabel: string;
  tags: string[];
  meta: string;
  paragraphs: PreviewParagraph[];
  attachments: { key: string; name: string; sizeText: string; icon: string }[];
}

export function previewParagraphs(body: string): PreviewParagraph[] {
  return parseBody(body).map((lines, p) => ({
    key: `p${p}`,
    lines: lines.map((segments, l) => ({
      key: `p${p}l${l}`,
      segments: segments.map((segment, s) => ({ key: `p${p}l${l}s${s}`, text: segment.text, strong: segment.strong })),
    })),
  }));
}

/** The notice as a reader will open it. */
export function previewOf(form: ComposeForm, attachments: readonly AttachmentRow[], authorName: string, when: string): PreviewView {
  const tags: string[] = [];
  if (form.kind === 'announcement' && form.pinned) tags.push('置顶');
  if (form.requiresConfirm) tags.push('需确认');
  const deadline = joinDateTime(form.deadlineDate, form.deadlineTime);
  if (deadline) tags.push(`截止 ${deadline}`);
  return {
    title: form.title.trim() || '（未填写标题）',
    kindLabel: kindLabel(form.kind),
    tags,
    meta: [authorName, when].filter(Boolean).join(' · '),
    paragraphs: previewParagraphs(form.body),
    attachments: attachments
      .filter((row) => row.status === 'done')
      .map((row) => ({ key: row.key, name: row.name, sizeText: row.sizeText, icon: row.icon })),
  };
}

// 我发布的

export type MineTab = NoticeStatus | 'all';

/**
 * Rows of 我发布的 on screen at once. A row with its actions is some 18 nodes, and a page stays
 * under 1,000 however far one scrolls, so fewer rows than other lists' LIST_CAP.
 */
export const MINE_CAP = 40;

export const MINE_TABS: readonly { name: MineTab; title: string }[] = [
  { name: 'all', title: '全部' },
  { name: 'draft', title: '草稿' },
  { name: 'scheduled', title: '定时' },
  { name: 'published', title: '已发布' },
  { name: 'recalled', title: '已撤回' },
];

export const STATUS_LABELS: Readonly<Record<NoticeStatus, string>> = {
  draft: '草稿',
  scheduled: '定时',
  publishing: '发布中',
  published: '已发布',
  recalled: '已撤回',
};

export interface MineRow {
  id: string;
  title: string;
  status: NoticeStatus;
  statusText: string;
  kindLabel: string;
  scheduledAt: string | null;
  /** When it was saved, scheduled, published or recalled. */
  timeText: string;
  /** 已读 x/y · 确认 z, once published. */
  countsText: string;
  authorText: string;
  canEdit: boolean;
  canRecall: boolean;
  canDelete: boolean;
  canSeeStats: boolean;
}

export function mineRow(notice: ManagedNotice, showAuthor: boolean): MineRow {
  const published = notice.status === 'published' || notice.status === 'recalled';
  let timeText = `更新于 ${notice.updatedAt}`;
  if (notice.status === 'scheduled' && notice.scheduledAt) timeText = `将于 ${notice.scheduledAt} 发布`;
  else if (notice.status === 'recalled' && notice.recalledAt) timeText = `撤回于 ${notice.recalledAt}`;
  else if (published && notice.publishedAt) timeText = `发布于 ${notice.publishedAt}${notice.editedAt ? `（${notice.editedAt} 编辑）` : ''}`;
  const { audience, read, confirmed } = notice.counts;
  return {
    id: notice.id,
    title: notice.title || '（未填写标题）',
    status: notice.status,
    statusText: STATUS_LABELS[notice.status],
    scheduledAt: notice.scheduledAt,
    kindLabel: kindLabel(notice.kind),
    timeText,
    countsText: published ? `已读 ${read}/${audience}${notice.requiresConfirm ? ` · 确认 ${confirmed}` : ''}` : '',
    authorText: showAuthor ? `发布人 ${notice.authorName}` : '',
    // A scheduled notice is recalled to a draft before it changes (the backend edits drafts and published notices).
    canEdit: notice.status === 'draft' || notice.status === 'published',
    // A publish stuck half-way (its function died) goes back to draft; a live one is refused by the backend.
    canRecall: notice.status === 'scheduled' || notice.status === 'published' || notice.status === 'publishing',
    canDelete: notice.status === 'draft',
    canSeeStats: published,
  };
}

export function recallQuestion(notice: Pick<ManagedNotice, 'title' | 'status'>): string {
  if (notice.status === 'scheduled') return `「${notice.title}」将不再定时发布，回到草稿。确定撤回吗？`;
  if (notice.status === 'publishing') return `「${notice.title}」的发布中断后可撤回到草稿，已送达的通知将收回。确定撤回吗？`;
  return `撤回后「${notice.title}」将从所有人的通知列表中消失，阅读记录仍保留。确定撤回吗？`;
}

export function deleteQuestion(title: string): string {
  return `删除后草稿「${title || '（未填写标题）'}」无法恢复。确定删除吗？`;
}

export function emptyMineText(tab: MineTab): string {
  const label = MINE_TABS.find((option) => option.name === tab)?.title ?? '';
  return tab === 'all' ? '还没有发布过通知' : `没有${label}的通知`;
}

export const composeUrl = (noticeId?: string) =>
  noticeId ? `/packages/admin/pages/notice-compose/index?id=${encodeURIComponent(noticeId)}` : '/packages/admin/pages/notice-compose/index';

export const readersUrl = (noticeId: string) => `/pages/notice-readers/index?id=${encodeURIComponent(noticeId)}`;

export const mineUrl = (tab: MineTab = 'all') => `/packages/admin/pages/notice-mine/index?status=${tab}`;

/** Whether a managed notice is opened in the compose form as a draft (everything editable), as published, or not at all. */
export function composeModeOf(detail: Pick<ManagedNoticeDetail, 'status'>): 'draft' | 'published' | 'locked' {
  if (detail.status === 'draft') return 'draft';
  return detail.status === 'published' ? 'published' : 'locked';
}

/** A scheduled notice does not change: recalled, it goes back to draft, which does. */
export const SCHEDULED_LOCKED = (scheduledAt: string | null) =>
  `该通知将于 ${scheduledAt ?? '预定时间'} 定时发布。如需修改，请先在「我发布的」中撤回定时，它会回到草稿`;

/** Why a notice cannot be opened in the compose form. */
export function lockedText(detail: Pick<ManagedNoticeDetail, 'status' | 'scheduledAt'>): string {
  switch (detail.status) {
    case 'scheduled':
      return SCHEDULED_LOCKED(detail.scheduledAt);
    case 'recalled':
      return '该通知已撤回，不能再编辑';
    default:
      return '该通知正在发布，请稍后在「我发布的」中查看';
  }
}

