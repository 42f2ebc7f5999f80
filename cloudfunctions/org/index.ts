/**
 * Organisation: the unit tree, the roster and its import, binding accounts to roster members,
 * the directory and audiences. Identity comes from the WeChat context through the shared guard.
 */
import * as z from 'zod/mini';
import type { MemberKind, UnitKind } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { accountConfigFromEnv } from '../../server/accounts/config';
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import type { UserDoc } from '../../server/accounts/model';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { wxFileStorage } from '../../server/adapters/wx-storage.adapter';
import { AppFailure, fail, ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';
import { audienceCount, audiencePage } from '../../server/org/audience';
import { bindByPhone, bindByWecom, bindMember, unbindMember } from '../../server/org/binding';
import { canBrowseUnit, loadViewer, memberDetail, memberForViewer, myDirectory, unitMembers } from '../../server/org/directory';
import { applyImport, getImport, importView, listImports, listItems, previewImport } from '../../server/org/import/imports';
import { createMember, listObservers, searchMembers, setMemberActive, setObserves, updateMember } from '../../server/org/members';
import type { MemberDoc } from '../../server/org/model';
import { normalizePhone } from '../../server/org/phone';
import { createUnit, deleteUnit, getUnit, listChildren, moveUnit, type OrgDeps, renameUnit, tree } from '../../server/org/units';
import { systemClock } from '../../server/ports/clock.port';
import { OpenApiError } from '../../server/ports/wechat-openapi.port';
import { ROOT_UNIT_ID } from '../../server/org/model';

function deps(): OrgDeps {
  return { db: db(), now: () => systemClock.now(), organisationName: accountConfigFromEnv().organisationName };
}

const id = z.string().check(z.minLength(1), z.maxLength(64));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));
/** Text a person types, at most `max` characters (code points, after trimming), as FIELD_LIMITS counts them. */
const chars = (max: number) => z.string().check(z.refine((text) => [...text.trim()].length <= max, { params: { maximum: max } }));
const query = z.optional(chars(FIELD_LIMITS.searchQuery));
const unitKind = z.enum(['college', 'department', 'class', 'group'] satisfies Exclude<UnitKind, 'org'>[]);
const memberKind = z.enum(['student', 'staff'] satisfies MemberKind[]);
const memberFields = {
  name: chars(FIELD_LIMITS.memberName),
  number: chars(FIELD_LIMITS.memberNumber),
  phone: z.nullable(chars(FIELD_LIMITS.phoneInput)),
  kind: memberKind,
  unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.memberUnits)),
  title: z.nullable(chars(FIELD_LIMITS.memberTitle)),
  wecomUserId: z.nullable(chars(FIELD_LIMITS.wecomUserId)),
};
const memberInput = z.strictObject(memberFields);
const memberPatch = z.partial(z.strictObject(memberFields));
const audienceSpec = {
  unitIds: z.array(id).check(z.maxLength(200)),
  memberIds: z.array(id).check(z.maxLength(1000)),
};

/** Publishers pick audiences anywhere; others browse their own units and those below. */
async function assertBrowsable(d: OrgDeps, account: UserDoc, unitId: string): Promise<void> {
  if (hasAnyRole(account, ['publisher', 'observer'])) return;
  const snapshot = await tree(d);
  if (snapshot.get(unitId) && !canBrowseUnit(await loadViewer(d, account), unitId, snapshot)) {
    throw new AppFailure('FORBIDDEN', '只能查看自己所在或关注的单位');
  }
}

/** An admin's view of a member just written. */
async function adminDetail(d: OrgDeps, member: MemberDoc) {
  const snapshot = await tree(d);
  return memberDetail(member, snapshot, { member: null, admin: true, privileged: true });
}

export const main = createMain({
  name: 'org',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount({ db: db() }, caller), allows: hasAnyRole },
  actions: {
    'units.root': {
      input: z.strictObject({}),
      async handle() {
        return ok(await getUnit(deps(), ROOT_UNIT_ID));
      },
    },
    'units.get': {
      input: z.strictObject({ unitId: id }),
      async handle({ unitId }, { account }) {
        const d = deps();
        await assertBrowsable(d, account, unitId);
        return ok(await getUnit(d, unitId));
      },
    },
    'units.children': {
      input: z.strictObject({ parentId: id, after: cursor }),
      async handle({ parentId, after }, { account }) {
        const d = deps();
        await assertBrowsable(d, account, parentId);
        return ok(await listChildren(d, parentId, after));
      },
    },
    'units.create': {
      input: z.strictObject({ parentId: id, name: chars(FIELD_LIMITS.unitName), kind: unitKind }),
      roles: ['admin'],
      async handle({ parentId, name, kind }) {
        return ok(await createUnit(deps(), parentId, name, kind));
      },
    },
    'units.rename': {
      input: z.strictObject({ unitId: id, name: chars(FIELD_LIMITS.unitName) }),
      roles: ['admin'],
      async handle({ unitId, name }) {
        return ok(await renameUnit(deps(), unitId, name));
      },
    },
    'units.move': {
      input: z.strictObject({ unitId: id, parentId: id }),
      roles: ['admin'],
      async handle({ unitId, parentId }) {
        return ok(await moveUnit(deps(), unitId, parentId));
      },
    },
    'units.delete': {
      input: z.strictObject({ unitId: id }),
      roles: ['admin'],
      async handle({ unitId }) {
        await deleteUnit(deps(), unitId);
        return ok({ id: unitId });
      },
    },

    'members.create': {
      input: z.strictObject({ member: memberInput }),
      roles: ['admin'],
      async handle({ member }) {
        const d = deps();
        return ok(await adminDetail(d, await createMember(d, member)));
      },
    },
    'members.update': {
      input: z.strictObject({ memberId: id, rev: id, member: memberPatch }),
      roles: ['admin'],
      async handle({ memberId, rev, member }) {
        const d = deps();
        return ok(await adminDetail(d, await updateMember(d, memberId, rev, member)));
      },
    },
    'members.deactivate': {
      input: z.strictObject({ memberId: id }),
      roles: ['admin'],
      async handle({ memberId }) {
        const d = deps();
        return ok(await adminDetail(d, await setMemberActive(d, memberId, false)));
      },
    },
    'members.restore': {
      input: z.strictObject({ memberId: id }),
      roles: ['admin'],
      async handle({ memberId }) {
        const d = deps();
        return ok(await adminDetail(d, await setMemberActive(d, memberId, true)));
      },
    },
    'members.search': {
      input: z.strictObject({ query, unitId: z.optional(id), status: z.optional(z.enum(['active', 'inactive', 'all'])), after: cursor }),
      roles: ['admin'],
      async handle(request) {
        return ok(await searchMembers(deps(), request));
      },
    },
    'members.bind': {
      input: z.strictObject({ memberId: id, userId: id }),
      roles: ['admin'],
      async handle({ memberId, userId }) {
        const d = deps();
        return ok(await adminDetail(d, (await bindMember(d, memberId, userId, { byAdmin: true })).member));
      },
    },
    'members.unbind': {
      input: z.strictObject({ memberId: id }),
      roles: ['admin'],
      async handle({ memberId }) {
        const d = deps();
        return ok(await adminDetail(d, await unbindMember(d, memberId)));
      },
    },

    'observers.set': {
      input: z.strictObject({ memberId: id, unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.memberObserves)) }),
      roles: ['admin'],
      async handle({ memberId, unitIds }) {
        const d = deps();
        return ok(await adminDetail(d, await setObserves(d, memberId, unitIds)));
      },
    },
    'observers.list': {
      input: z.strictObject({ unitId: id }),
      roles: ['admin'],
      async handle({ unitId }) {
        return ok({ items: await listObservers(deps(), unitId) });
      },
    },

    'bind.phone': {
      input: z.strictObject({ code: z.string().check(z.minLength(1), z.maxLength(256)) }),
      async handle({ code }, { account }) {
        let phone: string | null;
        try {
          const info = await wechatOpenApi().getPhoneNumber(code);
          phone = normalizePhone(`+${info.countryCode}${info.purePhoneNumber}`);
        } catch (error) {
          if (error instanceof OpenApiError && (error.errCode === 40029 || error.errCode === 40163)) {
            return fail('PHONE_CODE_INVALID', '手机号授权已失效，请重新授权', 'code');
          }
          throw error;
        }
        if (!phone) return fail('ROSTER_NO_MATCH', '该手机号无法用于绑定，请联系管理员');
        return ok({ member: await bindByPhone(deps(), account, phone) });
      },
    },
    'bind.wecom': {
      input: z.strictObject({}),
      async handle(_request, { account }) {
        return ok({ member: await bindByWecom(deps(), account) });
      },
    },

    'directory.mine': {
      input: z.strictObject({}),
      async handle(_request, { account }) {
        const d = deps();
        return ok(await myDirectory(d, await loadViewer(d, account)));
      },
    },
    'directory.unitMembers': {
      input: z.strictObject({ unitId: id, query, after: cursor }),
      async handle({ unitId, query: q, after }, { account }) {
        const d = deps();
        return ok(await unitMembers(d, await loadViewer(d, account), unitId, q, after));
      },
    },
    'directory.member': {
      input: z.strictObject({ memberId: id }),
      async handle({ memberId }, { account }) {
        const d = deps();
        return ok(await memberForViewer(d, await loadViewer(d, account), memberId));
      },
    },

    'imports.preview': {
      input: z.strictObject({ fileId: z.string().check(z.minLength(1), z.maxLength(1024)), fileName: z.string().check(z.minLength(1), z.maxLength(200)), deactivateMissing: z.boolean() }),
      roles: ['admin'],
      async handle(request, { account }) {
        return ok(await previewImport({ ...deps(), storage: wxFileStorage }, account._id, request));
      },
    },
    'imports.get': {
      input: z.strictObject({ importId: id }),
      roles: ['admin'],
      async handle({ importId }) {
        return ok(importView(await getImport(deps(), importId)));
      },
    },
    'imports.list': {
      input: z.strictObject({ after: cursor }),
      roles: ['admin'],
      async handle({ after }) {
        return ok(await listImports(deps(), after));
      },
    },
    'imports.items': {
      input: z.strictObject({ importId: id, category: z.enum(['add', 'update', 'deactivate', 'invalid', 'skipped']), after: cursor }),
      roles: ['admin'],
      async handle({ importId, category, after }) {
        return ok(await listItems(deps(), importId, category, after));
      },
    },
    'imports.apply': {
      input: z.strictObject({ importId: id }),
      roles: ['admin'],
      async handle({ importId }) {
        const budget = Number(process.env.XINTONG_IMPORT_BUDGET_MS);
        return ok(await applyImport({ ...deps(), storage: wxFileStorage, applyBudgetMs: Number.isFinite(budget) && budget > 0 ? budget : undefined }, importId));
      },
    },

    'audience.count': {
      input: z.strictObject(audienceSpec),
      roles: ['publisher'],
      async handle(spec) {
        const d = deps();
        return ok({ count: await audienceCount(d, await tree(d), spec) });
      },
    },
    'audience.members': {
      input: z.strictObject({ ...audienceSpec, after: cursor }),
      roles: ['publisher'],
      async handle({ after, ...spec }) {
        const d = deps();
        const page = await audiencePage(d, await tree(d), spec, after, 50);
        return ok({ items: page.items.map((row) => ({ id: row._id, name: row.name, number: row.number })), next: page.next });
      },
    },
  },
});
