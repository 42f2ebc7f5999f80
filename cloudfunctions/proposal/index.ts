/**
 * Proposals (提案): members submit them (anonymously when they ask), follow their handling and
 * support the public ones; admins and each category's handlers accept, answer, assign, merge,
 * reject and resolve them; admins keep the categories and may reveal an anonymous proposer,
 * which is recorded. Image checks arrive as the message push `wxa_media_check`; a timer asks
 * again for checks that could not be asked. Identity comes from the WeChat context only.
 */
import * as z from 'zod/mini';
import type { ProposalStatus } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { PROPOSAL_STATUSES, RATING_STARS } from '../../typings/proposal-rules';
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import { platformDeps } from '../../server/adapters/platform-deps';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';
import { chars } from '../../server/core/validation';
import { subscriptionActions } from '../../server/notice/subscription-schema';
import { listCategories, saveCategory } from '../../server/proposal/categories';
import { proposalConfigFromEnv } from '../../server/proposal/config';
import { answerProposal, assignProposal, getProposal, moveProposal, publishProposal, rateProposal, revealAuthor, revealRecords } from '../../server/proposal/handle';
import { mergeProposal } from '../../server/proposal/merge';
import { dashboard, handlingProposals, myProposals, publicProposals } from '../../server/proposal/lists';
import type { ProposalDeps } from '../../server/proposal/model';
import { receiveVerdict, submitProposal } from '../../server/proposal/submit';
import { runProposalTimer } from '../../server/proposal/timer';
import { support } from '../../server/proposal/support';

function deps(): ProposalDeps {
  return { ...platformDeps(), config: proposalConfigFromEnv() };
}

const id = z.string().check(z.minLength(1), z.maxLength(80));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));
const rev = z.string().check(z.maxLength(64));
const status = z.enum(PROPOSAL_STATUSES as [ProposalStatus, ...ProposalStatus[]]);
const fileId = z.string().check(z.minLength(1), z.maxLength(1024));
const filters = { status: z.optional(status), openOnly: z.optional(z.boolean()), categoryId: z.optional(id), unitId: z.optional(id) };
const category = z.strictObject({
  name: chars(FIELD_LIMITS.categoryName),
  description: chars(FIELD_LIMITS.categoryDescription),
  active: z.boolean(),
  handlerIds: z.array(id).check(z.maxLength(FIELD_LIMITS.categoryHandlers)),
});

export const main = createMain({
  name: 'proposal',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount({ db: db() }, caller), allows: hasAnyRole },
  actions: {
    'categories.list': {
      input: z.strictObject({ all: z.optional(z.boolean()) }),
      async handle({ all }, { account }) {
        return ok(await listCategories(deps(), account, all === true));
      },
    },
    'categories.save': {
      input: z.strictObject({ categoryId: z.optional(id), rev: z.optional(rev), details: category }),
      roles: ['admin'],
      async handle(request) {
        return ok(await saveCategory(deps(), request));
      },
    },
    'proposals.submit': {
      input: z.strictObject({
        requestId: z.string().check(z.minLength(1), z.maxLength(64)),
        categoryId: id,
        title: chars(FIELD_LIMITS.proposalTitle),
        content: chars(FIELD_LIMITS.proposalContent),
        imageFileIds: z.array(fileId).check(z.maxLength(FIELD_LIMITS.proposalImages)),
        anonymous: z.boolean(),
      }),
      async handle(request, { account, identity }) {
        return ok(await submitProposal(deps(), account, identity, request));
      },
    },
    'proposals.mine': {
      input: z.strictObject({ after: cursor }),
      async handle({ after }, { account }) {
        return ok(await myProposals(deps(), account, after));
      },
    },
    'proposals.public': {
      input: z.strictObject({ sort: z.enum(['support', 'newest']), categoryId: z.optional(id), status: z.optional(status), after: cursor }),
      async handle(request, { account }) {
        return ok(await publicProposals(deps(), account, request));
      },
    },
    'proposals.get': {
      input: z.strictObject({ proposalId: id }),
      async handle({ proposalId }, { account }) {
        return ok(await getProposal(deps(), account, proposalId));
      },
    },
    'proposals.support': {
      input: z.strictObject({ proposalId: id, support: z.boolean() }),
      async handle(request, { account }) {
        return ok(await support(deps(), account, request.proposalId, request.support));
      },
    },
    'proposals.rate': {
      input: z.strictObject({
        proposalId: id,
        stars: z.number().check(z.int(), z.minimum(RATING_STARS.min), z.maximum(RATING_STARS.max)),
        comment: z.optional(chars(FIELD_LIMITS.proposalRatingComment)),
      }),
      async handle(request, { account, identity }) {
        return ok(await rateProposal(deps(), account, identity, request));
      },
    },
    'proposals.handling': {
      input: z.strictObject({ ...filters, assignedToMe: z.optional(z.boolean()), after: cursor }),
      async handle(request, { account }) {
        return ok(await handlingProposals(deps(), account, request));
      },
    },
    'proposals.dashboard': {
      input: z.strictObject({ categoryId: z.optional(id), unitId: z.optional(id) }),
      async handle(request, { account }) {
        return ok(await dashboard(deps(), account, request));
      },
    },
    'proposals.move': {
      input: z.strictObject({
        proposalId: id,
        rev,
        to: status,
        reason: z.optional(chars(FIELD_LIMITS.proposalReason)),
        answer: z.optional(chars(FIELD_LIMITS.proposalAnswer)),
      }),
      async handle(request, { account, identity }) {
        return ok(await moveProposal(deps(), account, identity, request));
      },
    },
    'proposals.answer': {
      input: z.strictObject({ proposalId: id, rev, answer: chars(FIELD_LIMITS.proposalAnswer) }),
      async handle(request, { account, identity }) {
        return ok(await answerProposal(deps(), account, identity, request));
      },
    },
    'proposals.assign': {
      input: z.strictObject({ proposalId: id, rev, handlerId: z.nullable(id) }),
      async handle(request, { account }) {
        return ok(await assignProposal(deps(), account, request));
      },
    },
    'proposals.publish': {
      input: z.strictObject({ proposalId: id, rev, public: z.boolean() }),
      async handle(request, { account }) {
        return ok(await publishProposal(deps(), account, request));
      },
    },
    'proposals.merge': {
      input: z.strictObject({ proposalId: id, rev, intoId: id }),
      async handle(request, { account }) {
        return ok(await mergeProposal(deps(), account, request));
      },
    },
    'proposals.reveal': {
      input: z.strictObject({ proposalId: id, reason: chars(FIELD_LIMITS.proposalReason) }),
      roles: ['admin'],
      async handle(request, { account }) {
        return ok(await revealAuthor(deps(), account, request));
      },
    },
    'proposals.reveals': {
      input: z.strictObject({ after: cursor }),
      roles: ['admin'],
      async handle({ after }, { account }) {
        return ok(await revealRecords(deps(), account, after));
      },
    },
    ...subscriptionActions(deps),
  },
  timers: {
    everyFiveMinutes: async () => ok(await runProposalTimer(deps())),
  },
  messages: {
    wxa_media_check: async (message) => ok(await receiveVerdict(deps(), message)),
  },
});
