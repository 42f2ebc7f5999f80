import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { type ActionTable, type Caller, createMain } from '../../../server/core/router';
import { AppFailure, ok } from '../../../server/core/result';
import type { Identity } from '../../../server/core/identity';
import type { Role } from '../../../typings';
import { ERROR_TEXTS } from '../../../typings/error-texts';

const member: Identity = { openid: 'o-1', appid: 'wx-app', unionid: null, source: 'wx_client' };
const anonymous: Identity = { openid: null, appid: null, unionid: null, source: 'wx_http' };
const trigger: Identity = { openid: null, appid: null, unionid: null, source: 'wx_trigger' };

/** The router knows no account model: any shape the function's guard hands it will do. */
interface TestAccount {
  _id: string;
  roles: Role[];
}

/** Accounts the fake guard knows, by openid. */
const accounts: Record<string, TestAccount> = {
  'o-1': { _id: 'u-1', roles: [] },
  'o-admin': { _id: 'u-admin', roles: ['admin'] },
  'o-publisher': { _id: 'u-publisher', roles: ['publisher'] },
};

function allows(account: TestAccount, roles: readonly Role[]): boolean {
  return roles.length === 0 || account.roles.includes('admin') || roles.some((role) => account.roles.includes(role));
}

async function findAccount(caller: Caller): Promise<TestAccount> {
  const found = accounts[caller.openid];
  if (!found) throw new AppFailure('ACCOUNT_NOT_FOUND', '请先登录');
  return found;
}

function build(identity: Identity, spy: jest.Mock = jest.fn(), load: (caller: Caller) => Promise<TestAccount> = findAccount) {
  // Only some of login's actions are needed to exercise the router.
  const actions = {
    whoami: {
      input: z.strictObject({}),
      access: 'user',
      async handle(_request: unknown, ctx: { identity: Identity }) {
          spy(ctx);
          if (ctx.identity.openid === 'boom') throw new Error('database exploded');
          if (ctx.identity.openid === 'denied') throw new AppFailure('FORBIDDEN', '无权限');
          return ok({ openid: ctx.identity.openid, appid: ctx.identity.appid ?? '', unionid: ctx.identity.unionid });
      },
    },
    wecomLogin: {
      input: z.strictObject({ code: z.string().check(z.minLength(1)) }),
      access: 'user',
      async handle(_request: unknown, ctx: unknown) {
        spy(ctx);
        return ok({});
      },
    },
    'profile.get': {
      input: z.strictObject({}),
      async handle(_request: unknown, ctx: { account: TestAccount }) {
        spy(ctx);
        return ok({ id: ctx.account._id });
      },
    },
    'roles.list': {
      input: z.strictObject({ role: z.optional(z.enum(['admin', 'publisher'])) }),
      roles: ['publisher'],
      async handle(_request: unknown, ctx: { account: TestAccount }) {
        spy(ctx);
        return ok({ items: [], next: null });
      },
    },
  } as unknown as ActionTable<'login', TestAccount>;
  return createMain({
    name: 'login',
    readIdentity: () => identity,
    guard: { load, allows },
    actions,
    timers: {
      sweep: async () => ok({ swept: true }),
    },
  });
}

/** A function with one public action, as `setup` has. */
function buildPublic(identity: Identity, spy: jest.Mock = jest.fn()) {
  return createMain({
    name: 'setup',
    readIdentity: () => identity,
    actions: {
      ensureCollections: {
        input: z.strictObject({ dryRun: z.optional(z.boolean()) }),
        access: 'public',
        async handle(request: unknown) {
          spy(request);
          return ok({ created: [], existing: [], indexesToCreate: [] });
        },
      },
    } as unknown as ActionTable<'setup'>,
  });
}

describe('createMain', () => {
  test('routes an action and returns its result with identity from the context', async () => {
    const spy = jest.fn();
    const result = await build(member, spy)({ action: 'whoami' });
    expect(result).toEqual({ ok: true, data: { openid: 'o-1', appid: 'wx-app', unionid: null } });
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ functionName: 'login', action: 'whoami' }));
  });

  test('ignores identity fields a client puts in the event', async () => {
    const result = await build(member)({ action: 'whoami', userInfo: { openId: 'someone-else' } });
    expect(result).toEqual({ ok: true, data: { openid: 'o-1', appid: 'wx-app', unionid: null } });
  });

  test('unknown or missing action is UNKNOWN_ACTION, with the shared sentence and never the name sent', async () => {
    const main = build(member);
    const hostile = `nope\u0000${'x'.repeat(5000)}`;
    await expect(main({ action: hostile })).resolves.toEqual({ ok: false, error: { code: 'UNKNOWN_ACTION', message: ERROR_TEXTS.UNKNOWN_ACTION, field: 'action' } });
    await expect(main({})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
    await expect(main(null)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
    // Inherited object keys are not actions.
    await expect(main({ action: 'toString' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
  });

  test('input that fails validation is INVALID_INPUT naming the field by machine name, in words for a person', async () => {
    const result = await build(member)({ action: 'whoami', nickname: 'x' });
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: '请求中包含无法识别的内容', field: 'nickname' } });
  });

  test('a caller without openid is UNAUTHENTICATED with the shared sentence and the handler never runs', async () => {
    const spy = jest.fn();
    const result = await build(anonymous, spy)({ action: 'whoami' });
    expect(result).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: ERROR_TEXTS.UNAUTHENTICATED } });
    expect(spy).not.toHaveBeenCalled();
  });

  test('identity comes before the schema: a caller without identity is UNAUTHENTICATED whatever the request holds', async () => {
    const load = jest.fn(findAccount);
    const main = build(anonymous, jest.fn(), load);
    for (const event of [
      { action: 'whoami', nickname: 'x' },
      { action: 'wecomLogin' },
      { action: 'wecomLogin', code: 42 },
      { action: 'profile.get', extra: { deep: [1, 2] } },
      { action: 'roles.list', role: 'nobody', junk: '\u0000' },
    ]) {
      await expect(main(event)).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    expect(load).not.toHaveBeenCalled();
  });

  test('public actions still validate for callers without identity', async () => {
    const spy = jest.fn();
    const main = buildPublic(anonymous, spy);
    await expect(main({ action: 'ensureCollections', dryRun: 'yes' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'dryRun' } });
    expect(spy).not.toHaveBeenCalled();
    await expect(main({ action: 'ensureCollections' })).resolves.toMatchObject({ ok: true });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  test('AppFailure thrown in a handler becomes its code', async () => {
    const result = await build({ ...member, openid: 'denied' })({ action: 'whoami' });
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: '无权限' } });
  });

  test('an unexpected exception is INTERNAL, logged, with no stack sent', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await build({ ...member, openid: 'boom' })({ action: 'whoami' });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: ERROR_TEXTS.INTERNAL } });
    expect(JSON.stringify(result)).not.toContain('database exploded');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('database exploded'));
    log.mockRestore();
  });

  test('account actions get the caller account from the shared guard', async () => {
    const spy = jest.fn();
    const result = await build(member, spy)({ action: 'profile.get' });
    expect(result).toEqual({ ok: true, data: { id: 'u-1' } });
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ account: expect.objectContaining({ _id: 'u-1' }) }));
  });

  test('a caller who never signed in gets ACCOUNT_NOT_FOUND and the handler never runs', async () => {
    const spy = jest.fn();
    const result = await build({ ...member, openid: 'o-stranger' }, spy)({ action: 'profile.get' });
    expect(result).toMatchObject({ ok: false, error: { code: 'ACCOUNT_NOT_FOUND' } });
    expect(spy).not.toHaveBeenCalled();
  });

  test('roles: a required role or admin passes, anyone else is FORBIDDEN before the handler', async () => {
    const spy = jest.fn();
    await expect(build({ ...member, openid: 'o-publisher' }, spy)({ action: 'roles.list' })).resolves.toMatchObject({ ok: true });
    await expect(build({ ...member, openid: 'o-admin' }, spy)({ action: 'roles.list' })).resolves.toMatchObject({ ok: true });
    expect(spy).toHaveBeenCalledTimes(2);
    await expect(build(member, spy)({ action: 'roles.list' })).resolves.toEqual({ ok: false, error: { code: 'FORBIDDEN', message: ERROR_TEXTS.FORBIDDEN } });
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('permission comes before the schema: a member sending junk to an admin action is FORBIDDEN', async () => {
    const spy = jest.fn();
    await expect(build(member, spy)({ action: 'roles.list', role: 7, junk: true })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(build({ ...member, openid: 'o-publisher' }, spy)({ action: 'roles.list', role: 7 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'role' },
    });
    expect(spy).not.toHaveBeenCalled();
  });

  test('the guard runs only for account actions and never for anonymous callers', async () => {
    const load = jest.fn(findAccount);
    await expect(build(anonymous, jest.fn(), load)({ action: 'profile.get' })).resolves.toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(load).not.toHaveBeenCalled();
    await build(member, jest.fn(), load)({ action: 'whoami' });
    expect(load).not.toHaveBeenCalled();
    await build(member, jest.fn(), load)({ action: 'profile.get' });
    expect(load).toHaveBeenCalledWith(member);
  });

  test('an account action in a function without a guard is INTERNAL, not an open door', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const main = createMain({
      name: 'login',
      readIdentity: () => member,
      actions: { 'profile.get': { input: z.strictObject({}), async handle() { return ok({}); } } } as unknown as ActionTable<'login', never>,
    });
    await expect(main({ action: 'profile.get' })).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    log.mockRestore();
  });

  test('timer events run the named timer only when the trigger is the source', async () => {
    const event = { Type: 'Timer', TriggerName: 'sweep', Time: '2026-11-23T00:00:00Z' };
    await expect(build(trigger)(event)).resolves.toEqual({ ok: true, data: { swept: true } });
    await expect(build(member)(event)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(build(trigger)({ ...event, TriggerName: 'other' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
  });

  test('main describes its actions (name, access, roles, schema) without making them enumerable', () => {
    const main = build(member);
    expect(Object.keys(main)).toEqual([]);
    expect(main.actions.map(({ name, access, roles }) => ({ name, access, roles }))).toEqual([
      { name: 'whoami', access: 'user', roles: [] },
      { name: 'wecomLogin', access: 'user', roles: [] },
      { name: 'profile.get', access: 'account', roles: [] },
      { name: 'roles.list', access: 'account', roles: ['publisher'] },
    ]);
    expect(main.actions[1].input).toBeDefined();
  });

  test('the router imports no domain: guards come from the function definition', () => {
    const source = readFileSync(join(__dirname, '..', '..', '..', 'server', 'core', 'router.ts'), 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
    expect(imports.filter((path) => !path.startsWith('./') && path !== '../../typings')).toEqual([]);
  });
});
