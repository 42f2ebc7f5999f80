/**
 * Proposal categories through the local cloud: what an admin's save keeps (the name on one
 * line, the handlers with their names), every refusal with its code and field and nothing
 * written, two admins naming a category alike at once, a rename reaching the proposals' cards
 * (and a later save catching up one a crash left under the old name), who lists which, and an
 * inactive category that takes no new proposals but keeps its own readable and handleable.
 */
import type { CategoryInput, Page, ProposalCard, ProposalCategory, Result } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { ADMIN, code, dataOf, errorOf, type Person, type ProposalWorld, type Reader, useProposalWorld } from '../helpers/proposal-fixtures';

let w: ProposalWorld;
useProposalWorld('c', (world) => (w = world), { PROPOSAL_DAILY_LIMIT: '100' });

let handler: Reader;
let member: Reader;
let handled: ProposalCategory;

beforeAll(async () => {
  [handler, member] = await Promise.all([w.booker(), w.booker()]);
  handled = await w.category([handler]);
});

beforeEach(() => w.resetClock());

/** What a category refusal must leave as it was. */
const WRITTEN = ['proposal_categories', 'proposals'] as const;

type Listing = { items: ProposalCategory[]; handles: boolean };

function save(details: CategoryInput, who: Person | typeof ADMIN = ADMIN, target: { categoryId?: string; rev?: string } = {}): Promise<Result<ProposalCategory>> {
  return w.p<ProposalCategory>('categories.save', { ...target, details }, who);
}

/** The category saved again with its current rev, `changes` applied. */
async function resave(category: ProposalCategory, changes: Partial<CategoryInput>): Promise<Result<ProposalCategory>> {
  const current = (await w.pMust<Listing>('categories.list', { all: true }, ADMIN)).items.find((c) => c.id === category.id) as ProposalCategory;
  const details: CategoryInput = { name: current.name, description: current.description, active: current.active, handlerIds: current.handlers.map((h) => h.id), ...changes };
  return save(details, ADMIN, { categoryId: category.id, rev: current.rev });
}

function failure(result: Result<unknown>): string {
  const error = errorOf(result);
  return `${error.code}:${error.field ?? ''}`;
}

function list(who: Person | typeof ADMIN, all?: boolean): Promise<Result<Listing>> {
  return w.p<Listing>('categories.list', all === undefined ? {} : { all }, who);
}

describe('categories.save', () => {
  test('an admin creates one: the name trimmed to one line, the description, active, the handlers with their roster names', async () => {
    const other = await w.booker();
    const base = w.next('食堂');
    const made = dataOf(await save({ name: `  ${base}\n\t 建议  `, description: '  饭菜、价格和排队  ', active: true, handlerIds: [handler.memberId, other.memberId] }));
    expect(made).toEqual({
      id: expect.any(String),
      name: `${base} 建议`,
      description: '饭菜、价格和排队',
      active: true,
      handlers: [
        { id: handler.memberId, name: handler.name },
        { id: other.memberId, name: other.name },
      ],
      rev: expect.any(String),
    });
    expect(made.rev.length).toBeGreaterThan(0);
    // As every later read gives it.
    expect(dataOf(await list(ADMIN, true)).items.find((c) => c.id === made.id)).toEqual(made);
  });

  test('a save with the rev read changes it and gives a new rev', async () => {
    const made = await w.category([handler]);
    const saved = dataOf(await save({ name: made.name, description: '新的说明', active: false, handlerIds: [] }, ADMIN, { categoryId: made.id, rev: made.rev }));
    expect(saved).toEqual({ ...made, description: '新的说明', active: false, handlers: [], rev: expect.any(String) });
    expect(saved.rev).not.toBe(made.rev);
  });

  test('a member or a handler calling it: FORBIDDEN, creating or saving; nothing written', async () => {
    const before = w.stored(WRITTEN);
    for (const who of [member, handler]) {
      expect(code(await save(w.categoryInput([who]), who))).toBe('FORBIDDEN');
      expect(code(await save({ ...w.categoryInput([who]), name: handled.name }, who, { categoryId: handled.id, rev: handled.rev }))).toBe('FORBIDDEN');
    }
    expect(w.stored(WRITTEN)).toBe(before);
  });

  test('a name taken, by a new category or a rename, even with other spacing: CATEGORY_NAME_TAKEN on details.name, nothing written', async () => {
    const first = await w.category();
    const second = await w.category();
    const before = w.stored(WRITTEN);
    expect(failure(await save(w.categoryInput([], { name: first.name })))).toBe('CATEGORY_NAME_TAKEN:details.name');
    expect(failure(await save(w.categoryInput([], { name: ` ${first.name}\n` })))).toBe('CATEGORY_NAME_TAKEN:details.name');
    expect(failure(await resave(second, { name: first.name }))).toBe('CATEGORY_NAME_TAKEN:details.name');
    expect(w.stored(WRITTEN)).toBe(before);
  });

  test('two admins creating the same name at once: exactly one made, the other CATEGORY_NAME_TAKEN', async () => {
    const second = await w.person('admin2');
    await w.grant(second.userId, 'admin');
    for (let round = 0; round < 3; round += 1) {
      const name = w.next('同名');
      const results = await Promise.all([ADMIN, second].map((who) => save(w.categoryInput([], { name }), who)));
      expect(results.map((r) => (r.ok ? 'OK' : failure(r))).sort()).toEqual(['CATEGORY_NAME_TAKEN:details.name', 'OK']);
      expect(w.docs('proposal_categories').filter((doc) => doc.name === name)).toHaveLength(1);
    }
  });

  test('a save with an old rev, or none: CATEGORY_STALE, nothing written', async () => {
    const made = await w.category();
    dataOf(await save({ ...w.categoryInput(), name: made.name, description: '第一次修改' }, ADMIN, { categoryId: made.id, rev: made.rev }));
    const before = w.stored(WRITTEN);
    expect(failure(await save({ ...w.categoryInput(), name: made.name, description: '基于旧版本的修改' }, ADMIN, { categoryId: made.id, rev: made.rev }))).toBe('CATEGORY_STALE:rev');
    expect(failure(await save({ ...w.categoryInput(), name: made.name }, ADMIN, { categoryId: made.id }))).toBe('CATEGORY_STALE:rev');
    expect(w.stored(WRITTEN)).toBe(before);
  });

  test('an unknown id: CATEGORY_NOT_FOUND, nothing written', async () => {
    const before = w.stored(WRITTEN);
    expect(failure(await save(w.categoryInput(), ADMIN, { categoryId: 'pc-no-such-category', rev: handled.rev }))).toBe('CATEGORY_NOT_FOUND:categoryId');
    expect(w.stored(WRITTEN)).toBe(before);
  });

  test(`${FIELD_LIMITS.categoryHandlers} handlers are kept; one more: INVALID_INPUT on details.handlerIds, nothing written`, async () => {
    const first = await w.booker();
    const people = [first, ...w.cloneReaders(first, FIELD_LIMITS.categoryHandlers)];
    const before = w.stored(WRITTEN);
    expect(failure(await save(w.categoryInput(people)))).toBe('INVALID_INPUT:details.handlerIds');
    expect(w.stored(WRITTEN)).toBe(before);
    const most = dataOf(await save(w.categoryInput(people.slice(0, FIELD_LIMITS.categoryHandlers))));
    expect(most.handlers.map((h) => h.id)).toEqual(people.slice(0, FIELD_LIMITS.categoryHandlers).map((p) => p.memberId));
  });

  test('a handler who is not an active roster member (unknown, or deactivated): MEMBER_NOT_FOUND on details.handlerIds, nothing written', async () => {
    const gone = await w.booker();
    await w.orgMust('members.deactivate', { memberId: gone.memberId });
    const made = await w.category([handler]);
    const before = w.stored(WRITTEN);
    for (const stranger of ['m-no-such-member', gone.memberId]) {
      expect(failure(await save({ ...w.categoryInput(), handlerIds: [handler.memberId, stranger] }))).toBe('MEMBER_NOT_FOUND:details.handlerIds');
      expect(failure(await resave(made, { handlerIds: [handler.memberId, stranger] }))).toBe('MEMBER_NOT_FOUND:details.handlerIds');
    }
    expect(w.stored(WRITTEN)).toBe(before);
  });

  test('an empty name (or only spaces and line breaks): INVALID_INPUT on details.name, nothing written', async () => {
    const made = await w.category();
    const before = w.stored(WRITTEN);
    for (const name of ['', '   ', ' \n\t ']) {
      expect(failure(await save(w.categoryInput([], { name })))).toBe('INVALID_INPUT:details.name');
      expect(failure(await resave(made, { name }))).toBe('INVALID_INPUT:details.name');
    }
    expect(w.stored(WRITTEN)).toBe(before);
  });
});

describe('a rename', () => {
  async function cardsOf(who: Reader, categoryId: string): Promise<{ public: ProposalCard[]; mine: ProposalCard[] }> {
    const [open, own] = await Promise.all([
      w.pMust<Page<ProposalCard>>('proposals.public', { sort: 'newest', categoryId }, who),
      w.pMust<Page<ProposalCard>>('proposals.mine', {}, who),
    ]);
    return { public: open.items, mine: own.items.filter((card) => card.categoryId === categoryId) };
  }

  test('renames the category on its existing proposals: the cards in 全部提案 and 我的提案 and the proposal show the new name', async () => {
    const author = await w.booker();
    const category = await w.category([handler]);
    const shown = await w.submitMust(author, { categoryId: category.id });
    const hidden = await w.submitMust(author, { categoryId: category.id, anonymous: true });
    await w.makePublic(shown.id);
    const elsewhere = await w.submitMust(author, { categoryId: handled.id });
    const name = w.next('新名称');
    expect(dataOf(await resave(category, { name })).name).toBe(name);
    const cards = await cardsOf(author, category.id);
    expect(cards.public.map((card) => [card.id, card.categoryName])).toEqual([[shown.id, name]]);
    expect(cards.mine.map((card) => [card.id, card.categoryName]).sort()).toEqual(
      [
        [shown.id, name],
        [hidden.id, name],
      ].sort(),
    );
    expect(dataOf(await w.read(member, shown.id)).categoryName).toBe(name);
    expect(dataOf(await w.read(handler, hidden.id)).categoryName).toBe(name);
    // Another category's proposals keep their own name.
    expect(dataOf(await w.read(author, elsewhere.id)).categoryName).toBe(handled.name);
  });

  test('a later save catches up a proposal still under the old name (as a crash between the two writes leaves it)', async () => {
    const author = await w.booker();
    const category = await w.category([handler]);
    const view = await w.submitMust(author, { categoryId: category.id });
    await w.makePublic(view.id);
    const renamed = dataOf(await resave(category, { name: w.next('改名') }));
    expect(w.patch('proposals', { _id: view.id }, { categoryName: category.name })).toBe(1);
    expect((await cardsOf(author, category.id)).public.find((card) => card.id === view.id)?.categoryName).toBe(category.name);
    // A save that changes nothing of the name.
    dataOf(await resave(category, { description: '只改说明' }));
    const cards = await cardsOf(author, category.id);
    expect(cards.public.find((card) => card.id === view.id)?.categoryName).toBe(renamed.name);
    expect(cards.mine.find((card) => card.id === view.id)?.categoryName).toBe(renamed.name);
  });
});

describe('categories.list', () => {
  let inactive: ProposalCategory;
  beforeAll(async () => {
    inactive = await w.category([], { active: false });
  });

  test('members see the active ones only, and handles: false', async () => {
    const listing = dataOf(await list(member));
    expect(listing.handles).toBe(false);
    const ids = listing.items.map((c) => c.id);
    expect(ids).toContain(handled.id);
    expect(ids).not.toContain(inactive.id);
    expect(listing.items.every((c) => c.active)).toBe(true);
  });

  test('a handler of one category: handles: true, the active ones unless asked for all', async () => {
    const listing = dataOf(await list(handler));
    expect(listing.handles).toBe(true);
    expect(listing.items.map((c) => c.id)).not.toContain(inactive.id);
    expect(dataOf(await list(ADMIN)).handles).toBe(true);
  });

  test('{all: true}: the inactive ones too for admins and handlers (of any category), FORBIDDEN to members', async () => {
    for (const who of [ADMIN, handler]) {
      const listing = dataOf(await list(who, true));
      expect(listing.items.map((c) => c.id)).toEqual(expect.arrayContaining([handled.id, inactive.id]));
      expect(listing.items.find((c) => c.id === inactive.id)?.active).toBe(false);
    }
    expect(code(await list(member, true))).toBe('FORBIDDEN');
  });
});

describe('an inactive category', () => {
  test('refuses new submits (CATEGORY_NOT_FOUND, nothing written) but keeps its proposals readable and handleable', async () => {
    const author = await w.booker();
    const category = await w.category([handler]);
    const open = await w.submitMust(author, { categoryId: category.id });
    const own = await w.submitMust(author, { categoryId: category.id });
    await w.makePublic(open.id);
    dataOf(await resave(category, { active: false }));

    const before = w.stored();
    const refused = await w.submit(author, { categoryId: category.id });
    expect(failure(refused)).toBe('CATEGORY_NOT_FOUND:categoryId');
    expect(w.stored()).toBe(before);
    expect(dataOf(await list(author)).items.map((c) => c.id)).not.toContain(category.id);

    // Readable: by its proposer, by anyone when public, in 全部提案 and 我的提案.
    expect(dataOf(await w.read(author, own.id)).id).toBe(own.id);
    expect(dataOf(await w.read(member, open.id)).id).toBe(open.id);
    expect((await w.pMust<Page<ProposalCard>>('proposals.public', { sort: 'newest', categoryId: category.id }, member)).items.map((c) => c.id)).toEqual([open.id]);
    expect((await w.pMust<Page<ProposalCard>>('proposals.mine', {}, author)).items.map((c) => c.id)).toEqual(expect.arrayContaining([open.id, own.id]));

    // Handleable: its handler lists, moves and answers them.
    const desk = await w.everyPage('proposals.handling', { categoryId: category.id }, handler);
    expect(desk.map((c) => c.id).sort()).toEqual([open.id, own.id].sort());
    expect(dataOf(await w.moveTo(open.id, 'accepted', handler)).status).toBe('accepted');
    expect(dataOf(await w.handle('proposals.answer', own.id, { answer: '已转交后勤处办理。' }, handler)).answer?.text).toBe('已转交后勤处办理。');
    expect(dataOf(await w.read(handler, own.id)).can.handle).toBe(true);
  });
});
