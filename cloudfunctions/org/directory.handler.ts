/** The directory as a person sees it: their units, who is in them, and what they may see of each. */
import * as z from 'zod/mini';
import { ok } from '../../server/core/result';
import { loadViewer, memberForViewer, myDirectory, unitMembers } from '../../server/org/directory';
import { cursor, id, orgActions, orgDeps, query } from './common';

export const directoryActions = orgActions({
  'directory.mine': {
    input: z.strictObject({}),
    async handle(_request, { account }) {
      const deps = orgDeps();
      return ok(await myDirectory(deps, await loadViewer(deps, account)));
    },
  },
  'directory.unitMembers': {
    input: z.strictObject({ unitId: id, query, after: cursor }),
    async handle({ unitId, query: text, after }, { account }) {
      const deps = orgDeps();
      return ok(await unitMembers(deps, await loadViewer(deps, account), unitId, text, after));
    },
  },
  'directory.member': {
    input: z.strictObject({ memberId: id }),
    async handle({ memberId }, { account }) {
      const deps = orgDeps();
      return ok(await memberForViewer(deps, await loadViewer(deps, account), memberId));
    },
  },
});
