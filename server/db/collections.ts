/**
 * The one place that declares every collection and the indexes its queries rely on.
 * Deployment creates them in a cloud environment; the local cloud reads the same list and
 * enforces the unique indexes as CloudBase does. Feature issues append their collections.
 */
export type IndexDirection = 1 | -1;

export interface IndexDecl {
  /** Index name, unique within the collection. */
  name: string;
  /** Field paths in order (dot paths allowed) and their direction. Compound indexes match on prefixes. */
  keys: Record<string, IndexDirection>;
  /** A missing field counts as null, so two documents missing it collide. */
  unique?: boolean;
}

export interface CollectionDecl {
  name: string;
  indexes: IndexDecl[];
  /**
   * The field naming the account a document belongs to, for collections holding a person's
   * own data (proposals, bookings, ...). Two accounts are merged only when one of them owns
   * nothing in any such collection; declare it so merges stay safe as features arrive.
   */
  ownerField?: string;
}

export const COLLECTIONS: readonly CollectionDecl[] = [
  {
    name: 'users',
    indexes: [
      { name: 'createdAt', keys: { createdAt: -1 } },
      // roles.list pages through holders of a role by account id.
      { name: 'roles_id', keys: { roles: 1, _id: 1 } },
      { name: 'nickname', keys: { nickname: 1 } },
      { name: 'memberName', keys: { 'member.name': 1 } },
      // Who is bound to a member.
      { name: 'memberId', keys: { 'member.id': 1 } },
      // Accounts whose receipts of older 公告 the notice timer has yet to complete.
      { name: 'noticeSync', keys: { noticeSync: 1, 'member.active': 1 } },
    ],
  },
  {
    // One document per way of recognising a person; `_id` is `<kind>:<key>` (see identityId),
    // so no two users can ever hold the same identity, even when two first logins race.
    name: 'identities',
    indexes: [{ name: 'userId', keys: { userId: 1 } }],
  },
  {
    // Who granted or revoked which role of whom, and when; never updated or removed.
    name: 'role_changes',
    indexes: [
      { name: 'at', keys: { at: -1, _id: -1 } },
      { name: 'target_at', keys: { targetUserId: 1, at: -1 } },
    ],
  },
  {
    // `_id` is `<openid account>~<unionid account>`: one record per pair, however many logins.
    name: 'account_conflicts',
    indexes: [{ name: 'status_at', keys: { status: 1, createdAt: -1 } }],
  },
  {
    // The organisation's tree: `parentId` links, so a move rewrites one document.
    name: 'units',
    indexes: [
      { name: 'parent_name', keys: { parentId: 1, name: 1 }, unique: true },
    ],
  },
  {
    name: 'members',
    ownerField: 'userId',
    indexes: [
      { name: 'number', keys: { number: 1 }, unique: true },
      // A unit's member list by number, and audiences by unit.
      { name: 'unit_active_number', keys: { unitIds: 1, active: 1, number: 1 } },
      { name: 'active_id', keys: { active: 1, _id: 1 } },
      { name: 'phone', keys: { phone: 1 } },
      { name: 'wecomKey', keys: { wecomKey: 1 }, unique: true },
      { name: 'userId', keys: { userId: 1 } },
      { name: 'observes', keys: { observes: 1 } },
      { name: 'name', keys: { name: 1 } },
    ],
  },
  {
    // One document per roster import: its counts, status and apply progress.
    name: 'imports',
    indexes: [{ name: 'createdAt', keys: { createdAt: -1 } }],
  },
  {
    // The previewed difference of an import, one document per change or invalid row; `_id` is `<import>:<seq>`.
    name: 'import_items',
    indexes: [{ name: 'import_category_id', keys: { importId: 1, category: 1, _id: 1 } }],
  },
  {
    // Small singleton documents by well-known `_id` (e.g. `admins`, the current admin set).
    name: 'settings',
    indexes: [],
  },
  {
    // One document per notice or announcement; `_id` of a publish derives from its request id.
    name: 'notices',
    ownerField: 'authorId',
    indexes: [
      // 我发布的: an author's notices, newest first (admins: everyone's).
      { name: 'author_created', keys: { authorId: 1, createdAt: -1, _id: -1 } },
      { name: 'created', keys: { createdAt: -1, _id: -1 } },
      // The inbox's 公告 by the caller's units; the timer's due and stuck work.
      { name: 'kind_status_keys_list', keys: { kind: 1, status: 1, audienceKeys: 1, listKey: -1 } },
      { name: 'status_scheduled', keys: { status: 1, scheduledAt: 1 } },
      { name: 'pending_updated', keys: { receiptsPending: 1, updatedAt: 1 } },
    ],
  },
  {
    // One document per person a notice reached, `_id` `<notice>~<member>`: the inbox, reads,
    // confirmations and every figure.
    name: 'notice_receipts',
    indexes: [
      // The inbox: a person's notices in order (hidden and unread narrow it).
      { name: 'member_hidden_list', keys: { memberId: 1, hidden: 1, listKey: -1 } },
      // Lists of a notice's people and per-unit figures.
      { name: 'notice_id', keys: { noticeId: 1, _id: 1 } },
      { name: 'notice_units', keys: { noticeId: 1, unitKeys: 1 } },
      // Chronic non-readers of a unit: its receipts with a passed deadline.
      { name: 'units_deadline', keys: { unitKeys: 1, deadline: -1 } },
    ],
  },
  {
    // Subscribe-message credits, `_id` `<account>~<template>` (no API tells how many are left).
    name: 'subscriptions',
    ownerField: 'accountId',
    // Reminders look credits up by the account bound to each member now.
    indexes: [{ name: 'account_template', keys: { accountId: 1, templateId: 1 } }],
  },
  {
    // Exported lists of people, removed with their files a day later.
    name: 'notice_exports',
    indexes: [{ name: 'created', keys: { createdAt: 1 } }],
  },
  {
    // Every subscribe message sent, with its result; never updated.
    name: 'subscribe_sends',
    indexes: [{ name: 'notice_at', keys: { noticeId: 1, at: -1 } }],
  },
  {
    // Meeting rooms; a unique name, so two admins creating the same room at once make one.
    name: 'rooms',
    indexes: [
      { name: 'name', keys: { name: 1 }, unique: true },
      { name: 'service_name', keys: { inService: 1, name: 1 } },
    ],
  },
  {
    // One document per booking (a repeating one: per week); `_id` `<key>-<week>`, the key from
    // the booker's account and the client's request id.
    name: 'room_bookings',
    ownerField: 'bookerId',
    indexes: [
      // A room's day and free-room searches: live bookings of rooms by start.
      { name: 'room_status_start', keys: { roomId: 1, status: 1, start: 1 } },
      // 我的预约 and check-in at the door.
      { name: 'participants_start', keys: { participants: 1, start: 1 } },
      // Approvals, the timer's releases and reminders.
      { name: 'status_start', keys: { status: 1, start: 1 } },
      { name: 'approvers_status_start', keys: { approverIds: 1, status: 1, start: 1 } },
      { name: 'series', keys: { seriesId: 1, status: 1 } },
      // Outcomes the bookers are yet to be told of.
      { name: 'tell', keys: { tell: 1 } },
      // What one call closed, read back to free exactly those bookings' locks.
      { name: 'closedBy', keys: { closedBy: 1 } },
    ],
  },
  {
    // Slot locks: `_id` `<room>~<YYYYMMDDHHmm>` per 15-minute grain; inserting one that exists
    // fails, which is what makes double booking impossible.
    name: 'room_slots',
    indexes: [
      { name: 'booking_start', keys: { bookingId: 1, start: 1 } },
      // The timer's look for locks a crash left.
      { name: 'created', keys: { createdAt: 1 } },
    ],
  },
  {
    // Proposals name no author: who proposed one lives in proposal_authors, read only for the
    // proposer, the daily limit and an admin's recorded reveal.
    name: 'proposals',
    indexes: [
      // 全部提案, newest or most supported, with or without a category.
      { name: 'public_submitted', keys: { public: 1, submittedAt: -1 } },
      { name: 'public_support', keys: { public: 1, supportCount: -1 } },
      { name: 'public_category_submitted', keys: { public: 1, categoryId: 1, submittedAt: -1 } },
      // The handlers' lists and dashboard: by category (and status), by unit.
      { name: 'category_status_submitted', keys: { categoryId: 1, status: 1, submittedAt: -1 } },
      { name: 'status_submitted', keys: { status: 1, submittedAt: -1 } },
      { name: 'unitKeys_submitted', keys: { unitKeys: 1, submittedAt: -1 } },
      // The timer: counts of supports changed lately, merges left half done.
      { name: 'supportsTouchedAt', keys: { supportsTouchedAt: 1 } },
      { name: 'status_mergeCarried', keys: { status: 1, mergeCarried: 1, updatedAt: 1 } },
    ],
  },
  {
    // `_id` is the proposal's: who proposed it, read by 我的提案 and the reveal, never by lists.
    name: 'proposal_authors',
    ownerField: 'accountId',
    indexes: [{ name: 'account_submitted', keys: { accountId: 1, submittedAt: -1 } }],
  },
  {
    // `_id` `<proposal>~<account>`: one support per person, counted by a query.
    name: 'proposal_supports',
    ownerField: 'accountId',
    indexes: [{ name: 'proposal', keys: { proposalId: 1 } }],
  },
  {
    // `_id` `<account>~<YYYYMMDD>`: the request ids one person submitted that business day.
    name: 'proposal_quota',
    ownerField: 'accountId',
    // Past days' quotas are removed by the timer.
    indexes: [{ name: 'day', keys: { day: 1 } }],
  },
  {
    // One per image: `_id` `<proposal>~<index>`; the trace id of its asked-for check, never handed out.
    name: 'proposal_media',
    indexes: [
      { name: 'traceId', keys: { traceId: 1 } },
      { name: 'state_at', keys: { state: 1, at: 1 } },
    ],
  },
  {
    // `_id` the trace id: a verdict pushed before its ask's trace id was written, kept for it.
    name: 'proposal_verdicts',
    indexes: [{ name: 'at', keys: { at: 1 } }],
  },
  {
    name: 'proposal_categories',
    indexes: [{ name: 'name', keys: { name: 1 }, unique: true }],
  },
  {
    // Every reveal of an anonymous proposal's author: who, when, why (never whom).
    name: 'proposal_reveals',
    indexes: [{ name: 'at', keys: { at: -1 } }],
  },
];

export type IdentityKind = 'wx-openid' | 'wx-unionid' | 'wecom-userid';

/** Deterministic id of an identity document: an insert of an existing one fails. */
export function identityId(kind: IdentityKind, key: string): string {
  return `${kind}:${key}`;
}
