/**
 * Submitting a proposal through the local cloud: every refused input with its code and field
 * (and nothing written), the content check, who may submit and into which category, the
 * images a submission may name, the daily limit per business day (also under concurrency) and
 * idempotent retries by request id.
 */
import type { ProposalCard, ProposalCategory, ProposalInput, ProposalView, Result } from '../../typings';
import {
  ADMIN,
  code,
  dataOf,
  errorOf,
  PNG,
  type ProposalWorld,
  type Reader,
  RISKY_WORD,
  useProposalWorld,
} from '../helpers/proposal-fixtures';

let w: ProposalWorld;
useProposalWorld('s', (world) => (w = world));

beforeEach(() => w.resetClock());

let category: ProposalCategory;

/** A member who has submitted nothing yet (the daily limit stays out of the way). */
function fresh(): Promise<Reader> {
  return w.booker();
}

function mine(who: Reader): Promise<ProposalCard[]> {
  return w.everyPage('proposals.mine', {}, who);
}

/** Submits `input` as sent (fields removed or of the wrong type included) and expects a refusal that wrote nothing. */
async function refused(who: Reader, input: Record<string, unknown>): Promise<{ code: string; field?: string; message: string }> {
  const before = w.stored();
  const result = await w.p<ProposalView>('proposals.submit', input, who);
  const error = errorOf(result);
  expect(w.stored()).toBe(before);
  return error;
}

beforeAll(async () => {
  const handler = await w.booker();
  category = await w.category([handler]);
});

describe('refused input, each with its code and field, writing nothing', () => {
  const long = (n: number, ch = '字'): string => ch.repeat(n);
  const cases: [string, (input: ProposalInput) => Record<string, unknown>, string][] = [
    ['no request id', ({ requestId: _, ...rest }) => rest, 'requestId'],
    ['a request id of 7 characters', (input) => ({ ...input, requestId: 'abcdefg' }), 'requestId'],
    ['a request id of 65 characters', (input) => ({ ...input, requestId: 'a'.repeat(65) }), 'requestId'],
    ['a request id with a slash', (input) => ({ ...input, requestId: 'abcd/efgh' }), 'requestId'],
    ['a request id with dots', (input) => ({ ...input, requestId: '..abcdefgh' }), 'requestId'],
    ['a request id with a space', (input) => ({ ...input, requestId: 'abcd efgh' }), 'requestId'],
    ['a request id in Chinese', (input) => ({ ...input, requestId: '请求编号请求编号' }), 'requestId'],
    ['a request id that is a number', (input) => ({ ...input, requestId: 123456789 }), 'requestId'],
    ['an empty title', (input) => ({ ...input, title: '' }), 'title'],
    ['a blank title', (input) => ({ ...input, title: '   ' }), 'title'],
    ['a title of 65 characters', (input) => ({ ...input, title: long(65) }), 'title'],
    ['no title', ({ title: _, ...rest }) => rest, 'title'],
    ['empty content', (input) => ({ ...input, content: '' }), 'content'],
    ['blank content', (input) => ({ ...input, content: ' \n ' }), 'content'],
    ['content of 3,001 characters', (input) => ({ ...input, content: long(3001) }), 'content'],
    ['no category', ({ categoryId: _, ...rest }) => rest, 'categoryId'],
    ['anonymous not a boolean', (input) => ({ ...input, anonymous: 'yes' }), 'anonymous'],
    ['images not a list', (input) => ({ ...input, imageFileIds: 'cloud://x' }), 'imageFileIds'],
  ];

  test.each(cases)('%s: INVALID_INPUT on its field', async (_label, shape, field) => {
    const me = await fresh();
    const error = await refused(me, shape(w.proposalInput(category.id)));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.field).toMatch(new RegExp(`^${field}(\\.\\d+)?$`));
  });

  test('10 images: INVALID_INPUT on imageFileIds, though each of them exists', async () => {
    const me = await fresh();
    const requestId = w.requestId();
    const ids = await Promise.all(Array.from({ length: 10 }, () => w.upload(requestId)));
    const error = await refused(me, { ...w.proposalInput(category.id, { requestId, imageFileIds: ids }) });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.field).toMatch(/^imageFileIds(\.\d+)?$/);
  });

  test('the limits themselves are accepted: request ids of 8 and 64, a 64-character title, 3,000 characters of content, 9 images', async () => {
    const me = await fresh();
    const eight = await w.submitMust(me, { categoryId: category.id, requestId: 'Ab3_-xyz' });
    expect(eight.status).toBe('submitted');
    const requestId = `${'A1_-'.repeat(15)}${w.requestId()}`.slice(0, 64);
    expect(requestId).toHaveLength(64);
    const images = await Promise.all(Array.from({ length: 9 }, () => w.upload(requestId)));
    const title = '标'.repeat(64);
    // Longer than one msgSecCheck call takes (2,500): the function checks it in pieces.
    const content = '内容'.repeat(1500);
    const full = await w.submitMust(me, { categoryId: category.id, requestId, title, content, imageFileIds: images });
    expect([full.title, full.content, full.images.length]).toEqual([title, content, 9]);
    for (const image of full.images) expect(['pending', 'passed']).toContain(image.check);
  });

  test('the title is kept trimmed', async () => {
    const me = await fresh();
    const view = await w.submitMust(me, { categoryId: category.id, title: '  增设饮水机  ' });
    expect(view.title).toBe('增设饮水机');
  });

  test('a new proposal: submitted, private, unassigned, history [submitted by nobody named], what the proposer may do', async () => {
    const me = await fresh();
    const input = w.proposalInput(category.id);
    const view = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, me));
    expect(view).toMatchObject({
      title: input.title,
      content: input.content,
      categoryId: category.id,
      categoryName: category.name,
      status: 'submitted',
      public: false,
      anonymous: false,
      authorName: me.name,
      supportCount: 0,
      supported: false,
      mine: true,
      assignee: null,
      answer: null,
      rejectReason: null,
      mergedInto: null,
      rating: null,
      images: [],
    });
    expect(view.submittedAt).toBe(w.now);
    expect(view.history).toEqual([{ at: w.now, kind: 'submitted', by: null, from: null, to: null, note: null }]);
    expect(view.can).toMatchObject({ support: false, rate: false, handle: false, moveTo: [], reveal: false });
    expect(view.unitNames).toEqual([(await w.home()).name]);
  });
});

describe('the content check', () => {
  test.each([
    ['the title', { title: `关于${RISKY_WORD}的建议` }],
    ['the content', { content: `建议${RISKY_WORD}。` }],
    // Past the 2,500 characters one check takes: the second piece is checked too.
    ['the end of 3,000 characters of content', { content: `${'内'.repeat(2990)}${RISKY_WORD}` }],
  ])('a risky word in %s: CONTENT_RISKY, nothing written', async (_label, overrides) => {
    const me = await fresh();
    const error = await refused(me, { ...w.proposalInput(category.id, overrides) });
    expect(error.code).toBe('CONTENT_RISKY');
    expect(await mine(me)).toEqual([]);
  });
});

describe('who may submit, and into which category', () => {
  test('a signed-in person bound to no roster member: PROPOSAL_NO_MEMBER, nothing written', async () => {
    const nobody = await w.person('nomember');
    const before = w.stored();
    const result = await w.submit(nobody, { categoryId: category.id });
    expect(code(result)).toBe('PROPOSAL_NO_MEMBER');
    expect(w.stored()).toBe(before);
  });

  test('a person whose member was deactivated: PROPOSAL_NO_MEMBER', async () => {
    const me = await fresh();
    await w.orgMust('members.deactivate', { memberId: me.memberId });
    expect(code(await w.submit(me, { categoryId: category.id }))).toBe('PROPOSAL_NO_MEMBER');
  });

  test('no identity: UNAUTHENTICATED', async () => {
    expect(code(await w.submit({}, { categoryId: category.id }))).toBe('UNAUTHENTICATED');
  });

  test('an unknown category and an inactive one: CATEGORY_NOT_FOUND, nothing written', async () => {
    const me = await fresh();
    const inactive = await w.category([], { active: false });
    for (const categoryId of ['no-such-category', inactive.id]) {
      const error = await refused(me, { ...w.proposalInput(categoryId) });
      expect(error.code).toBe('CATEGORY_NOT_FOUND');
    }
  });

  test('an admin bound to a member may submit like anyone', async () => {
    const view = await w.submitMust(ADMIN, { categoryId: category.id });
    expect(view.status).toBe('submitted');
  });
});

describe('images', () => {
  /** A file id for a path that was never uploaded, shaped as the stored ones are. */
  function idOf(sample: string, cloudPath: string): string {
    return sample.replace(/proposal-images\/.*$/, cloudPath);
  }

  test('files not directly in the submission folder, missing or named twice: PROPOSAL_IMAGE_INVALID, nothing written', async () => {
    const me = await fresh();
    const requestId = w.requestId();
    const otherRequest = w.requestId();
    const own = await w.upload(requestId);
    const elsewhere = await w.upload(otherRequest);
    const nested = await w.upload(requestId, PNG, 'sub/1.png');
    const otherFolder = await w.upload(w.next('x'), PNG).then((id) => id.replace('proposal-images/', 'notice-files/'));
    const bad: [string, string[]][] = [
      ["another submission's folder", [own, elsewhere]],
      ['a sub-folder of its own', [nested]],
      ['a .. out of its folder', [idOf(own, `proposal-images/${requestId}/../${otherRequest}/${elsewhere.split('/').pop()}`)]],
      ['a file never uploaded', [idOf(own, `proposal-images/${requestId}/never.png`)]],
      ['the same file twice', [own, own]],
      ['another folder of storage', [otherFolder]],
      ['not a file id', ['https://example.com/a.png']],
    ];
    for (const [label, imageFileIds] of bad) {
      const error = await refused(me, { ...w.proposalInput(category.id, { requestId, imageFileIds }) });
      expect([label, error.code]).toEqual([label, 'PROPOSAL_IMAGE_INVALID']);
    }
    // The same request with its own file alone goes through.
    const view = await w.submitMust(me, { categoryId: category.id, requestId, imageFileIds: [own] });
    expect(view.images).toHaveLength(1);
  });

  test("an image's link names the submission's folder, never the proposer's account", async () => {
    const me = await fresh();
    const requestId = w.requestId();
    const id = await w.upload(requestId);
    const view = await w.submitMust(me, { categoryId: category.id, requestId, imageFileIds: [id], anonymous: true });
    expect(view.images[0].url).toContain(requestId);
    expect(view.images[0].url).not.toContain(me.userId);
    expect(view.images[0].url).not.toContain(me.openid as string);
  });
});

describe('the daily limit (default 5)', () => {
  test('the sixth of a business day is PROPOSAL_DAILY_LIMIT naming 5, nothing written; a retry of an accepted one still answers; the next day opens again', async () => {
    const me = await fresh();
    const first = w.proposalInput(category.id);
    const accepted = [dataOf(await w.p<ProposalView>('proposals.submit', { ...first }, me))];
    for (let i = 0; i < 4; i += 1) accepted.push(await w.submitMust(me, { categoryId: category.id }));
    const before = w.stored();
    const sixth = errorOf(await w.submit(me, { categoryId: category.id }));
    expect(sixth.code).toBe('PROPOSAL_DAILY_LIMIT');
    expect(sixth.message).toContain('5');
    expect(w.stored()).toBe(before);
    // A retry of the first request is the same proposal, not a sixth.
    const retry = dataOf(await w.p<ProposalView>('proposals.submit', { ...first }, me));
    expect(retry.id).toBe(accepted[0].id);
    // Still the same business day at 23:59.
    w.at(`${w.day(0)} 23:59`);
    expect(code(await w.submit(me, { categoryId: category.id }))).toBe('PROPOSAL_DAILY_LIMIT');
    // Past midnight in Shanghai (16:00 UTC): a new day.
    w.at(`${w.day(1)} 00:00`);
    expect(code(await w.submit(me, { categoryId: category.id }))).toBe('OK');
    expect(await mine(me)).toHaveLength(6);
  });

  test('the day is the business day in Shanghai, not the UTC date: 00:30 and 09:00 count together', async () => {
    const me = await fresh();
    // 00:30 in Shanghai is 16:30 UTC the day before.
    w.at(`${w.day(2)} 00:30`);
    for (let i = 0; i < 3; i += 1) await w.submitMust(me, { categoryId: category.id });
    w.at(`${w.day(0)} 09:00`);
    for (let i = 0; i < 2; i += 1) await w.submitMust(me, { categoryId: category.id });
    expect(code(await w.submit(me, { categoryId: category.id }))).toBe('PROPOSAL_DAILY_LIMIT');
  });

  test('10 submits at once with 4 already made: exactly one goes through', async () => {
    const me = await fresh();
    for (let i = 0; i < 4; i += 1) await w.submitMust(me, { categoryId: category.id });
    const results = await Promise.all(Array.from({ length: 10 }, () => w.submit(me, { categoryId: category.id })));
    expect(results.map(code).sort()).toEqual(['OK', ...Array.from({ length: 9 }, () => 'PROPOSAL_DAILY_LIMIT')]);
    expect(await mine(me)).toHaveLength(5);
  }, 60_000);

  test("one person's limit is not another's", async () => {
    const [a, b] = await Promise.all([fresh(), fresh()]);
    for (let i = 0; i < 5; i += 1) await w.submitMust(a, { categoryId: category.id });
    expect(code(await w.submit(a, { categoryId: category.id }))).toBe('PROPOSAL_DAILY_LIMIT');
    expect(code(await w.submit(b, { categoryId: category.id }))).toBe('OK');
  });
});

describe('idempotent submits', () => {
  test('the same request id twice: one proposal, the same answer', async () => {
    const me = await fresh();
    const input = w.proposalInput(category.id);
    const first = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, me));
    const again = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, me));
    expect(again.id).toBe(first.id);
    expect(await mine(me)).toHaveLength(1);
  });

  test('20 at once with one request id: all answered with one proposal', async () => {
    const me = await fresh();
    const input = w.proposalInput(category.id);
    const results = await Promise.all(Array.from({ length: 20 }, () => w.p<ProposalView>('proposals.submit', { ...input }, me)));
    expect(results.map(code)).toEqual(Array.from({ length: 20 }, () => 'OK'));
    expect(new Set(results.map((r) => dataOf(r).id)).size).toBe(1);
    expect(await mine(me)).toHaveLength(1);
    expect(w.docs('proposals').filter((p) => p._id === dataOf(results[0]).id)).toHaveLength(1);
  }, 60_000);

  test('the same request id with other content (a switched anonymous option above all): INVALID_INPUT on requestId saying the first went in, the first unchanged', async () => {
    const me = await fresh();
    const input = w.proposalInput(category.id);
    const first = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, me));
    for (const change of [{ anonymous: true }, { title: '另一个标题' }, { content: '另一段内容' }]) {
      const error = await refused(me, { ...input, ...change });
      expect([error.code, error.field]).toEqual(['INVALID_INPUT', 'requestId']);
      expect(error.message).toContain('此前的提交已经成功');
    }
    // The same content again is the retry it was: the first proposal, as it is.
    const again = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, me));
    expect([again.id, again.title, again.anonymous]).toEqual([first.id, first.title, false]);
    expect(await mine(me)).toHaveLength(1);
  });

  test('different content at once with one request id: one proposal, the others refused on requestId', async () => {
    const me = await fresh();
    const requestId = w.requestId();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => w.p<ProposalView>('proposals.submit', { ...w.proposalInput(category.id, { requestId, title: `并发标题${i}` }) }, me)),
    );
    const made = results.filter((r) => r.ok);
    expect(made).toHaveLength(1);
    for (const r of results.filter((one) => !one.ok)) expect(r.ok ? '' : `${r.error.code}:${r.error.field}`).toBe('INVALID_INPUT:requestId');
    expect(await mine(me)).toHaveLength(1);
  }, 60_000);

  test("another account reusing a request id: INVALID_INPUT on requestId, nothing written, the first proposal unchanged", async () => {
    const [a, b] = await Promise.all([fresh(), fresh()]);
    const input = w.proposalInput(category.id);
    const first = dataOf(await w.p<ProposalView>('proposals.submit', { ...input }, a));
    const error = await refused(b, { ...input });
    expect([error.code, error.field]).toEqual(['INVALID_INPUT', 'requestId']);
    expect(await mine(b)).toEqual([]);
    expect((await w.view(first.id)).title).toBe(first.title);
  });
});

describe('PROPOSAL_DAILY_LIMIT from the environment', () => {
  let v: ProposalWorld;
  useProposalWorld('sl', (world) => (v = world), { PROPOSAL_DAILY_LIMIT: '2' });

  test('a limit of 2: the third is refused, naming 2', async () => {
    const handler = await v.booker();
    const own = await v.category([handler]);
    const me = await v.booker();
    const results: Result<ProposalView>[] = [];
    for (let i = 0; i < 3; i += 1) results.push(await v.submit(me, { categoryId: own.id }));
    expect(results.map(code)).toEqual(['OK', 'OK', 'PROPOSAL_DAILY_LIMIT']);
    expect(errorOf(results[2]).message).toContain('2');
  });
});
