import * as z from 'zod/mini';
import { createMain } from '../../../server/core/router';
import { AppFailure, ok } from '../../../server/core/result';
import type { Identity } from '../../../server/core/identity';

const member: Identity = { openid: 'o-1', appid: 'wx-app', unionid: null, source: 'wx_client' };
const anonymous: Identity = { openid: null, appid: null, unionid: null, source: 'wx_http' };
const trigger: Identity = { openid: null, appid: null, unionid: null, source: 'wx_trigger' };

function build(identity: Identity, spy: jest.Mock = jest.fn()) {
  return createMain({
    name: 'login',
    readIdentity: () => identity,
    actions: {
      whoami: {
        input: z.strictObject({}),
        async handle(_request, ctx) {
          spy(ctx);
          if (ctx.identity.openid === 'boom') throw new Error('database exploded');
          if (ctx.identity.openid === 'denied') throw new AppFailure('FORBIDDEN', '无权限');
          return ok({ openid: ctx.identity.openid, appid: ctx.identity.appid ?? '', unionid: ctx.identity.unionid });
        },
      },
    },
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

  test('timer events run the named timer only when the trigger is the source', async () => {
    const event = { Type: 'Timer', TriggerName: 'sweep', Time: '2026-11-23T00:00:00Z' };
    await expect(build(trigger)(event)).resolves.toEqual({ ok: true, data: { swept: true } });
    await expect(build(member)(event)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(build(trigger)({ ...event, TriggerName: 'other' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION' } });
  });
});
