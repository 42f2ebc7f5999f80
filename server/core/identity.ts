/**
 * Who is calling, as the WeChat context says. It is read from `cloud.getWXContext()` inside
 * each invocation and never from the event, which the client controls.
 */
export interface Identity {
  openid: string | null;
  appid: string | null;
  unionid: string | null;
  /** `wx_client`, `wx_devtools`, `wx_trigger` (timer), `wx_http`, ... */
  source: string | null;
}

/** The raw shape `getWXContext()` returns; values may be numbers when all digits locally. */
export type WxContextLike = Partial<Record<'OPENID' | 'APPID' | 'UNIONID' | 'SOURCE', unknown>>;

function text(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function identityFromWxContext(ctx: WxContextLike): Identity {
  return {
    openid: text(ctx.OPENID),
    appid: text(ctx.APPID),
    unionid: text(ctx.UNIONID),
    source: text(ctx.SOURCE),
  };
}

export function isTimerTrigger(identity: Identity): boolean {
  return identity.source === 'wx_trigger';
}
