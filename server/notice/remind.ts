/**
 * Reminders by subscribe message, and the credits they spend (platform facts section 7):
 * each "accept" of a one-time template allows one message of it to that person; no API tells
 * how many are left, so Xintong counts them: a person's report of the popup adds, a send
 * spends, and 43101 (no credit) sets the count to zero. Long-term templates need no credit.
 * Sends to one person go one at a time (43108 otherwise); every send is recorded.
 */
import type { RemindResult, SubscribeChoice, SubscribeTemplate, SubscriptionState } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { findById, isDuplicateKey, type Db } from '../db/db';
import { OpenApiError } from '../ports/wechat-openapi.port';
import { scopeFilter, statsScope } from './access';
import { tree } from '../org/units';
import type { FieldSource, TemplateConfig } from './config';
import type { NoticeDeps } from './compose';
import { announcementReaches, NOTICES, RECEIPTS, SUBSCRIBE_SENDS, SUBSCRIPTIONS, type NoticeDoc, type ReceiptDoc } from './model';
import type { MemberDoc } from '../org/model';
import type { UnitTree } from '../org/tree';

export const REMIND_INTERVAL_MS = 5 * 60_000;

/**
 * When the next reminder is allowed after one sent at `at`, as a person reads it: rounded up to
 * the minute, so a page that waits until then is never a few seconds early.
 */
export function nextRemindText(at: Date): string {
  const next = at.getTime() + REMIND_INTERVAL_MS;
  return formatBusiness(new Date(Math.ceil(next / 60_000) * 60_000));
}
/** Receipts read per request while reminding, and people whose credits are looked up at once. */
const REMIND_PAGE = 500;
/** People reminded at the same time (each person's sends stay serial). */
const SEND_PARALLEL = 10;

export interface SubscriptionDoc {
  /** `<account>~<template>`. */
  _id: string;
  accountId: string;
  /** The roster member the account was bound to when it subscribed: reminders find people by member. */
  memberId: string | null;
  openid: string;
  templateId: string;
  credits: number;
  updatedAt: Date;
}

/** A subscribe message sent (notices' reminders, rooms' reminders and outcomes), never updated. */
export interface SendDoc {
  _id?: string;
  templateId: string;
  memberId: string;
  /** What it was about: a notice, a booking or a proposal. */
  noticeId?: string;
  bookingId?: string;
  proposalId?: string;
  purpose: SubscribeTemplate['purpose'];
  /** 0 for success, the platform's errCode otherwise. */
  errCode: number;
  at: Date;
}

export function subscriptionId(accountId: string, templateId: string): string {
  return `${accountId}~${templateId}`;
}

/** What keeping credits needs: the database and the templates of the calling function (notices' or rooms'). */
export interface CreditDeps {
  db: Db;
  now(): Date;
  config: { templates: readonly SubscribeTemplate[] };
}

export async function subscriptionState(deps: CreditDeps, account: UserDoc): Promise<SubscriptionState> {
  const templates = deps.config.templates;
  if (templates.length === 0) return { templates: [] };
  const _ = deps.db.command;
  const { data } = await deps.db
    .collection(SUBSCRIPTIONS)
    .where({ _id: _.in(templates.map((t) => subscriptionId(account._id, t.id))) })
    .limit(templates.length)
    .get();
  const credits = new Map((data as SubscriptionDoc[]).map((row) => [row.templateId, row.credits]));
  return { templates: templates.map(({ id, kind, purpose }) => ({ id, kind, purpose, credits: credits.get(id) ?? 0 })) };
}

/**
 * What the person chose in the popup: each accepted one-time template is one more credit.
 * The openid comes from the WeChat context, never from the request.
 */
export async function recordSubscriptions(deps: CreditDeps, account: UserDoc, openid: string, choices: Record<string, SubscribeChoice>): Promise<SubscriptionState> {
  const known = new Map(deps.config.templates.map((t) => [t.id, t]));
  if (known.size === 0) throw new AppFailure('SUBSCRIBE_NOT_CONFIGURED');
  for (const id of Object.keys(choices)) if (!known.has(id)) throw new AppFailure('INVALID_INPUT', '订阅的消息模板不存在', 'choices');
  const _ = deps.db.command;
  const now = deps.now();
  const accepted = Object.entries(choices).filter(([, choice]) => choice === 'accept');
  await Promise.all(
    accepted.map(async ([templateId]) => {
      const template = known.get(templateId) as SubscribeTemplate;
      const id = subscriptionId(account._id, templateId);
      const base = { accountId: account._id, memberId: account.member?.id ?? null, openid, templateId, updatedAt: now };
      // Long-term templates keep the count at 1: "subscribed", no spending.
      const credits = template.kind === 'long-term' ? _.set(1) : _.inc(1);
      const { stats } = await deps.db.collection(SUBSCRIPTIONS).where({ _id: id }).update({ data: { ...base, credits } });
      if (stats.updated === 0) {
        try {
          await deps.db.collection(SUBSCRIPTIONS).add({ data: { _id: id, ...base, credits: 1 } });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // Created by a concurrent report of the same person: add this acceptance to it.
          await deps.db.collection(SUBSCRIPTIONS).where({ _id: id }).update({ data: { ...base, credits } });
        }
      }
    }),
  );
  return subscriptionState(deps, account);
}

/** Character limits of keyword types (platform facts): values are cut to fit. */
const KEYWORD_LIMITS: Record<string, number> = { thing: 20, name: 10, phrase: 5, character_string: 32, number: 32, letter: 32, symbol: 5 };

export function keywordValue(keyword: string, value: string): string {
  const type = keyword.replace(/\d+$/, '');
  const limit = KEYWORD_LIMITS[type];
  const chars = Array.from(value.replace(/\s+/g, ' ').trim());
  if (!limit || chars.length <= limit) return chars.join('') || '-';
  return `${chars.slice(0, limit - 1).join('')}…`;
}

/** Keywords that take a date or a time: the platform refuses anything else in them (47003). */
export const TIME_KEYWORD = /^(time|date)\d+$/;

function fieldValue(source: FieldSource, doc: NoticeDoc, target: 'unread' | 'unconfirmed', keyword: string): string {
  switch (source) {
    case 'title':
      return doc.title;
    case 'author':
      return doc.authorName;
    case 'publishedAt':
      return formatBusiness(doc.publishedAt ?? doc.createdAt);
    case 'deadline':
      if (doc.deadline) return formatBusiness(doc.deadline);
      // Without a deadline a time keyword still needs a time: the publishing time is the honest one.
      return TIME_KEYWORD.test(keyword) ? formatBusiness(doc.publishedAt ?? doc.createdAt) : '无截止时间';
    case 'kind':
      return doc.kind === 'announcement' ? '公告' : '通知';
    case 'hint':
      return target === 'unconfirmed' ? '请打开信通确认收到' : '你有一条通知尚未阅读';
  }
}

export function messageData(template: TemplateConfig, doc: NoticeDoc, target: 'unread' | 'unconfirmed'): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [keyword, source] of Object.entries(template.fields)) data[keyword] = { value: keywordValue(keyword, fieldValue(source, doc, target, keyword)) };
  return data;
}

/**
 * The templates a reminder may use, in order: a reminder template first, then the new-notice
 * one (a person who accepted only that one can still be told of a notice they have not read).
 */
function remindTemplates(templates: readonly TemplateConfig[]): TemplateConfig[] {
  return [...templates.filter((t) => t.purpose === 'remind'), ...templates.filter((t) => t.purpose === 'notice')];
}

/** A reminder round stops starting sends after this, well inside the function's 60 s. */
const REMIND_BUDGET_MS = 35_000;
/** Credits one query reads (a `get` returns at most 1,000). */
const CREDITS_READ = 1000;
/** People whose sends are recorded (and credits counted) together. */
const RECORD_CHUNK = 100;

/**
 * Reminds the unread (or unconfirmed) people of a notice. Claiming the 5-minute window is one
 * conditional update, so two admins tapping at once send one round. A round that runs out of
 * time says how many it did not reach (`remaining`); the next round reaches them.
 */
export async function remind(deps: NoticeDeps, account: UserDoc, noticeId: string, target: 'unread' | 'unconfirmed', unitId?: string): Promise<RemindResult> {
  const started = Date.now();
  const doc = await findById<NoticeDoc>(deps.db, NOTICES, noticeId);
  if (!doc || doc.status !== 'published') throw new AppFailure('NOTICE_NOT_FOUND', undefined, 'noticeId');
  // Nobody was asked to confirm: reminding them to would spend their credits on a wrong message.
  if (target === 'unconfirmed' && !doc.requiresConfirm) throw new AppFailure('NOTICE_STATE');
  // Observers remind the people of their own units only; anyone may narrow it to one unit.
  const snapshot = await tree(deps);
  const scope = await statsScope(deps, account, doc, snapshot);
  if (!scope) throw new AppFailure('FORBIDDEN');
  const narrowed = scopeFilter(deps, scope, unitId, snapshot).filter;
  const templates = remindTemplates(deps.config.templates);
  if (templates.length === 0) throw new AppFailure('SUBSCRIBE_NOT_CONFIGURED');
  const _ = deps.db.command;
  const now = deps.now();
  const windowStart = new Date(now.getTime() - REMIND_INTERVAL_MS);
  const claim = await deps.db
    .collection(NOTICES)
    .where(_.and([{ _id: noticeId, status: 'published' }, _.or([{ remindedAt: null }, { remindedAt: _.lte(windowStart) }])]))
    .update({ data: { remindedAt: now } });
  const nextAllowedAt = nextRemindText(now);
  if (claim.stats.updated === 0) throw new AppFailure('NOTICE_REMIND_TOO_SOON');

  const round: Round = {
    templates,
    doc,
    target,
    page: `pages/notice-detail/index?id=${encodeURIComponent(doc._id)}`,
    result: { reached: 0, noCredit: 0, failed: 0, remaining: 0, nextAllowedAt },
    endsAt: started + REMIND_BUDGET_MS,
  };
  const filter: Record<string, unknown> = target === 'unread' ? { noticeId, hidden: false, readAt: null } : { noticeId, hidden: false, confirmedAt: null };
  Object.assign(filter, narrowed);
  // One query finds the page's credits (at most 1,000 rows): a page's people times the templates fit in it.
  const pageSize = Math.min(REMIND_PAGE, Math.floor(CREDITS_READ / templates.length));
  let after = '';
  for (;;) {
    const where = after ? _.and([filter, { _id: _.gt(after) }]) : filter;
    const { data: rows } = await deps.db.collection(RECEIPTS).where(where).orderBy('_id', 'asc').limit(pageSize).field({ _id: true, memberId: true }).get();
    const receipts = rows as Pick<ReceiptDoc, '_id' | 'memberId'>[];
    if (receipts.length === 0) break;
    if (Date.now() >= round.endsAt) round.result.remaining += receipts.length;
    else await remindPage(deps, round, await stillReached(deps, doc, receipts, snapshot));
    if (receipts.length < pageSize) break;
    after = receipts[receipts.length - 1]._id;
  }
  return round.result;
}

interface Round {
  templates: TemplateConfig[];
  doc: NoticeDoc;
  target: 'unread' | 'unconfirmed';
  page: string;
  result: RemindResult;
  endsAt: number;
}

/** A person to remind: the member, and the account bound to it now (null: nobody to send to). */
interface Target {
  memberId: string;
  accountId: string | null;
}

/**
 * The people of a page of receipts who can still open the notice (not deactivated since, and
 * for a 公告 still in its units), with the account bound to each now: one read of the members.
 */
async function stillReached(deps: NoticeDeps, doc: NoticeDoc, receipts: Pick<ReceiptDoc, '_id' | 'memberId'>[], snapshot: UnitTree): Promise<Target[]> {
  const _ = deps.db.command;
  const ids = receipts.map((r) => r.memberId);
  const { data } = await deps.db.collection('members').where({ _id: _.in(ids), active: true }).limit(ids.length).field({ _id: true, unitIds: true, userId: true }).get();
  return (data as Pick<MemberDoc, '_id' | 'unitIds' | 'userId'>[])
    .filter((member) => doc.kind !== 'announcement' || announcementReaches(doc.audienceKeys, snapshot.ancestorKeys(member.unitIds)))
    .map((member) => ({ memberId: member._id, accountId: member.userId ?? null }));
}

/**
 * Sends to the people of one page. Credits belong to accounts: a reminder goes only to the
 * account bound to the member now, so a person who was unbound never hears of the notice.
 */
async function remindPage(deps: NoticeDeps, round: Round, targets: Target[]): Promise<void> {
  const _ = deps.db.command;
  const { result, templates } = round;
  const accounts = targets.map((t) => t.accountId).filter((id): id is string => id !== null);
  result.noCredit += targets.length - accounts.length;
  const byAccount = new Map<string, SubscriptionDoc[]>();
  if (accounts.length > 0) {
    const { data } = await deps.db
      .collection(SUBSCRIPTIONS)
      .where({ accountId: _.in(accounts), templateId: _.in(templates.map((t) => t.id)), credits: _.gt(0) })
      .limit(Math.min(CREDITS_READ, accounts.length * templates.length))
      .get();
    for (const row of data as SubscriptionDoc[]) byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row]);
  }
  const sends: { target: Target; subscription: SubscriptionDoc; template: TemplateConfig }[] = [];
  for (const target of targets) {
    if (!target.accountId) continue;
    const held = byAccount.get(target.accountId) ?? [];
    const template = templates.find((t) => held.some((row) => row.templateId === t.id));
    const subscription = template && held.find((row) => row.templateId === template.id);
    if (!template || !subscription) result.noCredit += 1;
    else sends.push({ target, subscription, template });
  }
  for (let i = 0; i < sends.length; i += RECORD_CHUNK) {
    if (Date.now() >= round.endsAt) {
      result.remaining += sends.length - i;
      return;
    }
    await sendChunk(deps, round, sends.slice(i, i + RECORD_CHUNK));
  }
}

/** What sending needs: the database for credits and records, the open API, and the version messages open. */
export interface SendDeps {
  db: Db;
  now(): Date;
  openapi: NoticeDeps['openapi'];
  config: { miniprogramState: NoticeDeps['config']['miniprogramState'] };
}

/** One subscribe message to send with a credit the person holds. */
export interface CreditedSend {
  subscription: SubscriptionDoc;
  template: SubscribeTemplate;
  page: string;
  data: Record<string, { value: string }>;
  /** Recorded with the send beside its template, result and time: whom, about what, why. */
  record: Pick<SendDoc, 'memberId' | 'purpose' | 'noticeId' | 'bookingId' | 'proposalId'>;
}

export interface SendTally {
  sent: number;
  /** Refused for want of a credit (43101): the count is set to zero. */
  noCredit: number;
  failed: number;
}

/**
 * Sends (people in parallel, SEND_PARALLEL at a time: each is one person's one message), then
 * settles the credits and records every send: a one-time template's credit spent per message
 * delivered, 43101 zeroing the count; three writes however many sends. A platform refusal has
 * its code; anything else (the network) is one failed send, never a failed call.
 */
export async function sendWithCredits(deps: SendDeps, sends: readonly CreditedSend[], logTag: string): Promise<SendTally> {
  const _ = deps.db.command;
  const tally: SendTally = { sent: 0, noCredit: 0, failed: 0 };
  const spent: string[] = [];
  const gone: string[] = [];
  const records: SendDoc[] = [];
  for (let i = 0; i < sends.length; i += SEND_PARALLEL) {
    await Promise.all(
      sends.slice(i, i + SEND_PARALLEL).map(async ({ subscription, template, page, data, record }) => {
        let errCode = 0;
        try {
          await deps.openapi.sendSubscribeMessage({ touser: subscription.openid, templateId: template.id, page, data, miniprogramState: deps.config.miniprogramState });
        } catch (error) {
          errCode = error instanceof OpenApiError ? error.errCode : -1;
          if (!(error instanceof OpenApiError)) console.warn(`[${logTag}] subscribe send failed: ${String((error as Error)?.message ?? error)}`);
        }
        records.push({ templateId: template.id, ...record, errCode, at: deps.now() });
        if (errCode === 0) {
          tally.sent += 1;
          if (template.kind === 'one-time') spent.push(subscription._id);
        } else if (errCode === 43101) {
          tally.noCredit += 1;
          gone.push(subscription._id);
        } else {
          tally.failed += 1;
        }
      }),
    );
  }
  if (spent.length > 0) await deps.db.collection(SUBSCRIPTIONS).where({ _id: _.in(spent), credits: _.gt(0) }).update({ data: { credits: _.inc(-1), updatedAt: deps.now() } });
  if (gone.length > 0) await deps.db.collection(SUBSCRIPTIONS).where({ _id: _.in(gone) }).update({ data: { credits: 0, updatedAt: deps.now() } });
  if (records.length > 0) await deps.db.collection(SUBSCRIBE_SENDS).add({ data: records });
  return tally;
}

/** Sends a chunk of a reminder round and counts it into the round's result. */
async function sendChunk(deps: NoticeDeps, round: Round, chunk: { target: Target; subscription: SubscriptionDoc; template: TemplateConfig }[]): Promise<void> {
  const tally = await sendWithCredits(
    deps,
    chunk.map(({ target, subscription, template }) => ({
      subscription,
      template,
      page: round.page,
      data: messageData(template, round.doc, round.target),
      record: { memberId: target.memberId, noticeId: round.doc._id, purpose: 'remind' },
    })),
    'notice',
  );
  round.result.reached += tally.sent;
  round.result.noCredit += tally.noCredit;
  round.result.failed += tally.failed;
}
