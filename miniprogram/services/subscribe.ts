/**
 * Subscribe messages: the templates and the person's credits (`subscriptionState`), and the
 * popup that earns credits. WeChat shows the popup only when `wx.requestSubscribeMessage` is
 * called from a tap, so the state is loaded ahead (`loadSubscriptions`) and a tap handler calls
 * `promptSubscribe` synchronously with ids chosen from it. Failures never reach the person:
 * a popup that fails or is refused only means no credit.
 */
import type { SubscribeChoice, SubscriptionState } from '../../typings';
import { runtimeConfig } from '../config/launch';
import type { LocalRuntime } from '../config/runtime';
import { choicesOf } from '../utils/subscribe-view';
import { recordSubscriptions, subscriptionState } from './notice';
import { localIdentityHeaders } from './transport';

/** The local cloud's stand-in for the platform's half of the popup: what WeChat itself remembers. */
export const LOCAL_SUBSCRIBE_ROUTE = '/_local/openapi/subscribe';

const LOCAL_TIMEOUT_MS = 10000;

let known: SubscriptionState | null = null;

/** The state last loaded or recorded in this launch; null before the first answer. */
export function knownSubscriptions(): SubscriptionState | null {
  return known;
}

/**
 * Loads the templates and credits. Reminders not configured count as no templates; any other
 * failure keeps what was known. Never rejects.
 */
export function loadSubscriptions(): Promise<SubscriptionState | null> {
  return subscriptionState().then((result) => {
    if (result.ok) known = result.data;
    else if (result.error.code === 'SUBSCRIBE_NOT_CONFIGURED') known = { templates: [] };
    return known;
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

function record(choices: Record<string, SubscribeChoice>): Promise<SubscriptionState | null> {
  if (Object.keys(choices).length === 0) return Promise.resolve(null);
  const config = runtimeConfig();
  // The platform's half first: the function's credits must never run ahead of what WeChat would allow.
  const platform = config.transport === 'local' ? tellLocalPlatform(config, choices) : Promise.resolve();
  return platform
    .then(() => recordSubscriptions(choices))
    .then((result) => {
      if (!result.ok) return null;
      known = result.data;
      return result.data;
    });
}

/**
 * Shows the popup for `ids` (call it from a tap, before any await) and records the answers.
 * With no ids nothing is shown and both promises settle at once.
 */
export function promptSubscribe(ids: readonly string[]): SubscribePrompt {
  if (ids.length === 0) return { answered: Promise.resolve({}), recorded: Promise.resolve(null) };
  const answered = ask(ids);
  answered.then((choices) => {
    if (Object.values(choices).length > 0 && !Object.values(choices).includes('accept')) declined = true;
  });
  return { answered, recorded: answered.then(record) };
}

/** Whether the person turned the popup down since the mini-program started: passing taps stop asking. */
let declined = false;

export function declinedThisSession(): boolean {
  return declined;
}
