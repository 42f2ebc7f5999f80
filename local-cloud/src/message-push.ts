/**
 * The local cloud's 消息推送 (message push) setting: which cloud function receives which platform
 * message, as the WeChat console routes `<MsgType, Event>` pairs to a function in a deployment.
 * Stand-ins that play a platform push (the image check's verdict) hand it here.
 */
import type { CallerIdentity } from './invocations';

/** One route of the console's setting: messages of this type (and event) go to `functionName`. */
export interface MessagePushRoute {
  msgType: string;
  /** For `MsgType: 'event'`, the event; absent matches every message of the type. */
  event?: string;
  functionName: string;
}

/** The routes this project's functions need; a deployment sets the same in the console. */
export const MESSAGE_PUSH_ROUTES: readonly MessagePushRoute[] = [{ msgType: 'event', event: 'wxa_media_check', functionName: 'proposal' }];

/**
 * The SOURCE a pushed message runs with locally. The platform documents none for pushes; the
 * router refuses only a mini-program's sources, so any other name serves, and this one says what it is.
 */
export const MESSAGE_PUSH_SOURCE = 'wx_msgpush';

/** The function a message goes to, or null when the setting routes it nowhere. */
export function messageRoute(msgType: string, event: string | undefined, routes: readonly MessagePushRoute[] = MESSAGE_PUSH_ROUTES): string | null {
  const route = routes.find((r) => r.msgType === msgType && (r.event === undefined || r.event === event));
  return route ? route.functionName : null;
}

/** A platform message as pushed: the fields every push has, and the message's own. */
export interface PushedMessage extends Record<string, unknown> {
  ToUserName: string;
  /** The openid the message concerns; the function runs with it as its OPENID. */
  FromUserName: string;
  CreateTime: number;
  MsgType: string;
  Event?: string;
  appid: string;
}

export interface PushOutcome {
  delivered: boolean;
  /** The function it was routed to; null when no route takes it. */
  functionName: string | null;
  /** The invocation's HTTP-like status (200: the function answered); null when never invoked. */
  status: number | null;
  /** What the function answered. */
  response: unknown;
  /** Why it was not delivered. */
  problem: string | null;
}

/** What pushing needs of the local cloud. */
export interface PushHost {
  listFunctions(): ReadonlyArray<{ name: string }>;
  invoke(functionName: string, event: unknown, identity: CallerIdentity): Promise<{ status: number; body: unknown }>;
}

/**
 * Invokes the routed function with the message as its event, as the platform's push does.
 * Never throws: an unrouted message, a function that is not deployed, and a call that fails
 * are each an undelivered outcome.
 */
export async function pushMessage(host: PushHost, message: PushedMessage): Promise<PushOutcome> {
  const functionName = messageRoute(message.MsgType, message.Event);
  if (!functionName) return { delivered: false, functionName: null, status: null, response: null, problem: `no message push route for ${message.MsgType}/${message.Event ?? ''}` };
  if (!host.listFunctions().some((fn) => fn.name === functionName)) {
    return { delivered: false, functionName, status: null, response: null, problem: `the function ${functionName} is not deployed` };
  }
  const identity: CallerIdentity = { openid: message.FromUserName, appid: message.appid, source: MESSAGE_PUSH_SOURCE };
  try {
    const { status, body } = await host.invoke(functionName, message, identity);
    return { delivered: status === 200, functionName, status, response: body, problem: status === 200 ? null : `the function answered HTTP ${status}` };
  } catch (error) {
    return { delivered: false, functionName, status: null, response: null, problem: String(error) };
  }
}
