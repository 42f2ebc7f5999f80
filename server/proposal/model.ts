/**
 * Proposals as stored, and how each caller sees one.
 *
 * A proposal document names no author: who proposed it is kept beside it in
 * `proposal_authors` (same `_id`), read only for the proposer's own views, the daily limit and
 * an admin's recorded reveal. A named proposal copies its proposer's name and units into the
 * proposal (they are shown to everyone who may see it); an anonymous one copies nothing, so no
 * list, count or filter over proposals can reach its proposer.
 */
import type { HistoryEntry, HistoryKind, ImageCheck, ProposalCard, ProposalStatus, ProposalView } from '../../typings';
import { OPEN_PROPOSAL_STATUSES, PROPOSAL_MOVES } from '../../typings/proposal-rules';
import type { UserDoc } from '../accounts/model';
import { formatBusiness } from '../core/time';
import type { Db } from '../db/db';
import type { ProposalConfig } from './config';
import type { platformDeps } from '../adapters/platform-deps';

export const PROPOSALS = 'proposals';
export const AUTHORS = 'proposal_authors';
export const SUPPORTS = 'proposal_supports';
export const QUOTA = 'proposal_quota';
export const MEDIA = 'proposal_media';
export const VERDICTS = 'proposal_verdicts';
export const CATEGORIES = 'proposal_categories';
export const REVEALS = 'proposal_reveals';

export type ProposalDeps = ReturnType<typeof platformDeps> & { config: ProposalConfig };

export interface StoredImage {
  fileId: string;
  check: ImageCheck;
}

export interface StoredHistory {
  at: Date;
  kind: HistoryKind;
  /** The handler's or admin's name; null for the proposer. */
  by: string | null;
  from: string | null;
  to: string | null;
  note: string | null;
  /** merged-in: the duplicate's category (never shown): who handles it may read its title. */
  refCategoryId?: string;
}

export interface ProposalDoc {
  /** `p-<request id>`: the submission's own id, which names no account. */
  _id: string;
  title: string;
  content: string;
  categoryId: string;
  categoryName: string;
  anonymous: boolean;
  /** The proposer's name and units: null / empty for an anonymous proposal. */
  authorName: string | null;
  unitNames: string[];
  /** The proposer's units with their ancestors: what a unit filter matches (empty when anonymous). */
  unitKeys: string[];
  images: StoredImage[];
  status: ProposalStatus;
  public: boolean;
  assignee: { id: string; name: string } | null;
  answer: { text: string; by: string; at: Date } | null;
  rejectReason: string | null;
  mergedInto: { id: string; title: string } | null;
  supportCount: number;
  rating: { stars: number; comment: string; at: Date } | null;
  history: StoredHistory[];
  submittedAt: Date;
  updatedAt: Date;
  /** The first answer or rejection reason, and minutes since submission: the dashboard's figure. */
  firstAnsweredAt: Date | null;
  answerMinutes: number | null;
  /** When its supports last began to change: the timer settles the count of recent ones again (null once settled). */
  supportsTouchedAt?: Date | null;
  /** Merged: whether its supporters were passed on and its proposer told (a merge cut short leaves them false). */
  mergeCarried?: boolean;
  mergeTold?: boolean;
  rev: string;
}

export interface AuthorDoc {
  /** The proposal's `_id`. */
  _id: string;
  accountId: string;
  memberId: string;
  name: string;
  number: string;
  unitNames: string[];
  anonymous: boolean;
  /** What the request asked (requestDigest in submit.ts): a retry asking otherwise is refused. */
  requestDigest?: string;
  submittedAt: Date;
}

export interface CategoryDoc {
  _id: string;
  name: string;
  description: string;
  active: boolean;
  handlerIds: string[];
  handlers: { id: string; name: string }[];
  /** Creation order: the order the form lists them in. */
  createdAt: Date;
  updatedAt: Date;
  rev: string;
}

export interface SupportDoc {
  /** `<proposal>~<account>`. */
  _id: string;
  proposalId: string;
  accountId: string;
  /** The duplicate it was carried from by a merge (absent for a person's own support). */
  via?: string;
  at: Date;
}

export interface MediaDoc {
  /** `<proposal>~<image index>`. */
  _id: string;
  proposalId: string;
  index: number;
  fileId: string;
  openid: string;
  /** `unrequested` until the platform took the check (a failed ask is retried by the timer for two hours, then `abandoned`). */
  state: 'unrequested' | 'pending' | 'done' | 'abandoned';
  traceId: string | null;
  attempts: number;
  at: Date;
}

export interface RevealDoc {
  _id?: string;
  proposalId: string;
  proposalTitle: string;
  by: { accountId: string; name: string };
  reason: string;
  at: Date;
}

export function isAdmin(account: Pick<UserDoc, 'roles'>): boolean {
  return account.roles.includes('admin');
}

/** The name a handler's action is recorded under: the roster name, else the nickname. */
export function actorName(account: UserDoc): string {
  return account.member?.name ?? account.nickname ?? '管理员';
}

/** Categories the caller handles: every one for an admin, else those naming their member. */
export function handles(account: UserDoc, category: Pick<CategoryDoc, 'handlerIds'>): boolean {
  if (isAdmin(account)) return true;
  const member = account.member;
  return !!member && member.active && category.handlerIds.includes(member.id);
}

export function entry(at: Date, kind: HistoryKind, by: string | null, from: string | null = null, to: string | null = null, note: string | null = null): StoredHistory {
  return { at, kind, by, from, to, note };
}

/** What one caller is to one proposal; decides every field of the views. */
export interface Viewer {
  account: UserDoc;
  /** The caller proposed it. */
  mine: boolean;
  /** The caller handles its category (admins always). */
  handler: boolean;
  /** The caller supports it. */
  supported: boolean;
}

/** The first 80 characters, on one line: the card cuts it to its width anyway. */
export function excerptOf(content: string): string {
  return Array.from(content.replace(/\s+/g, ' ').trim()).slice(0, 80).join('');
}

export function visibleImages(doc: ProposalDoc, mine: boolean): StoredImage[] {
  return mine ? doc.images : doc.images.filter((image) => image.check === 'passed');
}

export function canSee(doc: ProposalDoc, viewer: Pick<Viewer, 'mine' | 'handler'>): boolean {
  return viewer.mine || viewer.handler || doc.public;
}

export function toCard(doc: ProposalDoc, viewer: Viewer): ProposalCard {
  return {
    id: doc._id,
    title: doc.title,
    excerpt: excerptOf(doc.content),
    categoryId: doc.categoryId,
    categoryName: doc.categoryName,
    status: doc.status,
    public: doc.public,
    anonymous: doc.anonymous,
    authorName: doc.anonymous ? null : doc.authorName,
    supportCount: doc.supportCount,
    supported: viewer.supported,
    mine: viewer.mine,
    hasAnswer: doc.answer !== null,
    imageCount: visibleImages(doc, viewer.mine).length,
    submittedAt: formatBusiness(doc.submittedAt),
    updatedAt: formatBusiness(doc.updatedAt),
    assignee: doc.assignee,
  };
}

function historyView(doc: ProposalDoc, viewer: Viewer, targetVisible: boolean): HistoryEntry[] {
  const admin = isAdmin(viewer.account);
  return doc.history
    .filter((item) => item.kind !== 'revealed' || viewer.mine || admin)
    .map((item) => ({
      at: formatBusiness(item.at),
      kind: item.kind,
      by: item.by,
      // A duplicate merged in may be private: its title is for admins, and for handlers of this
      // proposal when the duplicate was of the same category (they handle both).
      from: item.kind === 'merged-in' && !(admin || (viewer.handler && item.refCategoryId === doc.categoryId)) ? null : item.from,
      // The proposal a duplicate went into, likewise, only for those who may see it.
      to: item.kind === 'merged' && !targetVisible ? null : item.to,
      note: item.note,
    }));
}

/**
 * The proposal as `viewer` may see it; `urls` maps file ids to temporary links; `targetVisible`
 * whether the viewer may see the proposal a merged one went into (else only that it was merged).
 */
export function toView(doc: ProposalDoc, viewer: Viewer, urls: ReadonlyMap<string, string>, targetVisible = false): ProposalView {
  const { excerpt: _excerpt, imageCount: _count, hasAnswer: _answered, ...card } = toCard(doc, viewer);
  const open = OPEN_PROPOSAL_STATUSES.includes(doc.status);
  return {
    ...card,
    content: doc.content,
    unitNames: doc.anonymous ? [] : doc.unitNames,
    images: visibleImages(doc, viewer.mine).flatMap((image) => {
      const url = urls.get(image.fileId);
      if (!url) return [];
      return viewer.mine ? [{ url, check: image.check }] : [{ url }];
    }),
    answer: doc.answer ? { text: doc.answer.text, by: doc.answer.by, at: formatBusiness(doc.answer.at) } : null,
    rejectReason: doc.rejectReason,
    mergedInto: doc.mergedInto ? (targetVisible ? { ...doc.mergedInto, visible: true } : { id: '', title: '', visible: false }) : null,
    rating: doc.rating ? { stars: doc.rating.stars, comment: doc.rating.comment, at: formatBusiness(doc.rating.at) } : null,
    history: historyView(doc, viewer, targetVisible),
    can: {
      support: doc.public && doc.status !== 'merged' && !viewer.mine,
      rate: viewer.mine && doc.status === 'resolved' && doc.rating === null,
      handle: viewer.handler,
      moveTo: viewer.handler && open ? [...PROPOSAL_MOVES[doc.status]] : [],
      reveal: isAdmin(viewer.account) && doc.anonymous,
    },
    rev: doc.rev,
  };
}

export function supportId(proposalId: string, accountId: string): string {
  return `${proposalId}~${accountId}`;
}

/** Which of `proposalIds` the caller proposed and supports: two reads however many. */
export async function relations(db: Db, account: UserDoc, proposalIds: readonly string[]): Promise<{ mine: Set<string>; supported: Set<string> }> {
  if (proposalIds.length === 0) return { mine: new Set(), supported: new Set() };
  const _ = db.command;
  const [authors, supports] = await Promise.all([
    db.collection(AUTHORS).where({ _id: _.in([...proposalIds]), accountId: account._id }).limit(proposalIds.length).field({ _id: true }).get(),
    db.collection(SUPPORTS).where({ proposalId: _.in([...proposalIds]), accountId: account._id }).limit(proposalIds.length * 2).field({ proposalId: true }).get(),
  ]);
  return {
    mine: new Set((authors.data as { _id: string }[]).map((row) => row._id)),
    supported: new Set((supports.data as { proposalId: string }[]).map((row) => row.proposalId)),
  };
}
