import type { ActionName, FunctionName, RequestOf, ResponseOf, Result, Role } from '../../typings';
import { type Identity, isTimerTrigger } from './identity';
import { AppFailure, fail } from './result';
import { parseRequest, requestFields, type Schema } from './validation';

export interface InvocationContext {
  functionName: string;
  action: string;
  identity: Identity;
}

/** An identity known to carry an openid, handed to actions that require a caller. */
export type Caller = Identity & { openid: string };

export interface CallerContext extends InvocationContext {
  identity: Caller;
}

/** A caller with an account, as the function's guard loaded it. */
export interface AccountContext<Account> extends CallerContext {
  account: Account;
}

/**
 * How a function recognises accounts and their roles. The router knows no domain: each
 * function hands it the accounts domain's guard, and the router applies it the same way for
 * every action that needs an account.
 */
export interface AccountGuard<Account> {
  /** The caller's account; throws an AppFailure (e.g. ACCOUNT_NOT_FOUND) when there is none. */
  load(caller: Caller): Promise<Account>;
  /** Whether the account may run an action requiring one of `roles` (empty: any account). */
  allows(account: NoInfer<Account>, roles: readonly Role[]): boolean;
}

interface ActionBase<Req> {
  input: Schema<Req>;
}

export type Access = 'public' | 'user' | 'account';

export type ActionDef<Req, Res, Account> =
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
      handle(request: Req, ctx: AccountContext<Account>): Promise<Result<Res>>;
    });

export type ActionTable<F extends FunctionName, Account = never> = {
  [A in ActionName<F>]: ActionDef<RequestOf<F, A>, ResponseOf<F, A>, Account>;
};

export type TimerHandler = (ctx: InvocationContext) => Promise<Result<unknown>>;

/** A platform message push (消息推送 routed to the function): the event's JSON as WeChat sent it. */
export type MessageHandler = (message: Record<string, unknown>, ctx: InvocationContext) => Promise<Result<unknown>>;

export interface FunctionDef<F extends FunctionName, Account> {
  name: F;
  /** Reads the caller from the WeChat context; called once per invocation, inside `main`. */
  readIdentity(): Identity;
  /** Required when any action needs an account. Declared before `actions`, so its account type reaches the handlers. */
  guard?: AccountGuard<Account>;
  actions: ActionTable<F, Account>;
  /** Timer triggers by the trigger name declared in the function's config.json. */
  timers?: Record<string, TimerHandler>;
  /**
   * Message pushes by their `Event` (`wxa_media_check`), as the console's 消息推送 routes them
   * here. Whatever they say must be matched against what the function itself asked the
   * platform (a trace id it never handed out): a client can send the same JSON.
   */
  messages?: Record<string, MessageHandler>;
}

/** What a function's action table declares, without its handlers: for tests and tools. */
export interface ActionInfo {
  name: string;
  access: Access;
  /** Roles required (any one of them); empty when any account may call it. */
  roles: readonly Role[];
  input: Schema<unknown>;
}

export type FunctionMain = ((event: unknown) => Promise<Result<unknown>>) & {
  /** Non-enumerable, so the platform sees a plain `main`. */
  readonly actions: readonly ActionInfo[];
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function logInternal(functionName: string, action: string, error: unknown): void {
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  console.error(`[${functionName}] action=${action} INTERNAL ${detail}`);
}

type AnyAction = ActionDef<unknown, unknown, unknown>;

function accessOf(spec: AnyAction): Access {
  return spec.access ?? 'account';
}

/**
 * Builds a cloud function's `main`: routes `event.action` to a typed action and maps every
 * outcome to a Result. Checks run in the order a person would ask: which action, who is
 * calling, whether they may, and only then what they sent. So a caller without identity is
 * UNAUTHENTICATED and a member calling an admin action FORBIDDEN, whatever the request holds.
 */
export function createMain<F extends FunctionName, Account = never>(def: FunctionDef<F, Account>): FunctionMain {
  const actions = def.actions as unknown as Record<string, AnyAction>;
  const main = async function main(event: unknown): Promise<Result<unknown>> {
    const body = isRecord(event) ? event : {};
    const action = typeof body.action === 'string' ? body.action : '';
    try {
      const identity = def.readIdentity();
      if (body.Type === 'Timer' && !action) {
        return await runTimer(def, body, identity);
      }
      if (body.MsgType === 'event' && typeof body.Event === 'string' && !action) {
        return await runMessage(def, body, identity);
      }
      const spec = Object.prototype.hasOwnProperty.call(actions, action) ? actions[action] : undefined;
      // The action name is not echoed: it is whatever the client sent.
      if (!spec) return fail('UNKNOWN_ACTION', undefined, 'action');
      const ctx: InvocationContext = { functionName: def.name, action, identity };
      const access = accessOf(spec);
      if (access === 'public') return await handleParsed(spec, body, ctx);
      if (!identity.openid) return fail('UNAUTHENTICATED');
      const caller = ctx as CallerContext;
      if (access === 'user') return await handleParsed(spec, body, caller);
      if (!def.guard) throw new Error(`${def.name}.${action} needs an account but the function has no guard`);
      const account = await def.guard.load(caller.identity);
      const roles = spec.access === 'account' || spec.access === undefined ? (spec.roles ?? []) : [];
      if (!def.guard.allows(account, roles)) return fail('FORBIDDEN');
      return await handleParsed(spec, body, { ...caller, account });
    } catch (error) {
      if (error instanceof AppFailure) return fail(error.code, error.message, error.field, error.conflicts);
      logInternal(def.name, action, error);
      return fail('INTERNAL');
    }
  };
  const info: readonly ActionInfo[] = Object.freeze(
    Object.entries(actions).map(([name, spec]) => ({
      name,
      access: accessOf(spec),
      roles: spec.access === 'account' || spec.access === undefined ? [...(spec.roles ?? [])] : [],
      input: spec.input,
    })),
  );
  Object.defineProperty(main, 'actions', { value: info, enumerable: false });
  return main as FunctionMain;
}

async function handleParsed(spec: AnyAction, body: Record<string, unknown>, ctx: InvocationContext | AccountContext<unknown>): Promise<Result<unknown>> {
  const parsed = parseRequest(spec.input, requestFields(body));
  if (!parsed.ok) return { ok: false, error: parsed.error };
  // The context matches the access checked by the caller of this function.
  return (spec.handle as (request: unknown, context: typeof ctx) => Promise<Result<unknown>>)(parsed.value, ctx);
}

/** Sources of a call a person made from a mini-program (the first of the chain). */
const CLIENT_SOURCES = new Set(['wx_client', 'wx_devtools', 'wx_localdebug', 'wx_crawler']);

async function runMessage<F extends FunctionName, Account>(
  def: FunctionDef<F, Account>,
  body: Record<string, unknown>,
  identity: Identity,
): Promise<Result<unknown>> {
  // A push carries no documented SOURCE; a call from a mini-program always does.
  const first = (identity.source ?? '').split(',')[0];
  if (CLIENT_SOURCES.has(first)) return fail('FORBIDDEN');
  const name = body.Event as string;
  const messages = def.messages ?? {};
  const handler = Object.prototype.hasOwnProperty.call(messages, name) ? messages[name] : undefined;
  if (!handler) return fail('UNKNOWN_ACTION', undefined, 'Event');
  return handler(body, { functionName: def.name, action: `message:${name}`, identity });
}

async function runTimer<F extends FunctionName, Account>(
  def: FunctionDef<F, Account>,
  body: Record<string, unknown>,
  identity: Identity,
): Promise<Result<unknown>> {
  // A client can send any event; only the platform's trigger source may run a timer.
  if (!isTimerTrigger(identity)) return fail('FORBIDDEN');
  const name = typeof body.TriggerName === 'string' ? body.TriggerName : '';
  const timers = def.timers ?? {};
  const timer = Object.prototype.hasOwnProperty.call(timers, name) ? timers[name] : undefined;
  if (!timer) return fail('UNKNOWN_ACTION', undefined, 'TriggerName');
  return timer({ functionName: def.name, action: `timer:${name}`, identity });
}
