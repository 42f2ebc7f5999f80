/**
 * What the notice and room domains take from the platform, as a function builds it for each
 * call: the database, the clock, the organisation's name, cloud storage and WeChat's open APIs.
 * Each function adds its own settings (`config`).
 */
import { orgConfigFromEnv } from '../org/config';
import { systemClock } from '../ports/clock.port';
import { wechatOpenApi } from './wechat-openapi.adapter';
import { db } from './wx-cloud.adapter';
import { wxFileStorage } from './wx-storage.adapter';

export function platformDeps() {
  return {
    db: db(),
    now: () => systemClock.now(),
    organisationName: orgConfigFromEnv().organisationName,
    storage: wxFileStorage,
    openapi: wechatOpenApi(),
  };
}
