/**
 * Deployment helper: creates the collections declared in server/db/collections.ts in the cloud
 * environment it runs in and lists the indexes to create in the console. Idempotent, so it is
 * safe to run after every deploy (DevTools → 云开发 → 云函数 → setup → 云端测试,
 * event `{"action":"ensureCollections"}`).
 */
import * as z from 'zod/mini';
import { collectionAdmin, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { COLLECTIONS } from '../../server/db/collections';
import { ensureCollections } from '../../server/db/ensure-collections';
import { ok } from '../../server/core/result';
import { createMain } from '../../server/core/router';

export const main = createMain({
  name: 'setup',
  readIdentity: readWxIdentity,
  actions: {
    ensureCollections: {
      input: z.strictObject({}),
      // Run from the console, which has no user; creating declared collections harms nothing.
      access: 'public',
      async handle() {
        return ok(await ensureCollections(COLLECTIONS, collectionAdmin));
      },
    },
  },
});
