/**
 * The request of `subscriptions.record`, which every function with subscribe templates (notice,
 * room, proposal) offers: what the person answered in `wx.requestSubscribeMessage`, per template id.
 */
import * as z from 'zod/mini';
import type { SubscribeChoice, SubscriptionState } from '../../typings';
import type { UserDoc } from '../accounts/model';
import { ok } from '../core/result';
import type { ActionDef } from '../core/router';
import type { Schema } from '../core/validation';
import { recordSubscriptions, subscriptionState, type CreditDeps } from './remind';

const choice = z.enum(['accept', 'reject', 'ban', 'filter'] satisfies SubscribeChoice[]);

export const subscriptionChoices = z.strictObject({
  choices: z.record(z.string().check(z.minLength(1), z.maxLength(128)), choice).check(z.refine((value) => Object.keys(value).length <= 20, '订阅选择过多，最多 20 项')),
});

/**
 * The two subscription actions as each function with templates declares them, over that
 * function's own templates and the shared credits store.
 */
export function subscriptionActions(deps: () => CreditDeps): {
  'subscriptions.state': ActionDef<Record<string, never>, SubscriptionState, UserDoc>;
  'subscriptions.record': ActionDef<{ choices: Record<string, SubscribeChoice> }, SubscriptionState, UserDoc>;
} {
  return {
    'subscriptions.state': {
      input: z.strictObject({}) as unknown as Schema<Record<string, never>>,
      async handle(_request, { account }) {
        return ok(await subscriptionState(deps(), account));
      },
    },
    'subscriptions.record': {
      input: subscriptionChoices,
      async handle({ choices }, { account, identity }) {
        return ok(await recordSubscriptions(deps(), account, identity.openid, choices));
      },
    },
  };
}
