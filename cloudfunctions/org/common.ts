/**
 * What every area of the `org` function shares: the domain's dependencies for this
 * invocation, the type of an area's part of the action table, and the request schemas that
 * recur. Limits a person meets come from FIELD_LIMITS; the others bound ids and tokens.
 */
import * as z from 'zod/mini';
import { FIELD_LIMITS } from '../../typings/limits';
import type { UserDoc } from '../../server/accounts/model';
import { db } from '../../server/adapters/wx-cloud.adapter';
import type { ActionTable } from '../../server/core/router';
import { chars } from '../../server/core/validation';
import { orgConfigFromEnv } from '../../server/org/config';
import type { OrgDeps } from '../../server/org/units';
import { systemClock } from '../../server/ports/clock.port';

type OrgTable = ActionTable<'org', UserDoc>;

/**
 * One area's part of the action table, typed by the contract as if it were the whole table;
 * index.ts joins the areas, and the compiler checks that every action is there.
 */
export function orgActions<K extends keyof OrgTable>(actions: Pick<OrgTable, K>): Pick<OrgTable, K> {
  return actions;
}

export function orgDeps(): OrgDeps {
  return { db: db(), now: () => systemClock.now(), organisationName: orgConfigFromEnv().organisationName };
}

export const id = z.string().check(z.minLength(1), z.maxLength(64));
export const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));

export { chars };

export const query = z.optional(chars(FIELD_LIMITS.searchQuery));
