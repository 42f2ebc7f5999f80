/**
 * Handling a proposal: moving it along its statuses, answering, assigning, publishing,
 * merging a duplicate, and the proposer's rating. Every handler's write is conditional on the
 * `rev` the handler read and changes it, so of two handlers acting at once exactly one moves
 * the proposal and the other hears PROPOSAL_STALE. Every change is pushed to the proposal's
 * history with who, when, from and to.
 *
 * Also the reveal of an anonymous proposal's proposer (admins), recorded with its reason.
 */
import type { Page, ProposalStatus, ProposalView, RevealedAuthor, RevealRecord } from '../../typings';
import { PROPOSAL_MOVES, PROPOSAL_STATUS_NAMES } from '../../typings/proposal-rules';
import type { UserDoc } from '../accounts/model';
import type { Caller } from '../core/router';
import { AppFailure } from '../core/result';
import { formatBusiness } from '../core/time';
import { findById } from '../db/db';
import { keysetAfter, keysetCursor } from '../db/keyset';
import { checkTexts } from '../notice/compose';
import { oneLine } from '../org/model';
import { newRev } from '../org/tree';
import { loadFor, loadForHandling, viewOf } from './access';
import { actorName, AUTHORS, CATEGORIES, entry, isAdmin, PROPOSALS, REVEALS, type AuthorDoc, type CategoryDoc, type ProposalDeps, type ProposalDoc, type RevealDoc, type StoredHistory, type Viewer } from './model';
import { tellProposer } from './notify';

type Read = { proposalId: string; rev: string };

/** A handler's text shown to the proposer and maybe everyone: through the content check. */
async function checkHandlerText(deps: ProposalDeps, caller: Caller, text: string, field: string): Promise<void> {
  await checkTexts(deps, caller.openid, { text: '', field }, { text, field });
}

function transitionError(from: ProposalStatus, to: ProposalStatus | 'merge'): AppFailure {
  const target = to === 'merge' ? '合并' : `改为「${PROPOSAL_STATUS_NAMES[to]}」`;
  return new AppFailure('PROPOSAL_INVALID_TRANSITION', `提案当前为「${PROPOSAL_STATUS_NAMES[from]}」，不能${target}`, to === 'merge' ? 'intoId' : 'to');
}

/**
 * Writes `data` and pushes `entries` if the proposal is still at `rev`; PROPOSAL_STALE when a
 * concurrent handler got there first. Returns the proposal as written.
 */
async function commit(deps: ProposalDeps, doc: ProposalDoc, rev: string, data: Partial<ProposalDoc>, entries: StoredHistory[]): Promise<ProposalDoc> {
  if (rev !== doc.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  const _ = deps.db.command;
  const now = deps.now();
  const next = { ...data, rev: newRev(), updatedAt: now };
  const { stats } = await deps.db
    .collection(PROPOSALS)
    .where({ _id: doc._id, rev })
    .update({ data: { ...whole(deps, next), history: _.push(entries) } });
  if (stats.updated === 0) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  return { ...doc, ...next, history: [...doc.history, ...entries] };
}

/**
 * Object fields written whole: an update spreads a plain object into dotted paths, which cannot
 * be created under a field that is null (the answer, the assignee, the rating, mergedInto).
 */
function whole(deps: ProposalDeps, data: Record<string, unknown>): Record<string, unknown> {
  const _ = deps.db.command;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, value !== null && typeof value === 'object' && !(value instanceof Date) && !Array.isArray(value) ? _.set(value) : value]));
}

/** The first answer's time, for the dashboard, once. */
function firstAnswer(doc: ProposalDoc, now: Date): Partial<ProposalDoc> {
  if (doc.firstAnsweredAt) return {};
  return { firstAnsweredAt: now, answerMinutes: Math.max(0, Math.round((now.getTime() - doc.submittedAt.getTime()) / 60_000)) };
}

async function respond(deps: ProposalDeps, doc: ProposalDoc, viewer: Viewer): Promise<ProposalView> {
  return viewOf(deps, doc, viewer);
}

export async function moveProposal(
  deps: ProposalDeps,
  account: UserDoc,
  caller: Caller,
  request: Read & { to: ProposalStatus; reason?: string; answer?: string },
): Promise<ProposalView> {
  const { doc, viewer } = await loadForHandling(deps, account, request.proposalId);
  if (request.rev !== doc.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  if (!PROPOSAL_MOVES[doc.status].includes(request.to)) throw transitionError(doc.status, request.to);
  const reason = request.to === 'rejected' ? oneLine(request.reason ?? '') : '';
  if (request.to === 'rejected' && !reason) throw new AppFailure('INVALID_INPUT', '不予采纳时请填写原因', 'reason');
  const answer = (request.answer ?? '').trim();
  if (reason) await checkHandlerText(deps, caller, reason, 'reason');
  if (answer) await checkHandlerText(deps, caller, answer, 'answer');
  const now = deps.now();
  const by = actorName(account);
  const data: Partial<ProposalDoc> = { status: request.to };
  const entries = [entry(now, 'status', by, doc.status, request.to, reason || null)];
  if (reason) data.rejectReason = reason;
  if (answer) {
    data.answer = { text: answer, by, at: now };
    entries.push(entry(now, 'answer', by, null, null, answer));
  }
  if (reason || answer) Object.assign(data, firstAnswer(doc, now));
  const written = await commit(deps, doc, request.rev, data, entries);
  await tellProposer(deps, written);
  return respond(deps, written, viewer);
}

export async function answerProposal(deps: ProposalDeps, account: UserDoc, caller: Caller, request: Read & { answer: string }): Promise<ProposalView> {
  const { doc, viewer } = await loadForHandling(deps, account, request.proposalId);
  if (request.rev !== doc.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  if (doc.status === 'merged') throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '提案已并入其他提案，请在合并后的提案中答复', 'proposalId');
  const answer = request.answer.trim();
  if (!answer) throw new AppFailure('INVALID_INPUT', '请填写答复内容', 'answer');
  await checkHandlerText(deps, caller, answer, 'answer');
  const now = deps.now();
  const by = actorName(account);
  const written = await commit(deps, doc, request.rev, { answer: { text: answer, by, at: now }, ...firstAnswer(doc, now) }, [entry(now, 'answer', by, null, null, answer)]);
  return respond(deps, written, viewer);
}

export async function assignProposal(deps: ProposalDeps, account: UserDoc, request: Read & { handlerId: string | null }): Promise<ProposalView> {
  const { doc, viewer } = await loadForHandling(deps, account, request.proposalId);
  if (request.rev !== doc.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  if (doc.status === 'merged') throw transitionError(doc.status, 'merged');
  let assignee: { id: string; name: string } | null = null;
  if (request.handlerId !== null) {
    const category = await findById<CategoryDoc>(deps.db, CATEGORIES, doc.categoryId);
    assignee = category?.handlers.find((handler) => handler.id === request.handlerId) ?? null;
    if (!assignee) throw new AppFailure('INVALID_INPUT', '只能指派给该类别的处理人', 'handlerId');
  }
  const now = deps.now();
  const by = actorName(account);
  const written = await commit(deps, doc, request.rev, { assignee }, [entry(now, 'assigned', by, doc.assignee?.name ?? null, assignee?.name ?? null)]);
  return respond(deps, written, viewer);
}

export async function publishProposal(deps: ProposalDeps, account: UserDoc, request: Read & { public: boolean }): Promise<ProposalView> {
  const { doc, viewer } = await loadForHandling(deps, account, request.proposalId);
  if (request.rev !== doc.rev) throw new AppFailure('PROPOSAL_STALE', undefined, 'rev');
  if (doc.status === 'merged') throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '提案已并入其他提案，不能再公开或取消公开', 'public');
  if (doc.public === request.public) return respond(deps, doc, viewer);
  const now = deps.now();
  const written = await commit(deps, doc, request.rev, { public: request.public }, [entry(now, 'visibility', actorName(account), doc.public ? 'public' : 'private', request.public ? 'public' : 'private')]);
  return respond(deps, written, viewer);
}

export async function rateProposal(deps: ProposalDeps, account: UserDoc, caller: Caller, request: { proposalId: string; stars: number; comment?: string }): Promise<ProposalView> {
  const { doc, viewer } = await loadFor(deps, account, request.proposalId);
  if (!viewer.mine) throw new AppFailure('FORBIDDEN');
  if (doc.rating) throw new AppFailure('PROPOSAL_ALREADY_RATED');
  if (doc.status !== 'resolved') throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '提案办结后才能评价答复', 'stars');
  const comment = (request.comment ?? '').trim();
  if (comment) await checkHandlerText(deps, caller, comment, 'comment');
  const _ = deps.db.command;
  const now = deps.now();
  const rating = { stars: request.stars, comment, at: now };
  const item = entry(now, 'rated', null, null, String(request.stars), comment || null);
  // Not a handler's change: the rev stays, so a handler's open page is not made stale.
  const { stats } = await deps.db
    .collection(PROPOSALS)
    .where({ _id: doc._id, status: 'resolved', rating: null })
    .update({ data: { rating: _.set(rating), history: _.push([item]), updatedAt: now } });
  if (stats.updated === 0) {
    const again = await findById<ProposalDoc>(deps.db, PROPOSALS, doc._id);
    if (again?.rating) throw new AppFailure('PROPOSAL_ALREADY_RATED');
    throw new AppFailure('PROPOSAL_INVALID_TRANSITION', '提案办结后才能评价答复', 'stars');
  }
  return respond(deps, { ...doc, rating, history: [...doc.history, item], updatedAt: now }, viewer);
}

/**
 * Who revealed, as the audit shows it: the name with what an admin cannot borrow from another
 * (the roster number, else the account id), since names and nicknames can be changed to anyone's.
 */
function revealerName(account: UserDoc): string {
  return account.member ? `${account.member.name}（工号/学号 ${account.member.number}）` : `${account.nickname ?? '管理员'}（账号 ${account._id}）`;
}

function newRevealId(now: Date): string {
  return `rv${now.getTime().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}

/** Admins: who proposed an anonymous proposal. The reveal is recorded before the answer is given. */
export async function revealAuthor(deps: ProposalDeps, account: UserDoc, request: { proposalId: string; reason: string }): Promise<RevealedAuthor> {
  if (!isAdmin(account)) throw new AppFailure('FORBIDDEN');
  const { doc } = await loadFor(deps, account, request.proposalId);
  if (!doc.anonymous) throw new AppFailure('INVALID_INPUT', '该提案不是匿名提交的，提案人已显示在提案中', 'proposalId');
  const reason = oneLine(request.reason);
  if (!reason) throw new AppFailure('INVALID_INPUT', '请填写查看提案人的原因', 'reason');
  const author = await findById<AuthorDoc>(deps.db, AUTHORS, doc._id);
  if (!author) throw new Error(`proposal ${doc._id} has no author`);
  const now = deps.now();
  const by = revealerName(account);
  const record: RevealDoc & { _id: string } = { _id: newRevealId(now), proposalId: doc._id, proposalTitle: doc.title, by: { accountId: account._id, name: by }, reason, at: now };
  await deps.db.collection(REVEALS).add({ data: record });
  const _ = deps.db.command;
  await deps.db.collection(PROPOSALS).where({ _id: doc._id }).update({ data: { history: _.push([entry(now, 'revealed', by, null, null, reason)]) } });
  return { memberId: author.memberId, name: author.name, number: author.number, unitNames: author.unitNames };
}

const REVEAL_PAGE = 20;

export async function revealRecords(deps: ProposalDeps, account: UserDoc, after: string | undefined): Promise<Page<RevealRecord>> {
  if (!isAdmin(account)) throw new AppFailure('FORBIDDEN');
  const where = keysetAfter(deps.db, after, { field: 'at', kind: 'date', direction: 'desc', id: /^[A-Za-z0-9]{1,40}$/ }) ?? {};
  const { data } = await deps.db.collection(REVEALS).where(where).orderBy('at', 'desc').orderBy('_id', 'desc').limit(REVEAL_PAGE + 1).get();
  const rows = data as (RevealDoc & { _id: string })[];
  const items = rows.slice(0, REVEAL_PAGE);
  return {
    items: items.map((row) => ({ id: row._id, proposalId: row.proposalId, proposalTitle: row.proposalTitle, by: row.by.name, at: formatBusiness(row.at), reason: row.reason })),
    next: rows.length > REVEAL_PAGE ? keysetCursor(items[items.length - 1].at, items[items.length - 1]._id) : null,
  };
}

export async function getProposal(deps: ProposalDeps, account: UserDoc, proposalId: string): Promise<ProposalView> {
  const { doc, viewer } = await loadFor(deps, account, proposalId);
  return respond(deps, doc, viewer);
}
