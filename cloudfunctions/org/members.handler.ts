/** The roster as admins keep it: members, their bindings and the units they observe. */
import * as z from 'zod/mini';
import type { MemberKind } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { ok } from '../../server/core/result';
import { bindMember, unbindMember } from '../../server/org/binding';
import { adminMemberDetail } from '../../server/org/directory';
import { createMember, listObservers, searchMembers, setMemberActive, setObserves, updateMember } from '../../server/org/members';
import { chars, cursor, id, orgActions, orgDeps, query } from './common';

const memberFields = {
  name: chars(FIELD_LIMITS.memberName),
  number: chars(FIELD_LIMITS.memberNumber),
  phone: z.nullable(chars(FIELD_LIMITS.phoneInput)),
  kind: z.enum(['student', 'staff'] satisfies MemberKind[]),
  unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.memberUnits)),
  title: z.nullable(chars(FIELD_LIMITS.memberTitle)),
  wecomUserId: z.nullable(chars(FIELD_LIMITS.wecomUserId)),
};

export const memberActions = orgActions({
  'members.create': {
    input: z.strictObject({ member: z.strictObject(memberFields) }),
    roles: ['admin'],
    async handle({ member }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await createMember(deps, member)));
    },
  },
  'members.update': {
    input: z.strictObject({ memberId: id, rev: id, member: z.partial(z.strictObject(memberFields)) }),
    roles: ['admin'],
    async handle({ memberId, rev, member }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await updateMember(deps, memberId, rev, member)));
    },
  },
  'members.deactivate': {
    input: z.strictObject({ memberId: id }),
    roles: ['admin'],
    async handle({ memberId }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await setMemberActive(deps, memberId, false)));
    },
  },
  'members.restore': {
    input: z.strictObject({ memberId: id }),
    roles: ['admin'],
    async handle({ memberId }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await setMemberActive(deps, memberId, true)));
    },
  },
  'members.search': {
    input: z.strictObject({ query, unitId: z.optional(id), status: z.optional(z.enum(['active', 'inactive', 'all'])), after: cursor }),
    // Publishers choose people for a notice; they see the whole directory already.
    roles: ['admin', 'publisher'],
    async handle(request) {
      return ok(await searchMembers(orgDeps(), request));
    },
  },
  'members.bind': {
    input: z.strictObject({ memberId: id, userId: id }),
    roles: ['admin'],
    async handle({ memberId, userId }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, (await bindMember(deps, memberId, userId, { byAdmin: true })).member));
    },
  },
  'members.unbind': {
    input: z.strictObject({ memberId: id }),
    roles: ['admin'],
    async handle({ memberId }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await unbindMember(deps, memberId)));
    },
  },
  'observers.set': {
    input: z.strictObject({ memberId: id, unitIds: z.array(id).check(z.maxLength(FIELD_LIMITS.memberObserves)) }),
    roles: ['admin'],
    async handle({ memberId, unitIds }) {
      const deps = orgDeps();
      return ok(await adminMemberDetail(deps, await setObserves(deps, memberId, unitIds)));
    },
  },
  'observers.list': {
    input: z.strictObject({ unitId: id }),
    roles: ['admin'],
    async handle({ unitId }) {
      return ok({ items: await listObservers(orgDeps(), unitId) });
    },
  },
});
