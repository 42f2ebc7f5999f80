/**
 * Anonymity that holds, through the local cloud: a member's anonymous proposals go through
 * every action a handler, an admin (without reveal) or another member can call, and no answer,
 * list, count, error or subscribe message to anyone else contains anything that identifies the
 * proposer (name, member id, account id, number, openid, phone, units). The proposer still sees
 * them as theirs; an admin's reveal names the proposer and is recorded without naming them.
 */
import type { Page, ProposalCard, ProposalDashboard, ProposalView, Result, RevealedAuthor, RevealRecord } from '../../typings';
import { mediaChecks, waitFor } from '../helpers/local-cloud';
import {
  ADMIN,
  BASE,
  code,
  dataOf,
  type Desk,
  type Distinct,
  errorOf,
  leaks,
  plus,
  type ProposalWorld,
  type Reader,
  useProposalWorld,
} from '../helpers/proposal-fixtures';

let w: ProposalWorld;
useProposalWorld('a', (world) => (w = world), { PROPOSAL_DAILY_LIMIT: '100' });

let d: Desk;
/** The anonymous proposer. */
let m: Distinct;
let other: Reader;

beforeAll(async () => {
  d = await w.desk();
  [m, other] = await Promise.all([w.distinct(), w.booker([d.unit.id])]);
});

beforeEach(() => w.resetClock());

const ADMIN_NAMES = ['陈主任', '演示管理员'];

function anonymous(): Promise<ProposalView> {
  return w.submitMust(m, { categoryId: d.category.id, anonymous: true });
}

describe('a merge as a test of who proposed', () => {
  test('merging an anonymous proposal into a suspect’s own proposal, or into someone else’s, looks the same: nobody but supporters is carried, nobody left out', async () => {
    // A proposer of their own (m's proposals are scanned by the next test), and a handler who
    // suspects them: their named proposal, and an unrelated one, each without supporters.
    const suspect = await w.distinct();
    const suspects = await w.submitMust(suspect, { categoryId: d.category.id });
    const unrelated = await w.submitMust(other, { categoryId: d.category.id });
    const outcomes = [];
    for (const target of [suspects, unrelated]) {
      const p = await w.submitMust(suspect, { categoryId: d.category.id, anonymous: true });
      const { into } = dataOf(await w.handle<{ merged: ProposalView; into: ProposalView }>('proposals.merge', p.id, { intoId: target.id }, d.handler));
      outcomes.push({ supportCount: into.supportCount, entry: into.history.filter((h) => h.kind === 'merged-in').map((h) => ({ ...h, at: '', from: '' })) });
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0].supportCount).toBe(0);
  });
});

describe('every answer to anyone but the proposer', () => {
  test('names nobody: every handler, admin and member action over anonymous proposals, merges both ways, support, rating, errors, messages', async () => {
    // Credits, so status changes are sent to the proposer.
    for (let i = 0; i < 5; i += 1) await w.acceptStatus(m);
    const requestId = w.requestId();
    const image = await w.upload(requestId);
    const p = await w.submitMust(m, { categoryId: d.category.id, anonymous: true, requestId, imageFileIds: [image] });
    const q = await anonymous();
    const r = await anonymous();
    const t = await w.submitMust(other, { categoryId: d.category.id });
    const s = await w.submitMust(other, { categoryId: d.category.id });
    const seen: [string, unknown][] = [];
    const record = async (label: string, work: Promise<unknown>): Promise<unknown> => {
      const answer = await work;
      seen.push([label, answer]);
      return answer;
    };
    const handlers = [
      ['handler', d.handler],
      ['admin', ADMIN],
    ] as const;
    const lists = async (stage: string): Promise<void> => {
      for (const [who, caller] of handlers) {
        await record(`${stage} ${who} categories.list`, w.p('categories.list', {}, caller));
        await record(`${stage} ${who} categories.list all`, w.p('categories.list', { all: true }, caller));
        for (const filters of [{}, { status: 'submitted' }, { status: 'in_progress' }, { status: 'merged' }, { categoryId: d.category.id }, { unitId: m.units[0].id }, { unitId: d.unit.id }, { assignedToMe: true }]) {
          await record(`${stage} ${who} handling ${JSON.stringify(filters)}`, w.p('proposals.handling', filters, caller));
        }
        for (const filters of [{}, { categoryId: d.category.id }, { unitId: m.units[0].id }]) {
          await record(`${stage} ${who} dashboard ${JSON.stringify(filters)}`, w.p('proposals.dashboard', filters, caller));
        }
        for (const id of [p.id, q.id, r.id, t.id]) await record(`${stage} ${who} get ${id}`, w.read(caller, id));
      }
      for (const [who, caller] of [['member', other], ['other handler', d.otherHandler]] as const) {
        for (const sort of ['newest', 'support']) await record(`${stage} ${who} public ${sort}`, w.p('proposals.public', { sort }, caller));
        await record(`${stage} ${who} public by category`, w.p('proposals.public', { sort: 'newest', categoryId: d.category.id }, caller));
        for (const id of [p.id, q.id, r.id]) await record(`${stage} ${who} get ${id}`, w.read(caller, id));
        await record(`${stage} ${who} mine`, w.p('proposals.mine', {}, caller));
        await record(`${stage} ${who} categories`, w.p('categories.list', {}, caller));
      }
    };

    await lists('private');
    for (const id of [p.id, q.id, r.id, t.id, s.id]) await record(`publish ${id}`, w.makePublic(id, true, d.handler));
    await lists('public');
    await record('answer', w.handle('proposals.answer', p.id, { answer: '已收到，正在研究' }, d.handler));
    await record('assign', w.handle('proposals.assign', p.id, { handlerId: d.handler.memberId }, ADMIN));
    await record('move accepted', w.moveTo(p.id, 'accepted', d.handler));
    await record('move in_progress', w.moveTo(p.id, 'in_progress', ADMIN, { answer: '已安排施工' }));
    await record('support', w.p('proposals.support', { proposalId: p.id, support: true }, other));
    await record('support again', w.p('proposals.support', { proposalId: p.id, support: true }, other));
    await record('support by a handler', w.p('proposals.support', { proposalId: p.id, support: true }, d.handler));
    await record('withdraw', w.p('proposals.support', { proposalId: p.id, support: false }, d.handler));
    await record('merge anonymous into named', w.handle('proposals.merge', q.id, { intoId: t.id }, d.handler));
    await record('merge named into anonymous', w.handle('proposals.merge', s.id, { intoId: r.id }, d.handler));
    await record('stale move', w.p('proposals.move', { proposalId: p.id, rev: 'stale', to: 'resolved' }, d.handler));
    await record('invalid move', w.moveTo(p.id, 'accepted', d.handler));
    await record('move resolved', w.moveTo(p.id, 'resolved', d.handler, { answer: '已完成' }));
    await record('rate by another member', w.p('proposals.rate', { proposalId: p.id, stars: 1 }, other));
    await record('rate by a handler', w.p('proposals.rate', { proposalId: p.id, stars: 1 }, d.handler));
    await record('reveal by a handler', w.p('proposals.reveal', { proposalId: p.id, reason: '想知道' }, d.handler));
    await record('reveals by a handler', w.p('proposals.reveals', {}, d.handler));
    await record('move a merged one', w.moveTo(q.id, 'accepted', d.handler));
    await lists('handled');

    expect(seen.filter(([, answer]) => (answer as { ok?: boolean }).ok === undefined)).toEqual([]);
    const leaking = seen.map(([label, answer]) => [label, leaks(answer, m.identity)] as const).filter(([, found]) => found.length > 0);
    expect(leaking).toEqual([]);
    // The anonymous proposals are in those answers, and the errors are the expected ones.
    const handled = seen.find(([label]) => label === 'handled handler handling {}')?.[1] as { ok: true; data: Page<ProposalCard> };
    const cards = dataOf(handled).items.filter((c) => [p.id, q.id, r.id].includes(c.id));
    expect(cards).toHaveLength(3);
    for (const card of cards) expect([card.anonymous, card.authorName, card.mine]).toEqual([true, null, false]);
    const codeOf = (label: string): string => code(seen.find(([l]) => l === label)?.[1] as Result<unknown>);
    const handling = ['answer', 'assign', 'move accepted', 'move in_progress', 'support', 'support again', 'support by a handler', 'withdraw', 'merge anonymous into named', 'merge named into anonymous', 'move resolved'];
    expect(handling.map((label) => [label, codeOf(label)])).toEqual(handling.map((label) => [label, 'OK']));
    expect(['rate by another member', 'rate by a handler', 'reveal by a handler', 'reveals by a handler', 'stale move', 'invalid move'].map(codeOf)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'PROPOSAL_STALE',
      'PROPOSAL_INVALID_TRANSITION',
    ]);

    // The proposer was told of each status change; nobody else heard of it.
    await waitFor(() => w.delivered(m.openid).length >= 3, 'the status messages to the proposer');
    const toOthers = w.cloud.cloud.openapi.subscribeMessages.filter((message) => message.touser !== m.openid);
    expect(toOthers.map((message) => leaks(message, m.identity)).flat()).toEqual([]);
    // The image check was asked with the proposer's openid (the platform requires it) and a link that names no account.
    const checks = (await mediaChecks(w.cloud)).filter((check) => check.openid === m.openid);
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) expect(leaks(check.mediaUrl, m.identity)).toEqual([]);
  }, 180_000);

  test('the proposer: mine, anonymous, named by nobody, even in their own views and history', async () => {
    const requestId = w.requestId();
    const image = await w.upload(requestId);
    const view = await w.submitMust(m, { categoryId: d.category.id, anonymous: true, requestId, imageFileIds: [image] });
    expect(view).toMatchObject({ mine: true, anonymous: true, authorName: null, unitNames: [] });
    expect(view.history).toEqual([{ at: w.now, kind: 'submitted', by: null, from: null, to: null, note: null }]);
    for (const imageView of view.images) {
      expect(imageView.url).not.toContain(m.userId);
      expect(imageView.url).not.toContain(m.openid as string);
    }
    const listed = (await w.pMust<Page<ProposalCard>>('proposals.mine', {}, m)).items.find((c) => c.id === view.id);
    expect(listed).toMatchObject({ mine: true, anonymous: true, authorName: null });
    const again = dataOf(await w.read(m, view.id));
    expect([again.mine, again.authorName, again.unitNames]).toEqual([true, null, []]);
  });

  test('the unit filter never returns an anonymous proposal, and a dashboard by unit does not count it', async () => {
    const [handler, named] = await Promise.all([w.booker(), w.booker([d.subUnit.id])]);
    const category = await w.category([handler]);
    const ids = { named: [] as string[], anonymous: [] as string[] };
    for (let i = 0; i < 2; i += 1) ids.named.push((await w.submitMust(named, { categoryId: category.id })).id);
    for (let i = 0; i < 3; i += 1) ids.anonymous.push((await w.submitMust(named, { categoryId: category.id, anonymous: true })).id);
    await w.moveMust(ids.anonymous[0], 'accepted', handler, { answer: '好' });
    for (const unitId of [d.unit.id, d.subUnit.id]) {
      const page = await w.pMust<Page<ProposalCard>>('proposals.handling', { unitId }, handler);
      expect(page.items.map((c) => c.id).sort()).toEqual([...ids.named].sort());
      const dashboard = await w.pMust<ProposalDashboard>('proposals.dashboard', { unitId }, handler);
      expect(dashboard.total).toBe(2);
      expect(dashboard.counts).toEqual({ submitted: 2, accepted: 0, in_progress: 0, resolved: 0, rejected: 0, merged: 0 });
    }
    expect((await w.pMust<ProposalDashboard>('proposals.dashboard', {}, handler)).total).toBe(5);
  });
});

describe('reveal', () => {
  test("an admin's reveal names the proposer and is recorded who, when, why, without naming them; the history shows it to the proposer and admins only", async () => {
    const view = await anonymous();
    await w.makePublic(view.id, true, d.handler);
    const before = w.docs('proposal_reveals').length;
    w.at(plus(BASE, 10));
    const revealed = await w.pMust<RevealedAuthor>('proposals.reveal', { proposalId: view.id, reason: '涉及安全隐患，需要联系提出人' }, ADMIN);
    expect(revealed).toEqual({ memberId: m.memberId, name: m.name, number: m.number, unitNames: m.identity.unitNames });
    expect(w.docs('proposal_reveals')).toHaveLength(before + 1);
    const reveals = await w.pMust<Page<RevealRecord>>('proposals.reveals', {}, ADMIN);
    const mine = reveals.items[0];
    expect(mine).toMatchObject({ proposalId: view.id, proposalTitle: view.title, at: w.now, reason: '涉及安全隐患，需要联系提出人' });
    // The admin's name with what another admin cannot borrow by renaming themselves: their roster number or account id.
    expect(ADMIN_NAMES.some((name) => mine.by.startsWith(`${name}（`))).toBe(true);
    expect(mine.by).toMatch(/（(工号\/学号|账号) [^）]+）$/);
    expect(leaks(reveals, m.identity)).toEqual([]);
    expect(leaks(w.docs('proposal_reveals'), m.identity)).toEqual([]);
    // The history entry: for the proposer and admins.
    const entryOf = (v: ProposalView) => v.history.find((h) => h.kind === 'revealed');
    for (const who of [m, ADMIN]) {
      const entry = entryOf(dataOf(await w.read(who, view.id)));
      expect(entry).toMatchObject({ kind: 'revealed', at: w.now, note: '涉及安全隐患，需要联系提出人' });
      expect(ADMIN_NAMES.some((name) => (entry?.by ?? '').startsWith(`${name}（`))).toBe(true);
    }
    for (const who of [d.handler, other]) expect(entryOf(dataOf(await w.read(who, view.id)))).toBeUndefined();
    // The admin's view offers the reveal; the handler's does not.
    expect(dataOf(await w.read(ADMIN, view.id)).can.reveal).toBe(true);
    expect(dataOf(await w.read(d.handler, view.id)).can.reveal).toBe(false);
  });

  test('reveals are listed newest first', async () => {
    const [first, second] = [await anonymous(), await anonymous()];
    w.at(plus(BASE, 20));
    await w.pMust('proposals.reveal', { proposalId: first.id, reason: '第一次' }, ADMIN);
    w.at(plus(BASE, 30));
    await w.pMust('proposals.reveal', { proposalId: second.id, reason: '第二次' }, ADMIN);
    const items = (await w.pMust<Page<RevealRecord>>('proposals.reveals', {}, ADMIN)).items;
    expect(items.slice(0, 2).map((r) => [r.proposalId, r.reason])).toEqual([
      [second.id, '第二次'],
      [first.id, '第一次'],
    ]);
  });

  test('refused, and nothing recorded: a handler, a member, the proposer; a named proposal; a missing, blank or long reason', async () => {
    const view = await anonymous();
    const named = await w.submitMust(other, { categoryId: d.category.id });
    const before = w.stored(['proposal_reveals', 'proposals']);
    for (const who of [d.handler, other, m]) {
      expect(code(await w.p('proposals.reveal', { proposalId: view.id, reason: '想知道' }, who))).toBe('FORBIDDEN');
      expect(code(await w.p('proposals.reveals', {}, who))).toBe('FORBIDDEN');
    }
    const onNamed = errorOf(await w.p('proposals.reveal', { proposalId: named.id, reason: '想知道' }, ADMIN));
    expect([onNamed.code, onNamed.field]).toEqual(['INVALID_INPUT', 'proposalId']);
    for (const reason of [undefined, '', '   ', '因'.repeat(201)]) {
      const error = errorOf(await w.p('proposals.reveal', reason === undefined ? { proposalId: view.id } : { proposalId: view.id, reason }, ADMIN));
      expect([error.code, error.field]).toEqual(['INVALID_INPUT', 'reason']);
    }
    expect(code(await w.p('proposals.reveal', { proposalId: 'p-no-such-proposal', reason: '想知道' }, ADMIN))).toBe('PROPOSAL_NOT_FOUND');
    expect(w.stored(['proposal_reveals', 'proposals'])).toBe(before);
  });
});
