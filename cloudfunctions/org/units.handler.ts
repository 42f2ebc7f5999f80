/** The unit tree: reading it (members see their own units and below) and changing it (admins). */
import * as z from 'zod/mini';
import type { UnitKind } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { ok } from '../../server/core/result';
import { assertBrowsable } from '../../server/org/directory';
import { ROOT_UNIT_ID } from '../../server/org/model';
import { createUnit, deleteUnit, getUnit, listChildren, moveUnit, renameUnit } from '../../server/org/units';
import { chars, cursor, id, orgActions, orgDeps } from './common';

const unitKind = z.enum(['college', 'department', 'class', 'group'] satisfies Exclude<UnitKind, 'org'>[]);
const unitName = chars(FIELD_LIMITS.unitName);

export const unitActions = orgActions({
  'units.root': {
    input: z.strictObject({}),
    async handle() {
      return ok(await getUnit(orgDeps(), ROOT_UNIT_ID));
    },
  },
  'units.get': {
    input: z.strictObject({ unitId: id }),
    async handle({ unitId }, { account }) {
      const deps = orgDeps();
      await assertBrowsable(deps, account, unitId);
      return ok(await getUnit(deps, unitId));
    },
  },
  'units.children': {
    input: z.strictObject({ parentId: id, after: cursor }),
    async handle({ parentId, after }, { account }) {
      const deps = orgDeps();
      await assertBrowsable(deps, account, parentId);
      return ok(await listChildren(deps, parentId, after));
    },
  },
  'units.create': {
    input: z.strictObject({ parentId: id, name: unitName, kind: unitKind }),
    roles: ['admin'],
    async handle({ parentId, name, kind }) {
      return ok(await createUnit(orgDeps(), parentId, name, kind));
    },
  },
  'units.rename': {
    input: z.strictObject({ unitId: id, name: unitName }),
    roles: ['admin'],
    async handle({ unitId, name }) {
      return ok(await renameUnit(orgDeps(), unitId, name));
    },
  },
  'units.move': {
    input: z.strictObject({ unitId: id, parentId: id }),
    roles: ['admin'],
    async handle({ unitId, parentId }) {
      return ok(await moveUnit(orgDeps(), unitId, parentId));
    },
  },
  'units.delete': {
    input: z.strictObject({ unitId: id }),
    roles: ['admin'],
    async handle({ unitId }) {
      await deleteUnit(orgDeps(), unitId);
      return ok({ id: unitId });
    },
  },
});
