/**
 * The proposal function's five-minute timer through the local cloud, called as the platform's
 * trigger calls it: it finishes a merge whose call died before passing the supporters on,
 * settles a support count a dead call left wrong while its supports changed lately (and leaves
 * older ones alone), forgets kept image verdicts a day old and past days' quotas (never today's:
 * the daily limit holds after a run). The same event sent by a client is FORBIDDEN and does nothing.
 *
 * What a crash leaves is planted in the engine: the local cloud's functions do not die midway.
 */
import type { ProposalCategory, ProposalView, Result } from '../../typings';
import { MESSAGE_PUSH_SOURCE } from '../../local-cloud/src/message-push';
import type { ProposalTimerRun } from '../../server/proposal/timer';
import { call } from '../helpers/local-cloud';
import { ADMIN, BASE, code, dataOf, instantOf, plus, type ProposalWorld, type Reader, useProposalWorld } from '../helpers/proposal-fixtures';
import { APPID } from '../helpers/notice-fixtures';

const DAILY_LIMIT = 2;

let w: ProposalWorld;
useProposalWorld('t', (world) => (w = world), { PROPOSAL_DAILY_LIMIT: String(DAILY_LIMIT) });

let handler: Reader;
let category: ProposalCategory;

beforeAll(async () => {
  handler = await w.booker();
  category = await w.category([handler]);
});

beforeEach(() => w.resetClock());

const DAY_MINUTES = 24 * 60;

async function timer(): Promise<ProposalTimerRun> {
  const { status, body } = await w.proposalTimer();
  expect(status).toBe(200);
  return dataOf(body);
}

async function publicProposal(author: Reader): Promise<ProposalView> {
  const view = await w.submitMust(author, { categoryId: category.id });
  await w.makePublic(view.id);
  return view;
}

async function support(who: Reader, proposalId: string): Promise<void> {
  await w.pMust('proposals.support', { proposalId, support: true }, who);
}

function accounts(...people: Reader[]): string[] {
  return people.map((who) => who.userId).sort();
}

/** The business days of `who`'s stored quotas. */
function quotaDays(who: Reader): string[] {
  return w
    .docs('proposal_quota')
    .filter((row) => row.accountId === who.userId)
    .map((row) => String(row.day))
    .sort();
}

describe('merges', () => {
  test('finishes a merge whose call died before passing the supporters on: the target ends with them, each once, and their count', async () => {
    const [a, b, s1, s2, s3] = await Promise.all([w.booker(), w.booker(), w.booker(), w.booker(), w.booker()]);
    const dup = await publicProposal(a);
    const target = await publicProposal(b);
    for (const who of [s1, s2]) await support(who, dup.id);
    for (const who of [s2, s3]) await support(who, target.id);
    // What the merge's transaction leaves when the call dies right after it: the duplicate marked, nobody carried.
    expect(w.patch('proposals', { _id: dup.id }, { status: 'merged', mergedInto: { id: target.id, title: target.title }, mergeCarried: false, updatedAt: instantOf(BASE) })).toBe(1);
    expect(w.supportersOf(target.id)).toEqual(accounts(s2, s3));

    w.at(plus(BASE, 3));
    expect((await timer()).merges).toBe(1);
    expect(w.supportersOf(target.id)).toEqual(accounts(s1, s2, s3));
    expect(w.proposalDoc(target.id)).toMatchObject({ supportCount: 3 });
    expect(w.proposalDoc(dup.id)).toMatchObject({ status: 'merged', mergeCarried: true });
    expect(dataOf(await w.read(s1, target.id))).toMatchObject({ supportCount: 3, supported: true });

    // Finished once: the next run has nothing left to do.
    w.at(plus(BASE, 8));
    expect((await timer()).merges).toBe(0);
    expect(w.supportersOf(target.id)).toEqual(accounts(s1, s2, s3));
  });
});

describe('support counts', () => {
  test('settles a count a dead call left wrong while its supports changed lately; an older one is left alone', async () => {
    const [author, s1, s2] = await Promise.all([w.booker(), w.booker(), w.booker()]);
    const recent = await publicProposal(author);
    const old = await publicProposal(author);
    for (const id of [recent.id, old.id]) await support(s1, id);
    // s2's supports were written, stamped before the change as a support is, and the calls died before counting.
    w.insert(
      'proposal_supports',
      [recent, old].map((p) => ({ _id: `${p.id}~${s2.userId}`, proposalId: p.id, accountId: s2.userId, at: instantOf(BASE) })),
    );
    // s1's support stamped both now; the older one is made an hour old.
    expect(w.proposalDoc(recent.id)?.supportsTouchedAt).toEqual(instantOf(BASE));
    expect(w.patch('proposals', { _id: old.id }, { supportsTouchedAt: instantOf(plus(BASE, -60)) })).toBe(1);
    expect(dataOf(await w.read(s2, recent.id)).supportCount).toBe(1);

    w.at(plus(BASE, 5));
    await timer();
    expect(w.proposalDoc(recent.id)).toMatchObject({ supportCount: 2 });
    expect(dataOf(await w.read(s2, recent.id))).toMatchObject({ supportCount: 2, supported: true });
    // Touched an hour before: not among those the timer looks at.
    expect(w.proposalDoc(old.id)).toMatchObject({ supportCount: 1 });
  });
});

describe('what is no longer needed', () => {
  /** An image verdict pushed for a trace id no ask wrote (yet): the function keeps it. */
  async function pushVerdict(traceId: string): Promise<void> {
    const event = { ToUserName: 'gh_local', FromUserName: 'o-platform', CreateTime: Math.floor(instantOf(w.now).getTime() / 1000), MsgType: 'event', Event: 'wxa_media_check', appid: APPID, trace_id: traceId, version: 2, result: { suggest: 'pass', label: '100' } };
    const { status } = await w.cloud.cloud.invoke('proposal', event, { appid: APPID, source: MESSAGE_PUSH_SOURCE });
    expect(status).toBe(200);
  }

  test('kept image verdicts are forgotten once a day old, not before', async () => {
    const dayOld = w.next('trace-old-');
    const younger = w.next('trace-young-');
    await pushVerdict(dayOld);
    w.at(plus(BASE, 60));
    await pushVerdict(younger);
    expect(w.doc('proposal_verdicts', dayOld)).toBeDefined();
    expect(w.doc('proposal_verdicts', younger)).toBeDefined();

    w.at(plus(BASE, DAY_MINUTES + 5));
    await timer();
    expect(w.doc('proposal_verdicts', dayOld)).toBeUndefined();
    expect(w.doc('proposal_verdicts', younger)).toBeDefined();
  });

  test("past days' quotas are removed, today's kept: the daily limit still holds after a run", async () => {
    const author = await w.booker();
    await w.submitMust(author, { categoryId: category.id });
    const yesterday = w.day();
    w.at(plus(BASE, DAY_MINUTES));
    const today = w.day();
    for (let i = 0; i < DAILY_LIMIT; i += 1) await w.submitMust(author, { categoryId: category.id });
    expect(code(await w.submit(author, { categoryId: category.id }))).toBe('PROPOSAL_DAILY_LIMIT');
    expect(quotaDays(author)).toEqual([yesterday, today]);

    w.at(plus(BASE, DAY_MINUTES + 5));
    await timer();
    expect(quotaDays(author)).toEqual([today]);
    const before = w.stored();
    expect(code(await w.submit(author, { categoryId: category.id }))).toBe('PROPOSAL_DAILY_LIMIT');
    expect(w.stored()).toBe(before);
  });
});

describe('who may run it', () => {
  test('the timer event sent by a client (a member, a handler, an admin, nobody): FORBIDDEN, and it does nothing', async () => {
    const author = await w.booker();
    await w.submitMust(author, { categoryId: category.id });
    const yesterday = w.day();
    w.at(plus(BASE, DAY_MINUTES));
    // Work waiting for the timer: a past day's quota.
    const before = w.stored(['proposal_quota', 'proposal_verdicts', 'proposals', 'proposal_supports']);
    const event = { Type: 'Timer', TriggerName: 'everyFiveMinutes', Time: instantOf(w.now).toISOString(), Message: '' };
    for (const who of [author, handler, ADMIN, {}]) {
      const reply = await call<Result<unknown>>(w.cloud, 'proposal', event, who);
      expect(code(reply.body)).toBe('FORBIDDEN');
    }
    expect(w.stored(['proposal_quota', 'proposal_verdicts', 'proposals', 'proposal_supports'])).toBe(before);
    expect(quotaDays(author)).toEqual([yesterday]);
    // The platform's trigger does that work.
    await timer();
    expect(quotaDays(author)).toEqual([]);
  });
});
