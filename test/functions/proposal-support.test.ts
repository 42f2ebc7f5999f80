/**
 * Supporting (一键附议) public proposals through the local cloud: only public, not merged, not
 * one's own; once per person; withdrawing; exact counts when 100 people support or withdraw
 * at once and when supports and withdrawals mix; the public list sorted by support.
 */
import type { ProposalCard, ProposalCategory, ProposalView, Result } from '../../typings';
import { ADMIN, BASE, code, dataOf, inBatches, plus, type ProposalWorld, type Reader, useProposalWorld } from '../helpers/proposal-fixtures';

let w: ProposalWorld;
useProposalWorld('u', (world) => (w = world), { PROPOSAL_DAILY_LIMIT: '100' });

let handler: Reader;
let category: ProposalCategory;
let author: Reader;

beforeAll(async () => {
  [handler, author] = await Promise.all([w.booker(), w.booker()]);
  category = await w.category([handler]);
});

beforeEach(() => w.resetClock());

type Support = { supportCount: number; supported: boolean };

function support(who: Reader, proposalId: string, on = true): Promise<Result<Support>> {
  return w.p<Support>('proposals.support', { proposalId, support: on }, who);
}

async function publicProposal(): Promise<ProposalView> {
  const view = await w.submitMust(author, { categoryId: category.id });
  await w.makePublic(view.id);
  return view;
}

/** `count` bound members: one made through the functions, the rest cloned from it in the engine. */
async function people(count: number): Promise<Reader[]> {
  const first = await w.booker();
  return [first, ...w.cloneReaders(first, count - 1)];
}


describe('who may support what', () => {
  test('a private proposal: PROPOSAL_NOT_FOUND to who cannot see it, PROPOSAL_NOT_PUBLIC to its handler; nothing written', async () => {
    const other = await w.booker();
    const view = await w.submitMust(author, { categoryId: category.id });
    const before = w.stored(['proposal_supports', 'proposals']);
    expect(code(await support(other, view.id))).toBe('PROPOSAL_NOT_FOUND');
    expect(code(await support(handler, view.id))).toBe('PROPOSAL_NOT_PUBLIC');
    expect(code(await support(other, 'p-no-such-proposal'))).toBe('PROPOSAL_NOT_FOUND');
    expect(w.stored(['proposal_supports', 'proposals'])).toBe(before);
    expect(dataOf(await w.read(handler, view.id)).can.support).toBe(false);
  });

  test("one's own: PROPOSAL_OWN, also when anonymous", async () => {
    const named = await publicProposal();
    const anonymous = await w.submitMust(author, { categoryId: category.id, anonymous: true });
    await w.makePublic(anonymous.id);
    for (const id of [named.id, anonymous.id]) {
      expect(code(await support(author, id))).toBe('PROPOSAL_OWN');
      expect(dataOf(await w.read(author, id)).can.support).toBe(false);
    }
    expect(w.supportersOf(named.id)).toEqual([]);
  });

  test('a merged proposal cannot be supported; its count stays', async () => {
    const other = await w.booker();
    const dup = await publicProposal();
    const target = await publicProposal();
    await w.bring(dup.id, 'merged', target.id);
    const result = await support(other, dup.id);
    expect(result.ok).toBe(false);
    expect(code(result)).not.toBe('INTERNAL');
    expect(w.supportersOf(dup.id)).toEqual([]);
    expect(dataOf(await w.read(other, dup.id)).can.support).toBe(false);
  });

  test('once per person; withdraw; withdrawing again is no error; the view and cards say whether I support it', async () => {
    const other = await w.booker();
    const view = await publicProposal();
    expect(dataOf(await w.read(other, view.id)).can.support).toBe(true);
    expect(dataOf(await support(other, view.id))).toEqual({ supportCount: 1, supported: true });
    expect(dataOf(await support(other, view.id))).toEqual({ supportCount: 1, supported: true });
    expect(w.supportersOf(view.id)).toEqual([other.userId]);
    const seen = dataOf(await w.read(other, view.id));
    expect([seen.supportCount, seen.supported]).toEqual([1, true]);
    const card = (await w.everyPage('proposals.public', { sort: 'newest', categoryId: category.id }, other)).find((c) => c.id === view.id);
    expect([card?.supportCount, card?.supported]).toEqual([1, true]);
    expect(dataOf(await support(other, view.id, false))).toEqual({ supportCount: 0, supported: false });
    expect(dataOf(await support(other, view.id, false))).toEqual({ supportCount: 0, supported: false });
    expect(w.supportersOf(view.id)).toEqual([]);
    expect(dataOf(await w.read(ADMIN, view.id)).supportCount).toBe(0);
  });

  test('a proposal made private again keeps its supporters but takes no more', async () => {
    const [a, b] = await Promise.all([w.booker(), w.booker()]);
    const view = await publicProposal();
    await support(a, view.id);
    await w.makePublic(view.id, false);
    expect(code(await support(b, view.id))).toBe('PROPOSAL_NOT_FOUND');
    expect((await w.view(view.id)).supportCount).toBe(1);
  });
});

describe('exact counts under concurrency', () => {
  test('100 different people at once count 100; 100 withdrawals at once leave 0', async () => {
    const crowd = await people(100);
    const view = await publicProposal();
    const supports = await Promise.all(crowd.map((who) => support(who, view.id)));
    expect(supports.map(code)).toEqual(crowd.map(() => 'OK'));
    expect(w.supportersOf(view.id)).toEqual(crowd.map((p) => p.userId).sort());
    expect((await w.view(view.id)).supportCount).toBe(100);
    // The support counted last saw everyone's.
    expect(Math.max(...supports.map((r) => dataOf(r).supportCount))).toBe(100);
    const withdrawals = await Promise.all(crowd.map((who) => support(who, view.id, false)));
    expect(withdrawals.map(code)).toEqual(crowd.map(() => 'OK'));
    expect(w.supportersOf(view.id)).toEqual([]);
    expect((await w.view(view.id)).supportCount).toBe(0);
  }, 180_000);

  test('each of 20 people pressing 附议 5 times at once: 20', async () => {
    const crowd = await people(20);
    const view = await publicProposal();
    await Promise.all(crowd.flatMap((who) => Array.from({ length: 5 }, () => support(who, view.id))));
    expect((await w.view(view.id)).supportCount).toBe(20);
    expect(w.supportersOf(view.id)).toHaveLength(20);
  }, 120_000);

  test('supports and withdrawals mixed at once end at the exact number of supporters', async () => {
    const crowd = await people(80);
    const view = await publicProposal();
    await inBatches(crowd.slice(0, 40), 10, (who) => support(who, view.id));
    expect((await w.view(view.id)).supportCount).toBe(40);
    // 0–19 withdraw, 20–39 press again, 40–79 support for the first time.
    const results = await Promise.all(crowd.map((who, i) => support(who, view.id, i >= 20)));
    expect(results.map(code)).toEqual(crowd.map(() => 'OK'));
    expect(w.supportersOf(view.id)).toEqual(crowd.slice(20).map((p) => p.userId).sort());
    expect((await w.view(view.id)).supportCount).toBe(60);
  }, 180_000);
});

describe('the public list sorted by support', () => {
  test('most supported first, ties newest first; newest by submission; private ones never', async () => {
    const own = await w.category([handler]);
    const crowd = await people(3);
    const made: ProposalView[] = [];
    for (let i = 0; i < 5; i += 1) {
      w.at(plus(BASE, i));
      made.push(await w.submitMust(author, { categoryId: own.id }));
    }
    // made[4] stays private.
    for (const view of made.slice(0, 4)) await w.makePublic(view.id);
    const supportsOf = [1, 3, 0, 1];
    for (const [i, count] of supportsOf.entries()) for (const who of crowd.slice(0, count)) await support(who, made[i].id);
    const reader = crowd[2];
    const bySupport = await w.everyPage('proposals.public', { sort: 'support', categoryId: own.id }, reader);
    expect(bySupport.map((c) => [c.id, c.supportCount])).toEqual([
      [made[1].id, 3],
      [made[3].id, 1],
      [made[0].id, 1],
      [made[2].id, 0],
    ]);
    const newest = await w.everyPage('proposals.public', { sort: 'newest', categoryId: own.id }, reader);
    expect(newest.map((c) => c.id)).toEqual([made[3].id, made[2].id, made[1].id, made[0].id]);
    expect(newest.map((c: ProposalCard) => c.supported)).toEqual([false, false, true, false]);
    const accepted = await w.everyPage('proposals.public', { sort: 'newest', categoryId: own.id, status: 'accepted' }, reader);
    expect(accepted).toEqual([]);
    await w.moveMust(made[2].id, 'accepted', handler);
    const afterMove = await w.everyPage('proposals.public', { sort: 'newest', categoryId: own.id, status: 'accepted' }, reader);
    expect(afterMove.map((c) => c.id)).toEqual([made[2].id]);
  }, 120_000);
});
