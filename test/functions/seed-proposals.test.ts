/**
 * The demo proposals: made through the proposal function on the first start with demo data,
 * five categories and twelve proposals in every status, spread over the past weeks with the
 * clock given back afterwards; anonymous ones name nobody; never made twice; skipped cleanly
 * without the function.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PROPOSALS_DOC_ID } from '../../local-cloud/src/seed-proposals';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { Page, ProposalCard, ProposalCategory, ProposalDashboard, ProposalView } from '../../typings';
import { type Caller, buildFixtureFunctions, callData, demoCaller, startTestCloud } from '../helpers/local-cloud';

/** Wednesday 5 June 2030, 09:10 in Shanghai. */
const CLOCK = new Date('2030-06-05T09:10:00+08:00');

const ADMIN = demoCaller('demo-admin');
const MEMBER = demoCaller('demo-member-1');

function proposal<T>(cloud: RunningLocalCloud, caller: Caller, action: string, request: Record<string, unknown>): Promise<T> {
  return callData<T>(cloud, 'proposal', caller, action, request);
}

/** Every page of a list. */
async function all(cloud: RunningLocalCloud, caller: Caller, action: string, request: Record<string, unknown>): Promise<ProposalCard[]> {
  const cards: ProposalCard[] = [];
  let after: string | undefined;
  do {
    const page: Page<ProposalCard> = await proposal(cloud, caller, action, { ...request, ...(after ? { after } : {}) });
    cards.push(...page.items);
    after = page.next ?? undefined;
  } while (after);
  return cards;
}

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xintong-demo-proposals-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the first start with demo data', () => {
  let cloud: RunningLocalCloud;

  beforeAll(async () => {
    cloud = await startTestCloud({ dataDir: freshDir(), clock: CLOCK, seed: true, demoProposals: true });
  });

  afterAll(async () => {
    await cloud.close();
  });

  test('makes five categories and twelve proposals through the proposal function, and gives the clock back', () => {
    expect(cloud.cloud.demoProposals).toEqual({ categories: 5, proposals: 12 });
    const calls = cloud.cloud.invocations.recent(500).filter((record) => record.functionName === 'proposal');
    expect(calls.filter((record) => record.outcome !== 'OK')).toEqual([]);
    expect(new Set(calls.map((record) => record.action))).toEqual(
      new Set(['categories.list', 'categories.save', 'proposals.submit', 'proposals.get', 'proposals.publish', 'proposals.support', 'proposals.move', 'proposals.answer', 'proposals.assign', 'proposals.rate', 'proposals.merge']),
    );
    expect(cloud.cloud.frozenAt).toEqual(CLOCK);
    expect(cloud.cloud.engine.countDocuments('settings', { _id: DEMO_PROPOSALS_DOC_ID })).toBe(1);
  });

  test('the categories have their handlers; a member sees the active ones', async () => {
    const { items, handles } = await proposal<{ items: ProposalCategory[]; handles: boolean }>(cloud, ADMIN, 'categories.list', { all: true });
    expect(handles).toBe(true);
    expect(items.map((c) => [c.name, c.handlers.map((h) => h.name)])).toEqual(
      expect.arrayContaining([
        ['教学教务', ['林老师']],
        ['后勤保障', ['林老师']],
        ['校园安全', ['陈主任']],
        ['信息化建设', expect.arrayContaining(['林老师', '陈主任'])],
        ['其他', []],
      ]),
    );
    const forMember = await proposal<{ items: ProposalCategory[]; handles: boolean }>(cloud, MEMBER, 'categories.list', {});
    expect([forMember.items.length, forMember.handles]).toEqual([5, false]);
  });

  test('every status is there, with answers and ratings, reasons and a merge, spread over the past weeks', async () => {
    const handling = await all(cloud, ADMIN, 'proposals.handling', {});
    expect(handling).toHaveLength(12);
    const dashboard = await proposal<ProposalDashboard>(cloud, ADMIN, 'proposals.dashboard', {});
    expect(dashboard.counts).toEqual({ submitted: 3, accepted: 2, in_progress: 2, resolved: 2, rejected: 2, merged: 1 });
    // Answers came hours to days after the submissions, not at one instant.
    expect(dashboard.firstAnswer.some((row) => (row.maxMinutes ?? 0) > 24 * 60)).toBe(true);
    expect(handling.map((card) => card.submittedAt).sort()[0]).toBe('2030-05-11 10:20');
    expect(handling.filter((card) => card.anonymous)).toHaveLength(2);

    const views = await Promise.all(handling.map((card) => proposal<ProposalView>(cloud, ADMIN, 'proposals.get', { proposalId: card.id })));
    const byStatus = (status: string) => views.filter((view) => view.status === status);
    for (const view of byStatus('resolved')) {
      expect(view.answer?.text).toBeTruthy();
      expect(view.rating?.stars).toBeGreaterThanOrEqual(4);
    }
    for (const view of byStatus('rejected')) expect(view.rejectReason).toBeTruthy();
    const [merged] = byStatus('merged');
    const into = views.find((view) => view.id === merged.mergedInto?.id) as ProposalView;
    expect(into).toMatchObject({ title: '东区宿舍到图书馆的小路夜间照明不足', status: 'in_progress', assignee: { name: '陈主任' } });
    // Its two supporters (a merge passes on supporters only, never the duplicate's proposer).
    expect(into.supportCount).toBe(2);
    expect(into.history.map((entry) => entry.kind)).toEqual(expect.arrayContaining(['submitted', 'visibility', 'status', 'assigned', 'merged-in']));
  });

  test('public proposals have supports from several people; the anonymous ones name nobody', async () => {
    const listed = await all(cloud, MEMBER, 'proposals.public', { sort: 'support' });
    expect(listed.length).toBeGreaterThanOrEqual(6);
    expect(listed.filter((card) => card.supportCount >= 2).length).toBeGreaterThanOrEqual(3);
    const anonymous = listed.filter((card) => card.anonymous);
    expect(anonymous.map((card) => card.title)).toEqual(['期末考试安排能否提前三周公布']);
    const proposer = { name: '王五', memberId: 'm_demo_3', userId: 'demo-member-3', number: '2023010201', openid: 'demo-member-3-openid', unit: '计算机科学2302班' };
    for (const card of anonymous) {
      expect(card.authorName).toBeNull();
      const text = JSON.stringify(card);
      for (const clue of Object.values(proposer)) expect(text).not.toContain(clue);
      const view = await proposal<ProposalView>(cloud, MEMBER, 'proposals.get', { proposalId: card.id });
      expect([view.authorName, view.unitNames]).toEqual([null, []]);
      for (const clue of Object.values(proposer)) expect(JSON.stringify(view)).not.toContain(clue);
    }
  });
});

test('a restart makes nothing again; the real time runs again after a seed without --clock', async () => {
  const dir = freshDir();
  let cloud = await startTestCloud({ dataDir: dir, seed: true, demoProposals: true });
  try {
    expect(cloud.cloud.demoProposals).toEqual({ categories: 5, proposals: 12 });
    expect(cloud.cloud.frozenAt).toBeNull();
    expect(Math.abs(cloud.cloud.currentTime().getTime() - Date.now())).toBeLessThan(60_000);
    const before = { categories: cloud.cloud.engine.countDocuments('proposal_categories'), proposals: cloud.cloud.engine.countDocuments('proposals') };
    expect(before.proposals).toBe(12);
    await cloud.close();
    cloud = await startTestCloud({ dataDir: dir, seed: true, demoProposals: true });
    expect(cloud.cloud.demoProposals).toBeNull();
    expect(cloud.cloud.invocations.recent(100).filter((record) => record.functionName === 'proposal')).toEqual([]);
    expect({ categories: cloud.cloud.engine.countDocuments('proposal_categories'), proposals: cloud.cloud.engine.countDocuments('proposals') }).toEqual(before);
  } finally {
    await cloud.close();
  }
});

test('without the proposal function, nothing is made and the start goes on', async () => {
  const lines: string[] = [];
  const cloud = await startTestCloud({ dataDir: freshDir(), seed: true, demoProposals: true, functionsDir: buildFixtureFunctions(), log: (line) => lines.push(line) });
  try {
    expect(cloud.cloud.demoProposals).toBeNull();
    expect(cloud.cloud.engine.countDocuments('settings', { _id: DEMO_PROPOSALS_DOC_ID })).toBe(0);
    expect(lines).toContain('[demo proposals] the proposal function is not built: no demo proposals');
  } finally {
    await cloud.close();
  }
});
