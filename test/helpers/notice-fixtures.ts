/**
 * Building blocks of the `notice` function tests: units, roster members bound to signed-in
 * people, publishers and notices, all made through the real functions of one local cloud, plus
 * direct reads and writes of the engine where a test needs to bend time or plant data fast.
 */
import type { RunningLocalCloud, StartOptions } from '../../local-cloud/src/server';
import type { Doc } from '../../local-cloud/src/db/engine';
import type { LoginResponse, ManagedNoticeDetail, MemberDetail, MemberInput, NoticeInput, Result, UnitView } from '../../typings';
import { type Caller, type CallResult, call, startTestCloud } from './local-cloud';

export const ADMIN: Caller = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };
export const APPID = 'wx-demo-appid';

export type Person = Caller & { userId: string };
export type Reader = Person & { memberId: string; name: string; number: string; phone: string; rev: string };

export function code(result: Result<unknown>): string {
  return result.ok ? 'OK' : result.error.code;
}

/** Runs `work` over `items` with at most `width` at a time (a burst of hundreds would only queue). */
export async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let cursor = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (cursor < items.length) {
        const index = cursor;
        cursor += 1;
        out[index] = await work(items[index], index);
      }
    }),
  );
  return out;
}

/** Business wall-clock `YYYY-MM-DD HH:mm` of an instant. */
export function wallClock(instant: Date): string {
  const shanghai = new Date(instant.getTime() + 8 * 3_600_000);
  return shanghai.toISOString().slice(0, 16).replace('T', ' ');
}

export interface CloneOptions {
  naming?: (index: number) => { name: string; number: string };
  /** The clone's units as its summary carries them (`unitKeys`: the units and their ancestors but the root). */
  placement?: (index: number) => { unitIds: string[]; unitKeys: string[]; unitNames: string[] };
}

/** An audience of units and chosen people. */
export function to(unitIds: string[], memberIds: string[] = []): NoticeInput['audience'] {
  return { all: false, unitIds, memberIds };
}

export interface CollegeNotice {
  college: UnitView;
  a: UnitView;
  b: UnitView;
  inA: Reader[];
  inB: Reader[];
  notice: ManagedNoticeDetail;
}

/**
 * One local cloud for a test file, started before its tests and closed after; `ready` receives
 * the world the tests build in it. `tag` keeps this file's names apart in failures.
 */
export function useNoticeWorld(tag: string, ready: (world: NoticeWorld) => void, functionEnv: Record<string, string> = {}, options: Partial<StartOptions> = {}): void {
  let cloud: RunningLocalCloud | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud({ functionEnv: { XINTONG_ORG_NAME: '测试大学', ...functionEnv }, ...options });
    ready(new NoticeWorld(cloud, tag));
  });
  afterAll(async () => {
    await cloud?.close();
  });
}

export class NoticeWorld {
  private seq = 0;
  /** Distinguishes the names of this file's world from another file's, for readable failures. */
  constructor(
    readonly cloud: RunningLocalCloud,
    private readonly tag: string,
  ) {}

  next(label: string): string {
    this.seq += 1;
    return `${label}${this.tag}${this.seq}`;
  }

  /** A unique mainland mobile number. */
  phone(): string {
    this.seq += 1;
    const tagDigits = String([...this.tag].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % 100).padStart(2, '0');
    return `+86137${tagDigits}${String(this.seq).padStart(6, '0')}`;
  }

  docs(collection: string): Doc[] {
    return this.cloud.cloud.engine.dump(collection);
  }

  doc(collection: string, id: string): Doc | undefined {
    return this.cloud.cloud.engine.find(collection, { query: { _id: id }, limit: 1 })[0];
  }

  /** Writes fields of stored documents directly, as a crash or the passing of time would leave them. */
  patch(collection: string, query: Doc, fields: Doc): number {
    return this.cloud.cloud.engine.modify(collection, { query, data: { $set: fields }, multi: true, merge: true, upsert: false }).updated;
  }

  insert(collection: string, docs: readonly Doc[]): void {
    this.cloud.cloud.engine.insertDocuments(collection, docs);
  }

  async org<T>(action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN): Promise<Result<T>> {
    return (await call<Result<T>>(this.cloud, 'org', { action, ...request }, caller)).body;
  }

  async orgMust<T>(action: string, request: Record<string, unknown> = {}, caller: Caller = ADMIN): Promise<T> {
    const result = await this.org<T>(action, request, caller);
    if (!result.ok) throw new Error(`org ${action} failed: ${JSON.stringify(result.error)}`);
    return result.data;
  }

  /** One call of the notice function, with the database requests it made. */
  call<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<CallResult<Result<T>>> {
    return call<Result<T>>(this.cloud, 'notice', { action, ...request }, caller);
  }

  async notice<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<Result<T>> {
    return (await this.call<T>(action, request, caller)).body;
  }

  async must<T>(action: string, request: Record<string, unknown>, caller: Caller): Promise<T> {
    const result = await this.notice<T>(action, request, caller);
    if (!result.ok) throw new Error(`notice ${action} failed: ${JSON.stringify(result.error)}`);
    return result.data;
  }

  async unit(parentId: string, name: string, kind = 'college'): Promise<UnitView> {
    return this.orgMust<UnitView>('units.create', { parentId, name: this.next(name), kind });
  }

  async member(unitIds: string[], overrides: Partial<MemberInput> = {}): Promise<MemberDetail> {
    const member: MemberInput = { name: this.next('成员'), number: this.next('N'), phone: this.phone(), kind: 'student', title: null, wecomUserId: null, unitIds, ...overrides };
    return this.orgMust<MemberDetail>('members.create', { member });
  }

  /** A signed-in person with no roster member and no role. */
  async person(label = 'p'): Promise<Person> {
    const caller = { openid: this.next(`o-${label}-`), appid: APPID };
    const reply = await call<Result<LoginResponse>>(this.cloud, 'login', { action: 'login' }, caller);
    if (!reply.body.ok) throw new Error(`login failed: ${JSON.stringify(reply.body.error)}`);
    return { ...caller, userId: reply.body.data.account.id };
  }

  /** A roster member of `unitIds` bound to a signed-in person. */
  async reader(unitIds: string[], overrides: Partial<MemberInput> = {}): Promise<Reader> {
    const [member, who] = await Promise.all([this.member(unitIds, overrides), this.person('r')]);
    const bound = await this.orgMust<MemberDetail>('members.bind', { memberId: member.id, userId: who.userId });
    return { ...who, memberId: member.id, name: member.name, number: member.number, phone: member.phone as string, rev: bound.rev };
  }

  async readers(count: number, unitIds: string[], width = 8): Promise<Reader[]> {
    return inBatches(Array.from({ length: count }), width, () => this.reader(unitIds));
  }

  /**
   * `count` more people like `template` (same units unless `placement` says otherwise), written
   * straight into the engine: the member, the account with its summary and the openid identity,
   * as binding leaves them. Hundreds of real bindings would take a minute; the notice function
   * only reads these. Unit counters are not maintained.
   */
  cloneReaders(template: Reader, count: number, options: CloneOptions = {}): Reader[] {
    const member = this.doc('members', template.memberId) as Doc;
    const user = this.doc('users', template.userId) as Doc;
    const identity = this.doc('identities', `wx-openid:${APPID}:${template.openid}`) as Doc;
    const made: Reader[] = [];
    const members: Doc[] = [];
    const users: Doc[] = [];
    const identities: Doc[] = [];
    for (let i = 0; i < count; i += 1) {
      const memberId = this.next('m_clone_');
      const userId = this.next('u_clone_');
      const openid = this.next('o-clone-');
      const { name, number } = options.naming?.(i) ?? { name: this.next('克隆'), number: this.next('C') };
      const placement = options.placement?.(i);
      const phone = this.phone();
      members.push({ ...structuredClone(member), _id: memberId, name, number, phone, userId, wecomKey: `none:${memberId}`, ...(placement ? { unitIds: placement.unitIds } : {}) });
      const summary = { ...structuredClone(user.member as Doc), id: memberId, name, number, ...(placement ?? {}) };
      users.push({ ...structuredClone(user), _id: userId, member: summary, roles: [] });
      identities.push({ ...structuredClone(identity), _id: `wx-openid:${APPID}:${openid}`, key: `${APPID}:${openid}`, userId });
      made.push({ openid, appid: APPID, userId, memberId, name, number, phone, rev: String(member.rev) });
    }
    this.insert('members', members);
    this.insert('users', users);
    this.insert('identities', identities);
    return made;
  }

  async grant(userId: string, role: 'admin' | 'publisher' | 'observer'): Promise<void> {
    const reply = await call<Result<unknown>>(this.cloud, 'login', { action: 'roles.grant', userId, role }, ADMIN);
    if (!reply.body.ok) throw new Error(`roles.grant failed: ${JSON.stringify(reply.body.error)}`);
  }

  /** A person holding the publisher role (bound to a member of `unitIds` when given). */
  async publisher(unitIds?: string[]): Promise<Person> {
    const who = unitIds ? await this.reader(unitIds) : await this.person('pub');
    await this.grant(who.userId, 'publisher');
    return who;
  }

  /** Moves a member to other units (as an admin edits the roster). */
  async move(reader: Reader, unitIds: string[]): Promise<void> {
    const current = await this.orgMust<MemberDetail>('directory.member', { memberId: reader.memberId });
    const moved = await this.orgMust<MemberDetail>('members.update', { memberId: reader.memberId, rev: current.rev, member: { unitIds } });
    reader.rev = moved.rev;
  }

  input(overrides: Partial<NoticeInput> = {}): NoticeInput {
    return {
      kind: 'notice',
      title: this.next('期末考试安排'),
      body: '请各位同学**按时**参加考试。\n\n考场见附件。',
      attachments: [],
      audience: { all: false, unitIds: [], memberIds: [] },
      requiresConfirm: false,
      deadline: null,
      pinned: false,
      scheduledAt: null,
      ...overrides,
    };
  }

  receiptsOf(noticeId: string): Doc[] {
    return this.docs('notice_receipts').filter((r) => r.noticeId === noticeId);
  }

  async publish(author: Caller, overrides: Partial<NoticeInput> = {}, requestId = this.next('request-')): Promise<ManagedNoticeDetail> {
    return this.must<ManagedNoticeDetail>('publish', { requestId, input: this.input(overrides) }, author);
  }

  /** As the mini-program's wx.uploadFile sends a file in local mode; answers the file id. */
  async upload(cloudPath: string, content: Buffer, type = 'application/octet-stream'): Promise<string> {
    const form = new FormData();
    form.append('cloudPath', cloudPath);
    form.append('file', new Blob([new Uint8Array(content)], { type }), cloudPath.split('/').pop());
    const response = await fetch(`${this.cloud.url}/storage/upload`, { method: 'POST', body: form });
    if (response.status !== 200) throw new Error(`upload of ${cloudPath}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { fileID: string }).fileID;
  }

  /** A college with classes A and B holding `sizes` bound readers, and a notice to the college. */
  async collegeNotice(sizes: [number, number], author: Person, input: Partial<NoticeInput> = {}): Promise<CollegeNotice> {
    const college = await this.unit('root', '学院');
    const [a, b] = await Promise.all([this.unit(college.id, 'A班', 'class'), this.unit(college.id, 'B班', 'class')]);
    const [inA, inB] = await Promise.all([this.readers(sizes[0], [a.id]), this.readers(sizes[1], [b.id])]);
    const notice = await this.publish(author, { audience: to([college.id]), ...input });
    return { college, a, b, inA, inB, notice };
  }

  /** The Timer event as the platform's trigger delivers it. */
  async timer(): Promise<{ status: number; body: unknown }> {
    const event = { Type: 'Timer', TriggerName: 'everyMinute', Time: new Date().toISOString(), Message: '' };
    const { status, body } = await this.cloud.cloud.invoke('notice', event, { source: 'wx_trigger' });
    return { status, body };
  }
}
