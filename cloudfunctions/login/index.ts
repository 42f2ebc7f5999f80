import * as z from 'zod/mini';
import { createMain } from '../../server/core/router';
import { ok } from '../../server/core/result';
import { readWxIdentity } from '../../server/adapters/wx-cloud.adapter';

export const main = createMain({
  name: 'login',
  readIdentity: readWxIdentity,
  actions: {
    whoami: {
      input: z.strictObject({}),
      async handle(_request, { identity }) {
        return ok({ openid: identity.openid, appid: identity.appid ?? '', unionid: identity.unionid });
      },
    },
  },
});
