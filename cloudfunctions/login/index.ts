/**
 * Accounts: sign-in from WeChat and WeCom, the caller's profile, roles and account
 * conflicts. Identity comes from the WeChat context only; every action but sign-in goes
 * through the shared guard.
 */
import * as z from 'zod/mini';
import type { GrantableRole } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { listRoleHolders, roleHistory, searchAccounts } from '../../server/accounts/admin-queries';
import { listConflicts, resolveConflict } from '../../server/accounts/conflicts';
import { accountConfigFromEnv } from '../../server/accounts/config';
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import { accountSummary, accountView } from '../../server/accounts/model';
import { updateProfile } from '../../server/accounts/profile';
import { bootstrapAdmin, changeRole, isBootstrapOpen } from '../../server/accounts/roles';
import { signIn } from '../../server/accounts/sign-in';
import type { AccountDeps } from '../../server/accounts/store';
import { wecomSignIn } from '../../server/accounts/wecom-link';
import { bindWecomMemberQuietly } from '../../server/org/binding';
import { wecomFromEnv } from '../../server/adapters/wecom.adapter';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { wxFileStorage } from '../../server/adapters/wx-storage.adapter';
import { ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';
import { chars } from '../../server/core/validation';
import { systemClock } from '../../server/ports/clock.port';

function deps(): AccountDeps {
  return { db: db(), now: () => systemClock.now(), config: accountConfigFromEnv() };
}

/** Text a person types, at most `max` characters (code points, after trimming), as FIELD_LIMITS counts them. */
const grantableRole = z.enum(['admin', 'publisher', 'observer'] satisfies GrantableRole[]);
const accountId = z.string().check(z.minLength(1), z.maxLength(64));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(128)));

export const main = createMain({
  name: 'login',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount(deps(), caller), allows: hasAnyRole },
  actions: {
    whoami: {
      input: z.strictObject({}),
      access: 'user',
      async handle(_request, { identity }) {
        return ok({ openid: identity.openid, appid: identity.appid ?? '', unionid: identity.unionid });
      },
    },
    login: {
      input: z.strictObject({}),
      access: 'user',
      async handle(_request, { identity }) {
        const d = deps();
        const { user, created } = await signIn(d, identity);
        return ok({ account: accountView(user, d.config.organisationName), created });
      },
    },
    wecomLogin: {
      input: z.strictObject({ code: z.string().check(z.minLength(1), z.maxLength(256)) }),
      access: 'user',
      async handle({ code }, { identity }) {
        const d = deps();
        const { user, created } = await wecomSignIn({ ...d, wecom: wecomFromEnv(d.db) }, identity, code);
        const member = user.member ?? (await bindWecomMemberQuietly({ ...d, organisationName: d.config.organisationName }, user));
        return ok({ account: accountView({ ...user, member }, d.config.organisationName), created });
      },
    },
    'profile.get': {
      input: z.strictObject({}),
      async handle(_request, { account }) {
        return ok(accountView(account, accountConfigFromEnv().organisationName));
      },
    },
    'profile.update': {
      input: z.strictObject({
        nickname: z.optional(chars(FIELD_LIMITS.nickname)),
        avatarFileId: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
      }),
      async handle(request, { identity, account }) {
        const d = deps();
        const user = await updateProfile({ ...d, openapi: wechatOpenApi(), storage: wxFileStorage }, identity, account, request);
        return ok(accountView(user, d.config.organisationName));
      },
    },
    'roles.grant': {
      input: z.strictObject({ userId: accountId, role: grantableRole }),
      roles: ['admin'],
      async handle({ userId, role }, { account }) {
        const user = await changeRole(deps(), { targetId: userId, role, change: 'grant', actor: account, source: 'admin' });
        return ok(accountSummary(user));
      },
    },
    'roles.revoke': {
      input: z.strictObject({ userId: accountId, role: grantableRole }),
      roles: ['admin'],
      async handle({ userId, role }, { account }) {
        const user = await changeRole(deps(), { targetId: userId, role, change: 'revoke', actor: account, source: 'admin' });
        return ok(accountSummary(user));
      },
    },
    'roles.list': {
      input: z.strictObject({ role: z.optional(grantableRole), after: cursor }),
      roles: ['admin'],
      async handle({ role, after }) {
        return ok(await listRoleHolders(deps(), role, after));
      },
    },
    'roles.history': {
      input: z.strictObject({ userId: z.optional(accountId), after: cursor }),
      roles: ['admin'],
      async handle({ userId, after }) {
        return ok(await roleHistory(deps(), userId, after));
      },
    },
    'roles.bootstrap': {
      input: z.strictObject({ code: z.string().check(z.minLength(1), z.maxLength(128)) }),
      async handle({ code }, { account }) {
        const d = deps();
        return ok(accountView(await bootstrapAdmin(d, account, code), d.config.organisationName));
      },
    },
    'roles.bootstrapOpen': {
      input: z.strictObject({}),
      async handle() {
        return ok({ bootstrapOpen: await isBootstrapOpen(deps()) });
      },
    },
    'accounts.search': {
      input: z.strictObject({ query: chars(FIELD_LIMITS.searchQuery).check(z.minLength(1)) }),
      roles: ['admin'],
      async handle({ query }) {
        return ok({ items: await searchAccounts(deps(), query) });
      },
    },
    'conflicts.list': {
      input: z.strictObject({ status: z.optional(z.enum(['open', 'resolved'])), after: cursor }),
      roles: ['admin'],
      async handle({ status, after }) {
        return ok(await listConflicts(deps(), status, after));
      },
    },
    'conflicts.resolve': {
      input: z.strictObject({
        id: z.string().check(z.minLength(1), z.maxLength(200)),
        decision: z.enum(['merge', 'dismiss']),
        note: z.optional(chars(FIELD_LIMITS.conflictNote)),
      }),
      roles: ['admin'],
      async handle({ id, decision, note }, { account }) {
        return ok(await resolveConflict(deps(), account, id, decision, note));
      },
    },
  },
});
