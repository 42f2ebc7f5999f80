/** Roster import (admins): preview an uploaded file as a difference, review it, apply it in steps. */
import * as z from 'zod/mini';
import { wxFileStorage } from '../../server/adapters/wx-storage.adapter';
import { ok } from '../../server/core/result';
import { orgConfigFromEnv } from '../../server/org/config';
import { applyImport, getImport, importView, listImports, listItems, previewImport } from '../../server/org/import/imports';
import { cursor, id, orgActions, orgDeps } from './common';

export const importActions = orgActions({
  'imports.preview': {
    input: z.strictObject({
      fileId: z.string().check(z.minLength(1), z.maxLength(1024)),
      fileName: z.string().check(z.minLength(1), z.maxLength(200)),
      deactivateMissing: z.boolean(),
    }),
    roles: ['admin'],
    async handle(request, { account }) {
      return ok(await previewImport({ ...orgDeps(), storage: wxFileStorage }, account._id, request));
    },
  },
  'imports.get': {
    input: z.strictObject({ importId: id }),
    roles: ['admin'],
    async handle({ importId }) {
      return ok(importView(await getImport(orgDeps(), importId)));
    },
  },
  'imports.list': {
    input: z.strictObject({ after: cursor }),
    roles: ['admin'],
    async handle({ after }) {
      return ok(await listImports(orgDeps(), after));
    },
  },
  'imports.items': {
    input: z.strictObject({ importId: id, category: z.enum(['add', 'update', 'deactivate', 'invalid', 'skipped']), after: cursor }),
    roles: ['admin'],
    async handle({ importId, category, after }) {
      return ok(await listItems(orgDeps(), importId, category, after));
    },
  },
  'imports.apply': {
    input: z.strictObject({ importId: id }),
    roles: ['admin'],
    async handle({ importId }) {
      return ok(await applyImport({ ...orgDeps(), storage: wxFileStorage, applyBudgetMs: orgConfigFromEnv().importBudgetMs }, importId));
    },
  },
});
