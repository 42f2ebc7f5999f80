/**
 * Building blocks of the `proposal` function tests: an admin, categories with their handlers,
 * members in units who submit, images uploaded into a submission's folder, handling moves made
 * with the rev they read, the local cloud's clock in business time, and a scanner that finds a
 * person's identity anywhere in an answer.
 *
 * Every world starts with its clock stopped at BASE (a Wednesday morning in Shanghai); tests
 * move it with `at` and start from `resetClock()`.
 */
import type { RunningLocalCloud, StartOptions } from '../../local-cloud/src/server';
import type { Doc } from '../../local-cloud/src/db/engine';
import type { CategoryInput, LoginResponse, MemberDetail, Page, ProposalCard, ProposalCategory, ProposalInput, ProposalStatus, ProposalView, Result, SubscriptionState, UnitView } from '../../typings';
import { PROPOSAL_IMAGE_FOLDER } from '../../typings/proposal-rules';
import type { ProposalTimerRun } from '../../server/proposal/timer';
import { type Caller, type CallResult, call, startTestCloud } from './local-cloud';
import { ADMIN, APPID, type Person, type Reader } from './notice-fixtures';
import { BASE, dataOf, instantOf, RoomWorld } from './room-fixtures';

export { ADMIN, code, inBatches, type Person, type Reader } from './notice-fixtures';
export { BASE, dataOf, errorOf, instantOf, plus, wallOf } from './room-fixtures';

export const STATUS_TEMPLATE = 'tmpl-proposal-status';
/** PROPOSAL_SUBSCRIBE_TEMPLATES as a deployment configures it. */
export const PROPOSAL_TEMPLATES = [{ id: STATUS_TEMPLATE, kind: 'one-time', purpose: 'proposal-status', fields: { thing1: 'title', phrase2: 'status', time3: 'time', thing4: 'hint' } }];

/** The local stand-in judges text (and images) containing this word risky. */
export const RISKY_WORD = '违禁测试词';

/** The smallest valid PNG (1×1, transparent). */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63fcff1f000301010099a0c0740000000049454e44ae426082', 'hex');

/** A PNG whose bytes carry the risky word: the image check stand-in judges it risky. */
export const RISKY_PNG = Buffer.concat([PNG, Buffer.from(RISKY_WORD)]);

/** Collections a refused submit must leave as they were. */
export const SUBMIT_COLLECTIONS = ['proposals', 'proposal_authors', 'proposal_quota', 'proposal_media', 'proposal_supports'] as const;

/** Who a person is, as anything that could name them: what an anonymous proposal must never show. */
export interface Identity {
  name: string;
  memberId: string;
  userId: string;
  number: string;
  openid: string;
  phone: string;
  unitNames: string[];
}

/** A member with identifiers found nowhere else, and the units made for them alone. */
export type Distinct = Reader & { identity: Identity; units: UnitView[] };

/** Each of `secrets` found in `value` serialised (any JSON: a whole response, a list, an error). */
export function leaks(value: unknown, identity: Identity): string[] {
  const text = JSON.stringify(value) ?? '';
  const secrets = [identity.name, identity.memberId, identity.userId, identity.number, identity.openid, identity.phone, ...identity.unitNames];
  return secrets.filter((secret) => secret.length > 0 && text.includes(secret));
}

/**
 * One local cloud for a test file (or a describe block) with the proposal templates configured
 * and its clock at BASE; `ready` receives the world.
 */
export function useProposalWorld(tag: string, ready: (world: ProposalWorld) => void, functionEnv: Record<string, string> = {}, options: Partial<StartOptions> = {}): void {
  let cloud: RunningLocalCloud | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud({
      clock: instantOf(BASE),
      functionEnv: { XINTONG_ORG_NAME: '测试大学', PROPOSAL_SUBSCRIBE_TEMPLATES: JSON.stringify(PROPOSAL_TEMPLATES), ...functionEnv },
      ...options,
    });
    ready(new ProposalWorld(cloud, tag));
  });
  afterAll(async () => {
    await cloud?.close();
  });
}

/** A category with its handler, and the member units proposals come from. */
export interface Desk {
  category: ProposalCategory;
  handler: Reader;
  /** Handles another category only. */
  other: ProposalCategory;
  otherHandler: Reader;
  unit: UnitView;
  subUnit: UnitView;
}

export class ProposalWorld extends RoomWorld {
  private uploads = 0;

  constructor(cloud: RunningLocalCloud, tag: string) {
    super(cloud, tag);
  }

  /** One call of the proposal function, with the database requests it made. */
  callProposal<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<CallResult<Result<T>>> {
    return call<Result<T>>(this.cloud, 'proposal', { action, ...request }, caller);
  }

  async p<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<Result<T>> {
    return (await this.callProposal<T>(action, request, caller)).body;
  }

  async pMust<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<T> {
    const result = await this.p<T>(action, request, caller);
    if (!result.ok) throw new Error(`proposal ${action} failed: ${JSON.stringify(result.error)}`);
    return result.data;
  }

  /** Every page of a list, in order. */
  async everyPage(action: string, request: Record<string, unknown>, who: Caller): Promise<ProposalCard[]> {
    const items: ProposalCard[] = [];
    let after: string | null = null;
    do {
      const page: Page<ProposalCard> = await this.pMust<Page<ProposalCard>>(action, after ? { ...request, after } : request, who);
      items.push(...page.items);
      after = page.next;
    } while (after);
    return items;
  }

  categoryInput(handlers: readonly { memberId: string }[] = [], overrides: Partial<CategoryInput> = {}): CategoryInput {
    return { name: this.next('类别'), description: '校园生活相关的建议', active: true, handlerIds: handlers.map((h) => h.memberId), ...overrides };
  }

  /** A category saved by the admin, handled by `handlers`. */
  category(handlers: readonly { memberId: string }[] = [], overrides: Partial<CategoryInput> = {}): Promise<ProposalCategory> {
    return this.pMust<ProposalCategory>('categories.save', { details: this.categoryInput(handlers, overrides) }, ADMIN);
  }

  /** Two categories, each with its own handler, and a unit with a sub-unit for members. */
  async desk(): Promise<Desk> {
    const [handler, otherHandler] = await Promise.all([this.booker(), this.booker()]);
    const [category, other] = await Promise.all([this.category([handler]), this.category([otherHandler])]);
    const unit = await this.unit('root', '学院');
    const subUnit = await this.unit(unit.id, '班级', 'class');
    return { category, handler, other, otherHandler, unit, subUnit };
  }

  /**
   * A roster member bound to a signed-in person whose every identifier is unique in the world
   * (no other name, number or openid contains it), in units of their own unless `unitIds`:
   * a scan for them finds them only where they are.
   */
  async distinct(unitIds?: string[]): Promise<Distinct> {
    const mark = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const units = unitIds ? [] : [await this.orgMust<UnitView>('units.create', { parentId: 'root', name: `专属单位${mark}`, kind: 'department' })];
    const member = await this.member(unitIds ?? units.map((u) => u.id), { name: `独有名${mark}`, number: `NUM${mark.toUpperCase()}` });
    const caller = { openid: `o-distinct-${mark}`, appid: APPID };
    const login = await call<Result<LoginResponse>>(this.cloud, 'login', { action: 'login' }, caller);
    const userId = dataOf(login.body).account.id;
    const bound = await this.orgMust<MemberDetail>('members.bind', { memberId: member.id, userId });
    const unitNames = unitIds ? bound.units.map((u) => u.name) : units.map((u) => u.name);
    const reader: Reader = { ...caller, userId, memberId: member.id, name: member.name, number: member.number, phone: member.phone as string, rev: bound.rev };
    return { ...reader, units, identity: { name: member.name, memberId: member.id, userId, number: member.number, openid: caller.openid, phone: member.phone as string, unitNames } };
  }

  proposalInput(categoryId: string, overrides: Partial<ProposalInput> = {}): ProposalInput {
    return { requestId: this.requestId(), categoryId, title: this.next('建议增设自习室'), content: '图书馆座位紧张，建议在教学楼增设晚间自习室。', imageFileIds: [], anonymous: false, ...overrides };
  }

  requestId(): string {
    return this.next('request-');
  }

  submit(who: Caller, overrides: Partial<ProposalInput> & { categoryId: string }): Promise<Result<ProposalView>> {
    return this.p<ProposalView>('proposals.submit', { ...this.proposalInput(overrides.categoryId, overrides) }, who);
  }

  async submitMust(who: Caller, overrides: Partial<ProposalInput> & { categoryId: string }): Promise<ProposalView> {
    return dataOf(await this.submit(who, overrides));
  }

  /** Uploads an image into the submission's folder `proposal-images/<requestId>/`; answers its file id. */
  upload(requestId: string, bytes: Buffer = PNG, name?: string): Promise<string> {
    this.uploads += 1;
    return super.upload(`${PROPOSAL_IMAGE_FOLDER}/${requestId}/${name ?? `${this.uploads}.png`}`, bytes, 'image/png');
  }

  read(who: Caller, proposalId: string): Promise<Result<ProposalView>> {
    return this.p<ProposalView>('proposals.get', { proposalId }, who);
  }

  /** The proposal as the admin sees it now (its current rev). */
  view(proposalId: string): Promise<ProposalView> {
    return this.pMust<ProposalView>('proposals.get', { proposalId }, ADMIN);
  }

  /** A handling action sent with the proposal's current rev. */
  async handle<T = ProposalView>(action: string, proposalId: string, request: Record<string, unknown>, who: Caller = ADMIN): Promise<Result<T>> {
    const { rev } = await this.view(proposalId);
    return this.p<T>(action, { proposalId, rev, ...request }, who);
  }

  /** Moves a proposal (a reason given for a rejection). */
  moveTo(proposalId: string, to: ProposalStatus, who: Caller = ADMIN, extra: { reason?: string; answer?: string } = {}): Promise<Result<ProposalView>> {
    return this.handle('proposals.move', proposalId, { to, ...(to === 'rejected' && extra.reason === undefined ? { reason: '与现有规定冲突' } : {}), ...extra }, who);
  }

  async moveMust(proposalId: string, to: ProposalStatus, who: Caller = ADMIN, extra: { reason?: string; answer?: string } = {}): Promise<ProposalView> {
    return dataOf(await this.moveTo(proposalId, to, who, extra));
  }

  /** Walks a fresh proposal along the allowed moves to `status` (merged: into `into`, made by the same means). */
  async bring(proposalId: string, status: ProposalStatus, into?: string): Promise<ProposalView> {
    const path: Record<ProposalStatus, ProposalStatus[]> = {
      submitted: [],
      accepted: ['accepted'],
      in_progress: ['accepted', 'in_progress'],
      resolved: ['accepted', 'in_progress', 'resolved'],
      rejected: ['rejected'],
      merged: [],
    };
    if (status === 'merged') {
      if (!into) throw new Error('bring(merged) needs the proposal to merge into');
      return dataOf(await this.handle<{ merged: ProposalView; into: ProposalView }>('proposals.merge', proposalId, { intoId: into })).merged;
    }
    let view = await this.view(proposalId);
    for (const to of path[status]) view = await this.moveMust(proposalId, to);
    return view;
  }

  /** The proposal function's five-minute timer, as the platform's trigger delivers it (at the world's clock). */
  async proposalTimer(): Promise<{ status: number; body: Result<ProposalTimerRun> }> {
    const event = { Type: 'Timer', TriggerName: 'everyFiveMinutes', Time: instantOf(this.now).toISOString(), Message: '' };
    const { status, body } = await this.cloud.cloud.invoke('proposal', event, { source: 'wx_trigger' });
    return { status, body: body as Result<ProposalTimerRun> };
  }

  makePublic(proposalId: string, isPublic = true, who: Caller = ADMIN): Promise<Result<ProposalView>> {
    return this.handle('proposals.publish', proposalId, { public: isPublic }, who);
  }

  /** The person accepts the status template in the popup: WeChat counts a credit, and so does Xintong. */
  async acceptStatus(person: Person): Promise<SubscriptionState> {
    this.cloud.cloud.openapi.subscribe(person.openid as string, { [STATUS_TEMPLATE]: 'accept' });
    return this.pMust<SubscriptionState>('subscriptions.record', { choices: { [STATUS_TEMPLATE]: 'accept' } }, person);
  }

  /** Status messages WeChat delivered to `openid`. */
  delivered(openid: string | undefined): { templateId: string; data: Record<string, { value: string }>; page: string | null }[] {
    return this.messagesTo(openid, STATUS_TEMPLATE).filter((m) => m.errCode === 0);
  }

  /** The stored documents of the collections a submit writes, to show a refusal changed nothing. */
  stored(collections: readonly string[] = SUBMIT_COLLECTIONS): string {
    return JSON.stringify(collections.map((name) => [name, this.docs(name)]));
  }

  proposalDoc(id: string): Doc | undefined {
    return this.doc('proposals', id);
  }

  /** The accounts whose support documents a proposal holds, sorted. */
  supportersOf(proposalId: string): string[] {
    return this.docs('proposal_supports')
      .filter((row) => row.proposalId === proposalId)
      .map((row) => String(row.accountId))
      .sort();
  }

  /**
   * `count` copies of a stored proposal (and of its author record) written straight into the
   * engine, each submitted a minute before the previous: hundreds of real submits would take
   * minutes, and lists only read these.
   */
  cloneProposals(templateId: string, count: number): string[] {
    const proposal = this.proposalDoc(templateId) as Doc;
    const author = this.doc('proposal_authors', templateId);
    const submittedAt = new Date(proposal.submittedAt as Date | string);
    const proposals: Doc[] = [];
    const authors: Doc[] = [];
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const id = this.next('p-clone');
      const at = new Date(submittedAt.getTime() - (i + 1) * 60_000);
      ids.push(id);
      proposals.push({ ...structuredClone(proposal), _id: id, submittedAt: at, updatedAt: at, rev: `${id}-rev` });
      if (author) authors.push({ ...structuredClone(author), _id: id, submittedAt: at });
    }
    this.insert('proposals', proposals);
    if (authors.length > 0) this.insert('proposal_authors', authors);
    return ids;
  }
}
