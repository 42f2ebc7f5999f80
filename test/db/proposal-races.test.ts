/**
 * Proposals under forced interleavings: one call is paused at a chosen request while another
 * runs to its end, as CloudBase (where calls truly run side by side) can order them. Two
 * handlers never both move a proposal, a support count always settles on the number of
 * supporters, a merge cut short is finished by sending it again, and a submit that meets the
 * day's quota created under it by the same person's other submit counts against it.
 */
import type { UserDoc } from '../../server/accounts/model';
import type { Db, Transaction } from '../../server/db/db';
import { getProposal, moveProposal } from '../../server/proposal/handle';
import { mergeProposal } from '../../server/proposal/merge';
import { AUTHORS, CATEGORIES, MEDIA, PROPOSALS, QUOTA, SUPPORTS, VERDICTS, type AuthorDoc, type CategoryDoc, type MediaDoc, type ProposalDeps, type ProposalDoc } from '../../server/proposal/model';
import { askChecks, receiveVerdict, submitProposal } from '../../server/proposal/submit';
import { runProposalTimer } from '../../server/proposal/timer';
import { support } from '../../server/proposal/support';
import { memberAccount, paused, useAppDatabase } from './helpers';

const app = useAppDatabase();
const NOW = new Date('2030-06-05T01:10:00Z');

type Doc = Record<string, unknown>;

function person(id: string, memberId: string, admin = false): UserDoc {
  return memberAccount(id, memberId, { admin, at: NOW, name: `名${memberId}`, units: { ids: ['u1'], names: ['办公室'] } });
}
const proposer = person('u1', 'm1');
const handlerA = person('u2', 'm2');
const handlerB = person('u3', 'm3');
const admin = person('u4', 'm4', true);
const supporters = Array.from({ length: 4 }, (_, i) => person(`s${i}`, `ms${i}`));

function deps(db: Db = app.db): ProposalDeps {
  return {
    db,
    now: () => NOW,
    organisationName: '信通',
    storage: {
      exists: async () => true,
      temporaryUrls: async (ids) => new Map(ids.map((id) => [id, `https://files.example/${id.slice(-5)}`])),
      remove: async () => undefined,
      // Every upload is the smallest PNG.
      download: async () => Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
      upload: async (cloudPath) => `cloud://env.bucket/${cloudPath}`,
    },
    openapi: {
      checkText: async () => ({ verdict: 'pass', label: 100 }),
      checkImageAsync: async () => ({ traceId: 'trace' }),
      sendSubscribeMessage: async () => undefined,
      getPhoneNumber: async () => {
        throw new Error('not used');
      },
      getUnlimitedCode: async () => {
        throw new Error('not used');
      },
    },
    config: { dailyLimit: 5, templates: [], miniprogramState: 'formal' },
  };
}

const caller = (account: UserDoc) => ({ openid: `o-${account._id}`, appid: 'wx', unionid: null, source: 'wx_client' });

const outcome = (work: Promise<unknown>): Promise<string> =>
  work.then(
    () => 'OK',
    (error: { code?: string }) => error.code ?? String(error),
  );

async function addCategory(): Promise<void> {
  const category: CategoryDoc = {
    _id: 'pc1',
    name: '后勤',
    description: '',
    active: true,
    handlerIds: ['m2', 'm3'],
    handlers: [
      { id: 'm2', name: '名m2' },
      { id: 'm3', name: '名m3' },
    ],
    createdAt: NOW,
    updatedAt: NOW,
    rev: 'c1',
  };
  await app.db.collection(CATEGORIES).add({ data: category });
}

async function submit(requestId: string, who: UserDoc = proposer, db: Db = app.db) {
  return submitProposal(deps(db), who, caller(who), { requestId, categoryId: 'pc1', title: `提案 ${requestId}`, content: '内容', imageFileIds: [], anonymous: false });
}

function stored(id: string): ProposalDoc {
  return app.cloud.engine.find(PROPOSALS, { query: { _id: id }, limit: 1 })[0] as unknown as ProposalDoc;
}

function supportsOf(id: string): number {
  return (app.cloud.engine.dump(SUPPORTS) as Doc[]).filter((row) => row.proposalId === id).length;
}

beforeEach(async () => {
  await addCategory();
});

it('two handlers moving one proposal at once: one moves it, the other hears PROPOSAL_STALE', async () => {
  const view = await submit('req-move-0001');
  const rev = view.rev;
  const db = paused(app.db, 'before', PROPOSALS, 'update', (filter) => filter.rev === rev, () => moveProposal(deps(), handlerB, caller(handlerB), { proposalId: view.id, rev, to: 'rejected', reason: '重复' }));
  expect(await outcome(moveProposal(deps(db), handlerA, caller(handlerA), { proposalId: view.id, rev, to: 'accepted' }))).toBe('PROPOSAL_STALE');
  const doc = stored(view.id);
  expect(doc.status).toBe('rejected');
  expect(doc.history.filter((item) => item.kind === 'status')).toHaveLength(1);
});

it('a support count written late by a slower call is written again: it ends at the number of supporters', async () => {
  const view = await submit('req-count-0001');
  await app.db.collection(PROPOSALS).where({ _id: view.id }).update({ data: { public: true } });
  // The first supporter counts (1), then pauses before writing it while three more support to the end.
  const db = paused(app.db, 'before', PROPOSALS, 'update', (_filter, data) => data?.supportCount === 1, () =>
    Promise.all(supporters.slice(1).map((who) => support(deps(), who, view.id, true))),
  );
  const mine = await support(deps(db), supporters[0], view.id, true);
  expect(mine.supportCount).toBe(4);
  expect(stored(view.id).supportCount).toBe(4);
  expect(supportsOf(view.id)).toBe(4);
});

it('a withdrawal racing supports settles on the exact number too', async () => {
  const view = await submit('req-count-0002');
  await app.db.collection(PROPOSALS).where({ _id: view.id }).update({ data: { public: true } });
  for (const who of supporters.slice(0, 2)) await support(deps(), who, view.id, true);
  // A withdrawal counted 1 and pauses before writing it; meanwhile two more support (count 3).
  const db = paused(app.db, 'before', PROPOSALS, 'update', (_filter, data) => data?.supportCount === 1, () =>
    Promise.all(supporters.slice(2).map((who) => support(deps(), who, view.id, true))),
  );
  await support(deps(db), supporters[0], view.id, false);
  expect(stored(view.id).supportCount).toBe(3);
  expect(supportsOf(view.id)).toBe(3);
});

it('a merge cut short after marking the duplicate is finished by sending it again, supporters carried once', async () => {
  const dup = await submit('req-merge-0001');
  const into = await submit('req-merge-0002', person('u9', 'm9'));
  await app.db.collection(PROPOSALS).where({ _id: dup.id }).update({ data: { public: true } });
  for (const who of supporters.slice(0, 3)) await support(deps(), who, dup.id, true);
  // The function dies at its first carried support.
  let died = false;
  const dying: Db = {
    ...app.db,
    collection: (name: string) => {
      const coll = app.db.collection(name);
      if (name !== SUPPORTS || died) return coll;
      return new Proxy(coll, {
        get(target, prop) {
          if (prop === 'add') {
            return async () => {
              died = true;
              throw new Error('instance stopped');
            };
          }
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  } as Db;
  expect(await outcome(mergeProposal(deps(dying), admin, { proposalId: dup.id, rev: dup.rev, intoId: into.id }))).toBe('Error: instance stopped');
  expect(stored(dup.id).status).toBe('merged');
  // Sent again with the rev the page read: finished, not refused.
  const { into: target } = await mergeProposal(deps(), admin, { proposalId: dup.id, rev: dup.rev, intoId: into.id });
  // The three supporters (never the duplicate's proposer).
  expect(target.supportCount).toBe(3);
  expect(supportsOf(into.id)).toBe(3);
  const again = await mergeProposal(deps(), admin, { proposalId: dup.id, rev: dup.rev, intoId: into.id });
  expect(again.into.supportCount).toBe(3);
  expect(stored(into.id).history.filter((item) => item.kind === 'merged-in')).toHaveLength(1);
});

it("a submit meeting the day's quota created under it by the same person's other submit counts against it", async () => {
  // The quota appears between the transaction's read and its insert, as a concurrent commit would leave it.
  let planted = false;
  const racing: Db = {
    ...app.db,
    runTransaction: <T>(body: (t: Transaction) => Promise<T>) =>
      app.db.runTransaction((t) =>
        body({
          collection: (name: string) => {
            const coll = t.collection(name);
            if (name !== QUOTA || planted) return coll;
            return {
              doc: (id: string) => coll.doc(id),
              add: async (options: { data: object }) => {
                planted = true;
                const data = options.data as { _id: string; accountId: string; day: string };
                app.cloud.engine.insertDocuments(QUOTA, [{ _id: data._id, accountId: data.accountId, day: data.day, requests: ['req-other-0001'] }]);
                return coll.add(options);
              },
            };
          },
        }),
      ),
  } as Db;
  const view = await submit('req-quota-0001', proposer, racing);
  expect(view.id).toBe('p-req-quota-0001');
  const quota = app.cloud.engine.dump(QUOTA)[0] as { requests: string[] };
  expect(quota.requests.sort()).toEqual(['req-other-0001', 'req-quota-0001']);
  expect((app.cloud.engine.dump(AUTHORS) as unknown as AuthorDoc[]).map((row) => row._id)).toEqual(['p-req-quota-0001']);
});

describe('an image verdict pushed around the moment its ask writes the trace id', () => {
  const image = 'cloud://env.bucket/proposal-images/req-image-0001/a.png';

  async function submitWithImage(d: ProposalDeps): Promise<string> {
    const view = await submitProposal(d, proposer, caller(proposer), { requestId: 'req-image-0001', categoryId: 'pc1', title: '配图的提案', content: '内容', imageFileIds: [image], anonymous: true });
    return view.id;
  }

  const push = (traceId: string, suggest = 'pass') => ({ MsgType: 'event', Event: 'wxa_media_check', trace_id: traceId, FromUserName: caller(proposer).openid, result: { suggest, label: '100' } });

  it('before the trace id is written: kept, and applied by the ask once it wrote it', async () => {
    const base = deps();
    const d: ProposalDeps = {
      ...base,
      openapi: {
        ...base.openapi,
        checkImageAsync: async () => {
          // WeChat answers the ask and pushes the verdict before the function has written the trace id.
          await receiveVerdict(deps(), push('trace-early'));
          expect(app.cloud.engine.dump(VERDICTS).map((row) => row._id)).toEqual(['trace-early']);
          return { traceId: 'trace-early' };
        },
      },
    };
    const id = await submitWithImage(d);
    expect(stored(id).images.map((item) => item.check)).toEqual(['passed']);
  });

  it('while the ask writes it: the push keeps the verdict, looks again and applies it', async () => {
    const base = deps();
    const d: ProposalDeps = { ...base, openapi: { ...base.openapi, checkImageAsync: async () => ({ traceId: 'trace-late' }) } };
    // The ask is made but its trace id not yet written when the push arrives.
    const media = app.cloud.engine.dump(MEDIA) as unknown as MediaDoc[];
    expect(media).toHaveLength(0);
    const view = await submitProposal(
      { ...d, openapi: { ...base.openapi, checkImageAsync: async () => { throw new Error('platform busy'); } } },
      proposer,
      caller(proposer),
      { requestId: 'req-image-0001', categoryId: 'pc1', title: '配图的提案', content: '内容', imageFileIds: [image], anonymous: true },
    );
    const unrequested = app.cloud.engine.dump(MEDIA) as unknown as MediaDoc[];
    expect(unrequested.map((row) => row.state)).toEqual(['unrequested']);
    // The push misses the trace id; before it keeps the verdict, the retried ask writes the id and finds nothing kept.
    const db = paused(app.db, 'after', MEDIA, 'get', (filter) => filter.traceId === 'trace-late', () => askChecks(d, unrequested));
    await receiveVerdict(deps(db), push('trace-late', 'risky'));
    expect(stored(view.id).images.map((item) => item.check)).toEqual(['refused']);
  });

  it("counts by its trace id alone, whatever FromUserName names (the platform's push account, per the documentation)", async () => {
    const base = deps();
    const d: ProposalDeps = { ...base, openapi: { ...base.openapi, checkImageAsync: async () => ({ traceId: 'trace-other' }) } };
    const id = await submitWithImage(d);
    await receiveVerdict(deps(), { ...push('trace-other'), FromUserName: 'gh_platform_push' });
    expect(stored(id).images.map((item) => item.check)).toEqual(['passed']);
    // A second verdict for the same image changes nothing.
    await receiveVerdict(deps(), push('trace-other', 'risky'));
    expect(stored(id).images.map((item) => item.check)).toEqual(['passed']);
  });
});

describe('merges racing each other, supports and a crash', () => {
  async function publicProposal(requestId: string, who: UserDoc = proposer): Promise<ProposalDoc> {
    const view = await submit(requestId, who);
    await app.db.collection(PROPOSALS).where({ _id: view.id }).update({ data: { public: true } });
    return stored(view.id);
  }

  it('A into B while B goes into A: one merge, the other refused; never both closed into each other', async () => {
    const a = await publicProposal('req-cycle-000a');
    const b = await publicProposal('req-cycle-000b', person('u8', 'm8'));
    const outcomes = await Promise.all([
      outcome(mergeProposal(deps(), admin, { proposalId: a._id, rev: a.rev, intoId: b._id })),
      outcome(mergeProposal(deps(), admin, { proposalId: b._id, rev: b.rev, intoId: a._id })),
    ]);
    expect(outcomes.filter((one) => one === 'OK')).toHaveLength(1);
    expect(outcomes.filter((one) => one !== 'OK')).toEqual([expect.stringMatching(/PROPOSAL_INVALID_TRANSITION|PROPOSAL_STALE/)]);
    expect([stored(a._id).status, stored(b._id).status].filter((status) => status === 'merged')).toHaveLength(1);
  });

  it('A into B while B goes on into C before A’s supporters arrive: they follow the chain to C', async () => {
    const a = await publicProposal('req-chain-000a');
    const b = await publicProposal('req-chain-000b', person('u8', 'm8'));
    const c = await publicProposal('req-chain-000c', person('u9', 'm9'));
    for (const who of supporters.slice(0, 3)) await support(deps(), who, a._id, true);
    await support(deps(), supporters[3], b._id, true);
    // A is marked into B; before its supporters are read, B goes into C, to the end.
    const db = paused(app.db, 'before', SUPPORTS, 'get', (filter) => filter.proposalId === a._id && !('accountId' in filter), () =>
      mergeProposal(deps(), admin, { proposalId: b._id, rev: b.rev, intoId: c._id }),
    );
    await mergeProposal(deps(db), admin, { proposalId: a._id, rev: a.rev, intoId: b._id });
    const onC = (app.cloud.engine.dump(SUPPORTS) as Doc[]).filter((row) => row.proposalId === c._id).map((row) => row.accountId);
    expect([...onC].sort()).toEqual(supporters.map((who) => who._id).sort());
    expect(stored(c._id).supportCount).toBe(4);
  });

  it('a withdrawal on a duplicate while its supporters are carried: the carried support goes too, whichever comes second', async () => {
    const a = await publicProposal('req-withdr-00a');
    const b = await publicProposal('req-withdr-00b', person('u8', 'm8'));
    for (const who of supporters.slice(0, 2)) await support(deps(), who, a._id, true);
    // The merge has read A's supporters; the withdrawal runs to its end before they are carried.
    const db = paused(app.db, 'after', SUPPORTS, 'get', (filter) => filter.proposalId === a._id && !('accountId' in filter), () => support(deps(), supporters[0], a._id, false));
    await mergeProposal(deps(db), admin, { proposalId: a._id, rev: a.rev, intoId: b._id });
    const onB = () => (app.cloud.engine.dump(SUPPORTS) as Doc[]).filter((row) => row.proposalId === b._id).map((row) => row.accountId);
    expect(onB()).toEqual([supporters[1]._id]);
    expect(stored(b._id).supportCount).toBe(1);
    // After the merge, a withdrawal on the duplicate takes back the support it carried.
    await support(deps(), supporters[1], a._id, false);
    expect(onB()).toEqual([]);
    expect(stored(b._id).supportCount).toBe(0);
  });

  it('a withdrawal that removed its support before the merge read the supporters, and looks after: nothing carried, nothing left', async () => {
    const a = await publicProposal('req-withdr-01a');
    const b = await publicProposal('req-withdr-01b', person('u8', 'm8'));
    await support(deps(), supporters[0], a._id, true);
    // The withdrawal has read A (its first look) and removed the support; the whole merge runs before it looks at A again.
    let looks = 0;
    const db = paused(app.db, 'before', PROPOSALS, 'get', (filter) => filter._id === a._id && ++looks === 2, () =>
      mergeProposal(deps(), admin, { proposalId: a._id, rev: stored(a._id).rev, intoId: b._id }),
    );
    await support(deps(db), supporters[0], a._id, false);
    expect((app.cloud.engine.dump(SUPPORTS) as Doc[]).filter((row) => row.proposalId === b._id)).toEqual([]);
    expect(stored(b._id).supportCount).toBe(0);
  });

  it('a support of the target of its own is not taken back by a withdrawal on the duplicate', async () => {
    const a = await publicProposal('req-withdr-02a');
    const b = await publicProposal('req-withdr-02b', person('u8', 'm8'));
    await support(deps(), supporters[0], a._id, true);
    await support(deps(), supporters[0], b._id, true);
    await mergeProposal(deps(), admin, { proposalId: a._id, rev: a.rev, intoId: b._id });
    await support(deps(), supporters[0], a._id, false);
    expect(supportsOf(b._id)).toBe(1);
  });

  it('a duplicate of another category merged in: its title is for admins and handlers of both, not for a handler of the target only', async () => {
    const other: CategoryDoc = { _id: 'pc2', name: '教学', description: '', active: true, handlerIds: ['m6'], handlers: [{ id: 'm6', name: '名m6' }], createdAt: NOW, updatedAt: NOW, rev: 'c2' };
    await app.db.collection(CATEGORIES).add({ data: other });
    const dup = await submitProposal(deps(), proposer, caller(proposer), { requestId: 'req-crosscat-01', categoryId: 'pc2', title: '私密的标题', content: '内容', imageFileIds: [], anonymous: true });
    const into = await submit('req-crosscat-02', person('u8', 'm8'));
    await mergeProposal(deps(), admin, { proposalId: dup.id, rev: dup.rev, intoId: into.id });
    const mergedIn = async (who: UserDoc) => (await getProposal(deps(), who, into.id)).history.find((item) => item.kind === 'merged-in');
    expect((await mergedIn(admin))?.from).toBe('私密的标题');
    expect((await mergedIn(handlerA))?.from).toBeNull();
  });

  it('the timer settles every stamped count in turn, more than one batch of them', async () => {
    const model = stored((await submit('req-many-00000')).id);
    // 130 counts a dead call left wrong (5 shown, no supports), all stamped within the window.
    const wrong = Array.from({ length: 130 }, (_, i) => ({ ...model, _id: `p-many-${String(i).padStart(3, '0')}`, supportCount: 5, supportsTouchedAt: new Date(NOW.getTime() + i * 1000) }));
    app.cloud.engine.insertDocuments(PROPOSALS, wrong as unknown as Doc[]);
    const later = { ...deps(), now: () => new Date(NOW.getTime() + 5 * 60_000) };
    await runProposalTimer(later);
    await runProposalTimer(later);
    expect(wrong.filter((doc) => stored(doc._id).supportCount !== 0)).toEqual([]);
    // Settled ones are off the list: a third run has none left.
    expect((await runProposalTimer(later)).settled).toBe(0);
  });

  it('a support landing on a duplicate while it is being merged follows it to the target', async () => {
    const a = await publicProposal('req-during-00a');
    const b = await publicProposal('req-during-00b', person('u8', 'm8'));
    await support(deps(), supporters[0], a._id, true);
    // The latecomer has read A (open, public) and pauses before adding its support; the whole merge runs meanwhile.
    const db = paused(app.db, 'before', SUPPORTS, 'get', (filter) => filter.accountId === supporters[1]._id, () => mergeProposal(deps(), admin, { proposalId: a._id, rev: a.rev, intoId: b._id }));
    await support(deps(db), supporters[1], a._id, true);
    const onB = (app.cloud.engine.dump(SUPPORTS) as Doc[]).filter((row) => row.proposalId === b._id).map((row) => row.accountId);
    expect([...onB].sort()).toEqual([supporters[0]._id, supporters[1]._id].sort());
    expect(stored(b._id).supportCount).toBe(2);
  });

  it('a merge whose call died before passing the supporters on is finished by the timer', async () => {
    const a = await publicProposal('req-timer-000a');
    const b = await publicProposal('req-timer-000b', person('u8', 'm8'));
    for (const who of supporters.slice(0, 2)) await support(deps(), who, a._id, true);
    const dying: Db = {
      ...app.db,
      collection: (name: string) => {
        // Dies at the first look at supports once the duplicate is marked.
        if (name === SUPPORTS && stored(a._id).status === 'merged') throw new Error('instance stopped');
        return app.db.collection(name);
      },
    } as Db;
    expect(await outcome(mergeProposal(deps(dying), admin, { proposalId: a._id, rev: a.rev, intoId: b._id }))).toBe('Error: instance stopped');
    expect(stored(a._id)).toMatchObject({ status: 'merged', mergeCarried: false });
    const later = { ...deps(), now: () => new Date(NOW.getTime() + 3 * 60_000) };
    expect((await runProposalTimer(later)).merges).toBe(1);
    expect(stored(a._id).mergeCarried).toBe(true);
    expect(stored(b._id).supportCount).toBe(2);
    expect(stored(b._id).history.filter((item) => item.kind === 'merged-in')).toHaveLength(1);
  });

  it('a support count a dead call left wrong is settled by the timer', async () => {
    const a = await publicProposal('req-settle-00a');
    for (const who of supporters.slice(0, 2)) await support(deps(), who, a._id, true);
    // A third support whose call died before counting.
    await app.db.collection(PROPOSALS).where({ _id: a._id }).update({ data: { supportsTouchedAt: NOW } });
    app.cloud.engine.insertDocuments(SUPPORTS, [{ _id: `${a._id}~s2`, proposalId: a._id, accountId: 's2', at: NOW }]);
    expect(stored(a._id).supportCount).toBe(2);
    await runProposalTimer({ ...deps(), now: () => new Date(NOW.getTime() + 5 * 60_000) });
    expect(stored(a._id).supportCount).toBe(3);
  });

  it("another account's submit of the same request id committed under ours: INVALID_INPUT, never their proposal", async () => {
    const attacker = person('u7', 'm7');
    // Our first look finds no author; before our transaction, the other account's submit commits.
    const db = paused(app.db, 'after', AUTHORS, 'get', (filter) => filter._id === 'p-req-shared-001', () => submit('req-shared-001', proposer));
    expect(await outcome(submit('req-shared-001', attacker, db))).toBe('INVALID_INPUT');
    expect((app.cloud.engine.dump(AUTHORS) as unknown as AuthorDoc[]).find((row) => row._id === 'p-req-shared-001')?.accountId).toBe(proposer._id);
  });
});

describe('two submits of one request id with images', () => {
  const png = (tail: string) => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from(tail)]);

  /** Cloud storage as a map: what is written, read and removed is what the test sees. */
  function memoryStorage(): { files: Map<string, Uint8Array>; storage: ProposalDeps['storage'] } {
    const files = new Map<string, Uint8Array>();
    return {
      files,
      storage: {
        exists: async (id) => files.has(id),
        temporaryUrls: async (ids) => new Map(ids.filter((id) => files.has(id)).map((id) => [id, `https://files.example/${id}`])),
        remove: async (ids) => {
          for (const id of ids) files.delete(id);
        },
        download: async (id) => files.get(id) ?? null,
        upload: async (cloudPath, content) => {
          const id = `cloud://env.bucket/${cloudPath}`;
          files.set(id, content);
          return id;
        },
      },
    };
  }

  const input = (requestId: string, imageFileIds: string[]) => ({ requestId, categoryId: 'pc1', title: '配图', content: '内容', imageFileIds, anonymous: false });

  it('a second submit with another image that loses to the first: refused, and the kept copy is still the first image', async () => {
    const { files, storage } = memoryStorage();
    const folder = 'cloud://env.bucket/proposal-images/req-img-race-01';
    files.set(`${folder}/a.png`, png('first'));
    files.set(`${folder}/b.png`, png('second'));
    const first = () => submitProposal({ ...deps(), storage }, proposer, caller(proposer), input('req-img-race-01', [`${folder}/a.png`]));
    // The second looks for the request (nothing yet), then the first runs to its end.
    const db = paused(app.db, 'after', AUTHORS, 'get', (filter) => filter._id === 'p-req-img-race-01', first);
    expect(await outcome(submitProposal({ ...deps(db), storage }, proposer, caller(proposer), input('req-img-race-01', [`${folder}/b.png`])))).toBe('INVALID_INPUT');
    const kept = stored('p-req-img-race-01').images[0].fileId;
    expect(Buffer.from(files.get(kept) as Uint8Array).toString()).toContain('first');
    // The loser's copies are gone (its upload stays with the person's form); the first's upload went once it committed.
    expect([...files.keys()].sort()).toEqual([`${folder}/b.png`, kept].sort());
  });

  it('a retry whose first look came before the first submit committed answers the proposal, though the uploads are gone', async () => {
    const { files, storage } = memoryStorage();
    const folder = 'cloud://env.bucket/proposal-images/req-img-race-02';
    files.set(`${folder}/a.png`, png('only'));
    const send = (db: Db) => submitProposal({ ...deps(db), storage }, proposer, caller(proposer), input('req-img-race-02', [`${folder}/a.png`]));
    const db = paused(app.db, 'after', AUTHORS, 'get', (filter) => filter._id === 'p-req-img-race-02', () => send(app.db));
    const retried = await send(db);
    expect(retried.id).toBe('p-req-img-race-02');
    expect([...files.keys()]).toEqual([stored('p-req-img-race-02').images[0].fileId]);
  });
});
