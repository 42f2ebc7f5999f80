/**
 * Contract of the `proposal` cloud function: members propose improvements (提案), follow their
 * handling and support the public ones; admins and each category's handlers accept, answer,
 * merge, reject and resolve them.
 *
 * Anonymity: an anonymous proposal names no author to anyone but its proposer, in every
 * answer of every action (`author` is null, `unitNames` empty, and it never matches a unit
 * filter); only `proposals.reveal` (admins) names the author, and every reveal is recorded.
 *
 * Times are business times (Asia/Shanghai) `YYYY-MM-DD HH:mm`.
 */
import type { Page } from './account';
import type { SubscribeChoice, SubscriptionState } from './notice';

export type ProposalStatus =
  /** Waiting for a handler. */
  | 'submitted'
  | 'accepted'
  | 'in_progress'
  | 'resolved'
  /** Not taken up: `rejectReason` says why. */
  | 'rejected'
  /** A duplicate folded into another proposal (`mergedInto`): its supporters went there. */
  | 'merged';

/**
 * Where an image's content check stands (security.mediaCheckAsync answers later): only a
 * `passed` image is shown to anyone but the proposer.
 */
export type ImageCheck = 'pending' | 'passed' | 'refused';

export interface ProposalImage {
  /** A temporary link (never stored). */
  url: string;
  /** Present for the proposer only (everyone else sees passed images alone). */
  check?: ImageCheck;
}

export interface ProposalCategory {
  id: string;
  /** 1–20 characters, unique. */
  name: string;
  /** A line on what belongs here, 0–60 characters. */
  description: string;
  /** Whether new proposals may choose it (an inactive one keeps its proposals). */
  active: boolean;
  /** Roster members who handle its proposals (admins always may). */
  handlers: { id: string; name: string }[];
  /** Changes on every save; a save sends back the one it read. */
  rev: string;
}

export interface CategoryInput {
  name: string;
  description: string;
  active: boolean;
  handlerIds: string[];
}

export type HistoryKind =
  | 'submitted'
  /** A status change (`from` → `to`); a rejection's `note` is its reason. */
  | 'status'
  /** The answer was written or replaced (`note` is the answer). */
  | 'answer'
  /** Given to a handler (`to` is their name). */
  | 'assigned'
  /** Made public or private (`to` 'public' / 'private'). */
  | 'visibility'
  /** This duplicate went into another proposal (`to` is its title; null when the caller may not see that one). */
  | 'merged'
  /**
   * A duplicate came into this one (`from` is its title, null for callers who do not handle it:
   * the duplicate may be private); its supporters support this one from then on.
   */
  | 'merged-in'
  /** The proposer rated the answer (`to` the stars). */
  | 'rated'
  /**
   * An admin saw who proposed it (`note` the reason). Shown to the proposer and admins only;
   * `by` names the admin.
   */
  | 'revealed';

/** One recorded change. `by` is the handler's name; null for the proposer (never named when anonymous). */
export interface HistoryEntry {
  at: string;
  kind: HistoryKind;
  by: string | null;
  from: string | null;
  to: string | null;
  note: string | null;
}

/** A proposal in a list. */
export interface ProposalCard {
  id: string;
  title: string;
  /** The first 80 characters of the content. */
  excerpt: string;
  categoryId: string;
  categoryName: string;
  status: ProposalStatus;
  public: boolean;
  anonymous: boolean;
  /** The proposer's name; null when anonymous (to the proposer too, in lists: `mine` says it is theirs). */
  authorName: string | null;
  supportCount: number;
  /** Whether the caller supports it. */
  supported: boolean;
  /** The caller proposed it. */
  mine: boolean;
  hasAnswer: boolean;
  /** Images anyone may see (the proposer's count includes those still being checked). */
  imageCount: number;
  submittedAt: string;
  updatedAt: string;
  /** The handler it is assigned to. */
  assignee: { id: string; name: string } | null;
}

export interface ProposalView extends Omit<ProposalCard, 'excerpt' | 'imageCount' | 'hasAnswer'> {
  content: string;
  /** The proposer's units' names (non-anonymous proposals only). */
  unitNames: string[];
  images: ProposalImage[];
  answer: { text: string; by: string; at: string } | null;
  rejectReason: string | null;
  /**
   * The proposal this duplicate went into; `visible` false (id and title empty) when the caller
   * may not see that one (a private proposal of another's): only that it was merged is said.
   */
  mergedInto: { id: string; title: string; visible: boolean } | null;
  /** The proposer's rating of the answer, once resolved. */
  rating: { stars: number; comment: string; at: string } | null;
  history: HistoryEntry[];
  /** What the caller may do now. */
  can: {
    support: boolean;
    rate: boolean;
    /** Handling: the category's handlers and admins. */
    handle: boolean;
    /** Statuses the caller may move it to now. */
    moveTo: ProposalStatus[];
    reveal: boolean;
  };
  /** Changes on every write; handling actions send back the one they read. */
  rev: string;
}

export interface ProposalInput {
  /** The client's id of this submission (8–64 of `[A-Za-z0-9_-]`): a retry answers the same proposal. */
  requestId: string;
  categoryId: string;
  /** 1–64 characters. */
  title: string;
  /** 1–3,000 characters. */
  content: string;
  /** Images uploaded under `proposal-images/<requestId>/`, at most 9. */
  imageFileIds: string[];
  anonymous: boolean;
}

export interface ProposalFilters {
  status?: ProposalStatus;
  /** Only those still being handled (submitted, accepted, in progress): what a duplicate may go into. Not with `status`. */
  openOnly?: boolean;
  categoryId?: string;
  /** Proposals of people in this unit or its sub-units (never matches an anonymous one). */
  unitId?: string;
}

export interface ProposalDashboard {
  /** Proposals the caller handles, per status (every status present, 0 when none). */
  counts: Record<ProposalStatus, number>;
  total: number;
  /**
   * Per category the caller handles: proposals answered, and the mean and longest minutes
   * from submission to the first answer (an answer or a rejection's reason).
   */
  firstAnswer: { categoryId: string; categoryName: string; answered: number; meanMinutes: number | null; maxMinutes: number | null }[];
}

/** One reveal of an anonymous proposal's author: who looked, when and why (never whom they saw). */
export interface RevealRecord {
  id: string;
  proposalId: string;
  proposalTitle: string;
  by: string;
  at: string;
  reason: string;
}

/** Who proposed an anonymous proposal, as `proposals.reveal` tells an admin. */
export interface RevealedAuthor {
  memberId: string | null;
  name: string;
  number: string | null;
  unitNames: string[];
}

type Empty = Record<string, never>;

export interface ProposalActions {
  /**
   * Categories: active ones for the form; admins and handlers (`all`) every one with its
   * handlers. `handles`: whether the caller handles proposals (an admin, or a handler of any
   * category), for the pages to offer the handler's desk.
   */
  'categories.list': { request: { all?: boolean }; response: { items: ProposalCategory[]; handles: boolean } };
  /** Admins: creates (no `categoryId`) or saves a category; `rev` must match the one read. */
  'categories.save': { request: { categoryId?: string; rev?: string; details: CategoryInput }; response: ProposalCategory };

  /** Submits a proposal (content-checked; at most PROPOSAL_DAILY_LIMIT a day); a retry with its requestId answers the same. */
  'proposals.submit': { request: ProposalInput; response: ProposalView };
  /** The caller's proposals, newest first, with their status. */
  'proposals.mine': { request: { after?: string }; response: Page<ProposalCard> };
  /** Public proposals, most supported or newest first. */
  'proposals.public': { request: { sort: 'support' | 'newest'; categoryId?: string; status?: ProposalStatus; after?: string }; response: Page<ProposalCard> };
  /** One proposal as the caller may see it: its proposer, its handlers and admins, everyone when public. */
  'proposals.get': { request: { proposalId: string }; response: ProposalView };
  /** Supports (一键附议) or withdraws the support of a public proposal; once per person. */
  'proposals.support': { request: { proposalId: string; support: boolean }; response: { supportCount: number; supported: boolean } };
  /** The proposer rates the answer of a resolved proposal, once (1–5 stars, a comment up to 200). */
  'proposals.rate': { request: { proposalId: string; stars: number; comment?: string }; response: ProposalView };

  /** Handlers and admins: proposals of the categories they handle, newest first, filtered. */
  'proposals.handling': { request: ProposalFilters & { assignedToMe?: boolean; after?: string }; response: Page<ProposalCard> };
  /** Handlers and admins: counts per status and time to first answer per category. */
  'proposals.dashboard': { request: { categoryId?: string; unitId?: string }; response: ProposalDashboard };
  /**
   * Moves a proposal along submitted → accepted → in_progress → resolved, or to rejected (a
   * `reason` required); an `answer` may come with it. Refused as PROPOSAL_INVALID_TRANSITION.
   */
  'proposals.move': { request: { proposalId: string; rev: string; to: ProposalStatus; reason?: string; answer?: string }; response: ProposalView };
  /** Writes or replaces the answer (up to 1,000 characters, content-checked). */
  'proposals.answer': { request: { proposalId: string; rev: string; answer: string }; response: ProposalView };
  /** Gives it to one of the category's handlers (null: nobody). */
  'proposals.assign': { request: { proposalId: string; rev: string; handlerId: string | null }; response: ProposalView };
  /** Shows it in 全部提案 to everyone, or takes it back. */
  'proposals.publish': { request: { proposalId: string; rev: string; public: boolean }; response: ProposalView };
  /** Folds a duplicate into another open proposal: its supporters (and proposer) support that one, each once. */
  'proposals.merge': { request: { proposalId: string; rev: string; intoId: string }; response: { merged: ProposalView; into: ProposalView } };

  /** Admins: who proposed an anonymous proposal; the reveal is recorded with its reason. */
  'proposals.reveal': { request: { proposalId: string; reason: string }; response: RevealedAuthor };
  /** Admins: every reveal, newest first. */
  'proposals.reveals': { request: { after?: string }; response: Page<RevealRecord> };

  /** The proposal templates (status changes) and the caller's credits. */
  'subscriptions.state': { request: Empty; response: SubscriptionState };
  'subscriptions.record': { request: { choices: Record<string, SubscribeChoice> }; response: SubscriptionState };
}
