/**
 * The request of `subscriptions.record`, which both functions with subscribe templates (notice,
 * room) offer: what the person answered in `wx.requestSubscribeMessage`, per template id.
 */
import * as z from 'zod/mini';
import type { SubscribeChoice } from '../../typings';

const choice = z.enum(['accept', 'reject', 'ban', 'filter'] satisfies SubscribeChoice[]);

export const subscriptionChoices = z.strictObject({
  choices: z.record(z.string().check(z.minLength(1), z.maxLength(128)), choice).check(z.refine((value) => Object.keys(value).length <= 20, '订阅选择过多，最多 20 项')),
});
