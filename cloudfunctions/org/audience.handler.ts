/** Audiences (publishers): units with their sub-units plus chosen members, counted or listed in pages. */
import * as z from 'zod/mini';
import { ok } from '../../server/core/result';
import { audienceCount, audiencePage } from '../../server/org/audience';
import { tree } from '../../server/org/units';
import { cursor, id, orgActions, orgDeps } from './common';

const AUDIENCE_PAGE = 50;
const audienceSpec = {
  unitIds: z.array(id).check(z.maxLength(200)),
  memberIds: z.array(id).check(z.maxLength(1000)),
};

export const audienceActions = orgActions({
  'audience.count': {
    input: z.strictObject(audienceSpec),
    roles: ['publisher'],
    async handle(spec) {
      const deps = orgDeps();
      return ok({ count: await audienceCount(deps, await tree(deps), spec) });
    },
  },
  'audience.members': {
    input: z.strictObject({ ...audienceSpec, after: cursor }),
    roles: ['publisher'],
    async handle({ after, ...spec }) {
      const deps = orgDeps();
      const page = await audiencePage(deps, await tree(deps), spec, after, AUDIENCE_PAGE);
      return ok({ items: page.items.map((row) => ({ id: row._id, name: row.name, number: row.number })), next: page.next });
    },
  },
});
