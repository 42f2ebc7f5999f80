/** A person binding their own account to their roster member, by the proofs WeChat and WeCom give. */
import * as z from 'zod/mini';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { ok } from '../../server/core/result';
import { bindByPhoneCode, bindByWecom } from '../../server/org/binding';
import { orgActions, orgDeps } from './common';

export const bindingActions = orgActions({
  'bind.phone': {
    input: z.strictObject({ code: z.string().check(z.minLength(1), z.maxLength(256)) }),
    async handle({ code }, { account }) {
      return ok({ member: await bindByPhoneCode({ ...orgDeps(), openapi: wechatOpenApi() }, account, code) });
    },
  },
  'bind.wecom': {
    input: z.strictObject({}),
    async handle(_request, { account }) {
      return ok({ member: await bindByWecom(orgDeps(), account) });
    },
  },
});
