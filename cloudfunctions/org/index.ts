/**
 * Organisation: the unit tree, the roster and its import, binding accounts to roster members,
 * the directory and audiences. Identity comes from the WeChat context through the shared
 * guard. Each area's actions live in its `*.handler.ts`; this file only joins them.
 */
import { hasAnyRole, loadCallerAccount } from '../../server/accounts/guard';
import { db, readWxIdentity } from '../../server/adapters/wx-cloud.adapter';
import { createMain } from '../../server/core/router';
import { audienceActions } from './audience.handler';
import { bindingActions } from './binding.handler';
import { directoryActions } from './directory.handler';
import { importActions } from './imports.handler';
import { memberActions } from './members.handler';
import { unitActions } from './units.handler';

export const main = createMain({
  name: 'org',
  readIdentity: readWxIdentity,
  guard: { load: (caller) => loadCallerAccount({ db: db() }, caller), allows: hasAnyRole },
  actions: { ...unitActions, ...memberActions, ...bindingActions, ...directoryActions, ...importActions, ...audienceActions },
});
