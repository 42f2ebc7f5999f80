/**
 * Subscribe messages: the templates and the person's credits, and the popup that earns credits.
 * WeChat shows the popup only when `wx.requestSubscribeMessage` is called from a tap, so the
 * state is loaded ahead (`loadSubscriptions`) and a tap handler calls `promptSubscribe`
 * synchronously with ids chosen from it. Failures never reach the person: a popup that fails or
 * is refused only means no credit.
 *
 * Each function that sends messages keeps its own templates and credits: `notice` (new notices,
 * reminders of unread ones), `room` (booking reminders and results) and `proposal` (a
 * proposal's status changes). Every call names the
 * source, `notice` unless said otherwise.
 */
import type { Result, SubscribeChoice, SubscriptionState } from '../../typings';
import { runtimeConfig } from '../config/launch';
import type { LocalRuntime } from '../config/runtime';
import { choicesOf } from '../utils/subscribe-view';
import { recordSubscriptions, subscriptionState } from './notice';
import { proposalSubscriptionState, recordProposalSubscriptions } from './proposal';
import { recordRoomSubscriptions, roomSubscriptionState } from './room';
import { localIdentityHeaders } from './transport';

/** The function whose templates and credits a call is about. */
export type SubscriptionSource = 'notice' | 'room' | 'proposal';

interface SourceCalls {
  state(): Promise<Result<SubscriptionState>>;
  record(choices: Record<string, SubscribeChoice>): Promise<Result<SubscriptionState>>;
}

const CALLS: Readonly<Record<SubscriptionSource, SourceCalls>> = {
  notice: { state: subscriptionState, record: recordSubscriptions },
  room: { state: roomSubscriptionState, record: recordRoomSubscriptions },
  proposal: { state: proposalSubscriptionState, record: recordProposalSubscriptions },
};

/** The local cloud's stand-in for the platform's half of the popup: what WeChat itself remembers. */
export const LOCAL_SUBSCRIBE_ROUTE = '/_local/openapi/subscribe';

const LOCAL_TIMEOUT_MS = 10000;

const known: Record<SubscriptionSource, SubscriptionState | null> = { notice: null, room: null, proposal: null };

/** The state of `source` last loaded or recorded in this launch; null before the first answer. */
export function knownSubscriptions(source: SubscriptionSource = 'notice'): SubscriptionState | null {
  return known[source];
}

/**
 * Loads the templates and credits of `source`. Messages not configured count as no templates;
 * any other failure keeps what was known. Never rejects.
 */
export function loadSubscriptions(source: SubscriptionSource = 'notice'): Promise<SubscriptionState | null> {
  return CALLS[source].state().then((result) => {
    if (result.ok) known[source] = result.data;
    else if (result.error.code === 'SUBSCRIBE_NOT_CONFIGURED') known[source] = { templates: [] };
    return known[source];
  });
}

export interface SubscribePrompt {
  /** Settles once the person has answered the popup (or it failed): the moment to move on. */
  answered: Promise<Record<string, SubscribeChoice>>;
  /** Settles once the answers are recorded, with the new state (null when nothing was recorded). */
  recorded: Promise<SubscriptionState | null>;
}

function ask(ids: readonly string[]): Promise<Record<string, SubscribeChoice>> {
  return new Promise((resolve) => {
    try {
      wx.requestSubscribeMessage({
        tmplIds: [...ids],
        success: (result) => resolve(choicesOf(result as unknown as Record<string, unknown>, ids)),
        fail: () => resolve({}),
      });
    } catch {
      // Base libraries without subscribe messages: no popup, no credit.
      resolve({});
    }
  });
}

/** Tells the local cloud what the popup answered, as WeChat would know it; a failure is only logged by the cloud's absence. */
function tellLocalPlatform(config: LocalRuntime, choices: Record<string, SubscribeChoice>): Promise<void> {
  return new Promise((resolve) => {
    try {
      wx.request({
        url: `${config.localBaseUrl}${LOCAL_SUBSCRIBE_ROUTE}`,
        method: 'POST',
        data: { openid: config.devIdentity.openid, choices },
        timeout: LOCAL_TIMEOUT_MS,
        header: { 'content-type': 'application/json', ...localIdentityHeaders(config) },
        success: () => resolve(),
        fail: () => resolve(),
      });
    } catch {
      resolve();
    }
  });
}

function record(source: SubscriptionSource, choices: Record<string, SubscribeChoice>): Promise<SubscriptionState | null> {
  if (Object.keys(choices).length === 0) return Promise.resolve(null);
  const config = runtimeConfig();
  // The platform's half first: the function's credits must never run ahead of what WeChat would allow.
  const platform = config.transport === 'local' ? tellLocalPlatform(config, choices) : Promise.resolve();
  return platform
    .then(() => CALLS[source].record(choices))
    .then((result) => {
      if (!result.ok) return null;
      known[source] = result.data;
      return result.data;
    });
}

/** Whether the person turned a popup of `source` down since the mini-program started: passing taps stop asking. */
const declined: Record<SubscriptionSource, boolean> = { notice: false, room: false, proposal: false };

/**
 * Shows the popup for `ids`, templates of `source` (call it from a tap, before any await), and
 * records the answers with that source. With no ids nothing is shown and both promises settle at once.
 */
export function promptSubscribe(ids: readonly string[], source: SubscriptionSource = 'notice'): SubscribePrompt {
  if (ids.length === 0) return { answered: Promise.resolve({}), recorded: Promise.resolve(null) };
  const answered = ask(ids);
  answered.then((choices) => {
    if (Object.values(choices).length > 0 && !Object.values(choices).includes('accept')) declined[source] = true;
  });
  return { answered, recorded: answered.then((choices) => record(source, choices)) };
}

export function declinedThisSession(source: SubscriptionSource = 'notice'): boolean {
  return declined[source];
}
