import * as z from 'zod/mini';
import { type ActionTable, createMain } from '../../../server/core/router';
import { AppFailure, ok } from '../../../server/core/result';
import type { Identity } from '../../../server/core/identity';
import { newUser, type UserDoc } from '../../../server/accounts/model';
import type { GrantableRole } from '../../../typings';

const member: Identity = { openid: 'o-1', appid: 'wx-app', unionid: null, source: 'wx_client' };
const anonymous: Identity = { openid: null, appid: null, unionid: null, source: 'wx_http' };
const trigger: Identity = { openid: null, appid: null, unionid: null, source: 'wx_trigger' };

function account(id: string, roles: GrantableRole[]): UserDoc {
  return { ...newUser(id, new Date(0)), roles };
}

/** Accounts the fake guard lookup knows, by openid. */
const accounts: Record<string, UserDoc> = {
  'o-1': account('u-1', []),
  'o-admin': account('u-admin', ['admin']),
  'o-publisher': account('u-publisher', ['publisher']),
};

function build(identity: Identity, spy: jest.Mock = jest.fn(), loadAccount: ((caller: Identity & { openid: string }) => Promise<UserDoc>) | null = null) {
  const load =
    loadAccount ??
    (async (caller: Identity & { openid: string }) => {
      const found = accounts[caller.openid];
      if (!found) throw new AppFailure('ACCOUNT_NOT_FOUND', '请先登录');
      return found;
    });
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
    'profile.get': {
      input: z.strictObject({}),
      async handle(_request: unknown, ctx: { account: UserDoc }) {
        spy(ctx);
        return ok({ id: ctx.account._id });
      },
    },
    'roles.list': {
      input: z.strictObject({}),
      roles: ['publisher'],
      async handle(_request: unknown, ctx: { account: UserDoc }) {
        spy(ctx);
        return ok({ items: [], next: null });
      },
    },
  } as unknown as ActionTable<'login'>;
  return createMain({
    name: 'login',
    readIdentity: () => identity,
    loadAccount: load,
    actions,
    timers: {
      sweep: async () => ok({ swept: true }),
    },
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

  test('unknown or missing action is UNKNOWN_ACTION', async () => {
    const main = build(member);
    await expect(main({ action: 'nope' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION', field: 'action' } });
    await expect(main({})).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
    await expect(main(null)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
    // Inherited object keys are not actions.
    await expect(main({ action: 'toString' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
  });

  test('input that fails validation is INVALID_INPUT naming the field', async () => {
    const result = await build(member)({ action: 'whoami', nickname: 'x' });
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('nickname'), field: 'nickname' } });
  });

  test('a caller without openid is UNAUTHENTICATED and the handler never runs', async () => {
    const spy = jest.fn();
    const result = await build(anonymous, spy)({ action: 'whoami' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(spy).not.toHaveBeenCalled();
  });

  test('AppFailure thrown in a handler becomes its code', async () => {
    const result = await build({ ...member, openid: 'denied' })({ action: 'whoami' });
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: '无权限' } });
  });

  test('an unexpected exception is INTERNAL, logged, with no stack sent', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const result = await build({ ...member, openid: 'boom' })({ action: 'whoami' });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
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
    await expect(build(member, spy)({ action: 'roles.list' })).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('the guard runs after validation and never for anonymous callers', async () => {
    const load = jest.fn(async () => accounts['o-1']);
    await expect(build(member, jest.fn(), load)({ action: 'profile.get', extra: 1 })).resolves.toMatchObject({ error: { code: 'INVALID_INPUT' } });
    await expect(build(anonymous, jest.fn(), load)({ action: 'profile.get' })).resolves.toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(load).not.toHaveBeenCalled();
    await build(member, jest.fn(), load)({ action: 'whoami' });
    expect(load).not.toHaveBeenCalled();
  });

  test('an account action in a function without loadAccount is INTERNAL, not an open door', async () => {
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const main = createMain({
      name: 'login',
      readIdentity: () => member,
      actions: { 'profile.get': { input: z.strictObject({}), async handle() { return ok({}); } } } as unknown as ActionTable<'login'>,
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
});
