/**
 * Notices: composing and publishing (admins and publishers), the inbox, reading and
 * confirming (everyone), figures and reminders (authors, admins, observers), and the
 * subscribe-message credits reminders spend. A timer publishes scheduled notices and finishes
 * work a crash left half done. Identity comes from the WeChat context through the shared guard.
 */
import * as z from 'zod/mini';
import type { NoticeKind, NoticeStatus, PeopleList } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import { platformDeps } from '../../server/adapters/platform-deps';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';
import { chars } from '../../server/core/validation';
import { noticeConfigFromEnv } from '../../server/notice/config';
import { deleteDraft, editNotice, publishNotice, recallNotice, saveDraft, type NoticeDeps } from '../../server/notice/compose';
import { confirmNotice, inbox, openNotice, unreadCount } from '../../server/notice/inbox';
import { audienceReach, manageDetail, myNotices } from '../../server/notice/manage';
import { remind } from '../../server/notice/remind';
import { subscriptionActions } from '../../server/notice/subscription-schema';
import { chronicNonReaders, exportPeople, noticePeople, noticeStats } from '../../server/notice/stats';
import { managedView } from '../../server/notice/model';
import { runTimer } from '../../server/notice/timer';

function deps(): NoticeDeps {
  return { ...platformDeps(), config: noticeConfigFromEnv() };
}

const id = z.string().check(z.minLength(1), z.maxLength(64));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));
/** Business wall-clock time; its meaning is checked by the domain. */
const wallClock = z.nullable(z.string().check(z.maxLength(16)));
const kind = z.enum(['notice', 'announcement'] satisfies NoticeKind[]);
const attachments = z.array(z.strictObject({ fileId: z.string().check(z.minLength(1), z.maxLength(1024)), name: chars(FIELD_LIMITS.attachmentName), size: z.number() })).check(z.maxLength(FIELD_LIMITS.noticeAttachments));
const audience = z.strictObject({
  all: z.boolean(),
  unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.audienceUnits)),
  memberIds: z.array(id).check(z.maxLength(FIELD_LIMITS.audienceMembers)),
});
const noticeInput = z.strictObject({
  kind,
  title: chars(FIELD_LIMITS.noticeTitle),
  body: chars(FIELD_LIMITS.noticeBody),
  attachments,
  audience,
  requiresConfirm: z.boolean(),
  deadline: wallClock,
  pinned: z.boolean(),
  scheduledAt: wallClock,
});
const changes = z.strictObject({
  title: chars(FIELD_LIMITS.noticeTitle),
  body: chars(FIELD_LIMITS.noticeBody),
  attachments,
  deadline: wallClock,
  pinned: z.boolean(),
  requiresConfirm: z.boolean(),
});
const status = z.enum(['draft', 'scheduled', 'publishing', 'published', 'recalled', 'all'] satisfies (NoticeStatus | 'all')[]);
const peopleList = z.enum(['read', 'unread', 'unconfirmed'] satisfies PeopleList[]);
const rev = z.string().check(z.maxLength(64));

export const main = createMain({
  name: 'notice',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount({ db: db() }, caller), allows: hasAnyRole },
  actions: {
    'drafts.save': {
      input: z.strictObject({ noticeId: z.optional(id), rev: z.optional(rev), requestId: z.optional(z.string().check(z.minLength(8), z.maxLength(64))), input: noticeInput }),
      roles: ['publisher'],
      async handle(request, { account, identity }) {
        const d = deps();
        const doc = await saveDraft(d, { account, openid: identity.openid }, request);
        return ok(await manageDetail(d, doc));
      },
    },
    'drafts.delete': {
      input: z.strictObject({ noticeId: id }),
      roles: ['publisher'],
      async handle({ noticeId }, { account }) {
        await deleteDraft(deps(), account, noticeId);
        return ok({ id: noticeId });
      },
    },
    reach: {
      input: z.strictObject({ audience, kind }),
      roles: ['publisher'],
      async handle(request) {
        return ok(await audienceReach(deps(), request.audience, request.kind));
      },
    },
    publish: {
      input: z.strictObject({ requestId: z.string().check(z.minLength(8), z.maxLength(64)), noticeId: z.optional(id), rev: z.optional(rev), input: noticeInput }),
      roles: ['publisher'],
      async handle(request, { account, identity }) {
        const d = deps();
        const published = await publishNotice(d, { account, openid: identity.openid }, request);
        return ok(await manageDetail(d, published.doc, undefined, published));
      },
    },
    edit: {
      input: z.strictObject({ noticeId: id, rev, changes }),
      roles: ['publisher'],
      async handle(request, { account, identity }) {
        const d = deps();
        return ok(await manageDetail(d, await editNotice(d, { account, openid: identity.openid }, request)));
      },
    },
    recall: {
      input: z.strictObject({ noticeId: id }),
      roles: ['publisher'],
      async handle({ noticeId }, { account }) {
        return ok(managedView(await recallNotice(deps(), account, noticeId)));
      },
    },
    mine: {
      input: z.strictObject({ status: z.optional(status), everyone: z.optional(z.boolean()), after: cursor }),
      roles: ['publisher'],
      async handle(request, { account }) {
        return ok(await myNotices(deps(), account, request));
      },
    },
    manage: {
      input: z.strictObject({ noticeId: id }),
      roles: ['publisher'],
      async handle({ noticeId }, { account }) {
        const d = deps();
        return ok(await manageDetail(d, noticeId, account));
      },
    },
    inbox: {
      input: z.strictObject({ filter: z.enum(['unread', 'all']), after: cursor }),
      async handle({ filter, after }, { account }) {
        return ok(await inbox(deps(), account, filter, after));
      },
    },
    'inbox.unreadCount': {
      input: z.strictObject({}),
      async handle(_request, { account }) {
        return ok({ count: await unreadCount(deps(), account) });
      },
    },
    open: {
      input: z.strictObject({ noticeId: id }),
      async handle({ noticeId }, { account }) {
        return ok(await openNotice(deps(), account, noticeId));
      },
    },
    confirm: {
      input: z.strictObject({ noticeId: id }),
      async handle({ noticeId }, { account }) {
        return ok(await confirmNotice(deps(), account, noticeId));
      },
    },
    stats: {
      input: z.strictObject({ noticeId: id, unitId: z.optional(id) }),
      async handle({ noticeId, unitId }, { account }) {
        return ok(await noticeStats(deps(), account, noticeId, unitId));
      },
    },
    people: {
      input: z.strictObject({ noticeId: id, list: peopleList, unitId: z.optional(id), query: z.optional(chars(FIELD_LIMITS.searchQuery)), after: cursor }),
      async handle(request, { account }) {
        return ok(await noticePeople(deps(), account, request));
      },
    },
    export: {
      input: z.strictObject({ noticeId: id, list: z.enum(['read', 'unread', 'unconfirmed', 'all']), unitId: z.optional(id) }),
      async handle(request, { account }) {
        return ok(await exportPeople(deps(), account, request));
      },
    },
    remind: {
      input: z.strictObject({ noticeId: id, target: z.enum(['unread', 'unconfirmed']), unitId: z.optional(id) }),
      async handle({ noticeId, target, unitId }, { account }) {
        return ok(await remind(deps(), account, noticeId, target, unitId));
      },
    },
    ...subscriptionActions(deps),
    nonReaders: {
      input: z.strictObject({ unitId: id, last: z.number().check(z.int(), z.minimum(1), z.maximum(20)), after: cursor }),
      async handle(request, { account }) {
        return ok(await chronicNonReaders(deps(), account, request));
      },
    },
  },
  timers: {
    everyMinute: async () => ok(await runTimer(deps())),
  },
});
