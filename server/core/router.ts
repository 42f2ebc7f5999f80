import type { ActionName, FunctionName, RequestOf, ResponseOf, Result, Role } from '../../typings';
import { hasAnyRole } from '../accounts/guard';
import type { UserDoc } from '../accounts/model';
import { type Identity, isTimerTrigger } from './identity';
import { AppFailure, fail } from './result';
import { parseRequest, requestFields, type Schema } from './validation';

export interface InvocationContext {
  functionName: string;
  action: string;
  identity: Identity;
}

/** An identity known to carry an openid, handed to actions that require a caller. */
export interface CallerContext extends InvocationContext {
  identity: Identity & { openid: string };
}

/** A caller with an account, loaded by the shared guard. */
export interface AccountContext extends CallerContext {
  account: UserDoc;
}

interface ActionBase<Req> {
  input: Schema<Req>;
}

export type ActionDef<Req, Res> =
  | (ActionBase<Req> & {
      /** Callable without a WeChat user, e.g. by a timer or another function. */
      access: 'public';
      handle(request: Req, ctx: InvocationContext): Promise<Result<Res>>;
    })
  | (ActionBase<Req> & {
      /** Any WeChat caller, account or not: only sign-in itself. */
      access: 'user';
      handle(request: Req, ctx: CallerContext): Promise<Result<Res>>;
    })
  | (ActionBase<Req> & {
      /** The default: a signed-in caller holding one of `roles` (any role when omitted). */
      access?: 'account';
      roles?: readonly Role[];
      handle(request: Req, ctx: AccountContext): Promise<Result<Res>>;
    });

export type ActionTable<F extends FunctionName> = {
  [A in ActionName<F>]: ActionDef<RequestOf<F, A>, ResponseOf<F, A>>;
};

export type TimerHandler = (ctx: InvocationContext) => Promise<Result<unknown>>;

export interface FunctionDef<F extends FunctionName> {
  name: F;
  actions: ActionTable<F>;
  /** Timer triggers by the trigger name declared in the function's config.json. */
  timers?: Record<string, TimerHandler>;
  /** Reads the caller from the WeChat context; called once per invocation, inside `main`. */
  readIdentity(): Identity;
  /** The shared guard's account lookup; required when any action needs an account. */
  loadAccount?(caller: Identity & { openid: string }): Promise<UserDoc>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function logInternal(functionName: string, action: string, error: unknown): void {
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  console.error(`[${functionName}] action=${action} INTERNAL ${detail}`);
}

const INTERNAL_MESSAGE = '服务暂时不可用，请稍后重试';

/**
 * Builds a cloud function's `main`: routes `event.action` to a typed action, validates the
 * request, resolves identity from the WeChat context, and maps every outcome to a Result.
 */
export function createMain<F extends FunctionName>(def: FunctionDef<F>): (event: unknown) => Promise<Result<unknown>> {
  const actions = def.actions as unknown as Record<string, ActionDef<unknown, unknown>>;
  return async function main(event: unknown): Promise<Result<unknown>> {
    const body = isRecord(event) ? event : {};
    const action = typeof body.action === 'string' ? body.action : '';
    try {
      const identity = def.readIdentity();
      if (body.Type === 'Timer' && !action) {
        return await runTimer(def, body, identity);
      }
      const spec = Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : undefined;
      if (!spec) return fail('UNKNOWN_ACTION', `未知操作：${action || '(空)'}`, 'action');
      const parsed = parseRequest(spec.input, requestFields(body));
      if (!parsed.ok) return { ok: false, error: parsed.error };
      const ctx: InvocationContext = { functionName: def.name, action, identity };
      if (spec.access === 'public') return await spec.handle(parsed.value, ctx);
      if (!identity.openid) return fail('UNAUTHENTICATED', '无法识别当前用户，请在微信中打开');
      const caller = ctx as CallerContext;
      if (spec.access === 'user') return await spec.handle(parsed.value, caller);
      if (!def.loadAccount) throw new Error(`${def.name}.${action} needs an account but the function has no loadAccount`);
      const account = await def.loadAccount(caller.identity);
      if (!hasAnyRole(account, spec.roles ?? [])) return fail('FORBIDDEN', '没有权限执行此操作');
      return await spec.handle(parsed.value, { ...caller, account });
    } catch (error) {
      if (error instanceof AppFailure) return fail(error.code, error.message, error.field);
      logInternal(def.name, action, error);
      return fail('INTERNAL', INTERNAL_MESSAGE);
    }
  };
}

async function runTimer<F extends FunctionName>(
  def: FunctionDef<F>,
  body: Record<string, unknown>,
  identity: Identity,
): Promise<Result<unknown>> {
  // A client can send any event; only the platform's trigger source may run a timer.
  if (!isTimerTrigger(identity)) return fail('FORBIDDEN', '定时任务只能由触发器调用');
  const name = typeof body.TriggerName === 'string' ? body.TriggerName : '';
  const timers = def.timers ?? {};
  const timer = Object.prototype.hasOwnProperty.call(timers, name) ? timers[name] : undefined;
  if (!timer) return fail('UNKNOWN_ACTION', `未知定时任务：${name || '(空)'}`, 'TriggerName');
  return timer({ functionName: def.name, action: `timer:${name}`, identity });
}
