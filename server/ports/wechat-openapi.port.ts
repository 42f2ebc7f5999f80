/** The WeChat open APIs the functions call (cloud.openapi in production). */
export interface SubscribeMessage {
  touser: string;
  templateId: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogramState?: 'developer' | 'trial' | 'formal';
}

export type TextVerdict = 'pass' | 'review' | 'risky';

export interface TextCheck {
  openid: string;
  /** 1 profile, 2 comment, 3 forum, 4 social log. */
  scene: 1 | 2 | 3 | 4;
  content: string;
  title?: string;
}

/** An openapi call answered with a non-zero errCode (43101 no subscription credit, ...). */
export class OpenApiError extends Error {
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'OpenApiError';
  }
}

/** What `phonenumber.getPhoneNumber` reveals about the user's bound phone. */
export interface PhoneNumberInfo {
  /** As WeChat shows it: national digits for a mainland number, `+<country code><digits>` otherwise. */
  phoneNumber: string;
  /** Without the country code. */
  purePhoneNumber: string;
  /** Digits only, e.g. '86'. */
  countryCode: string;
}

/** A request for an unlimited mini-program code (`wxacode.getUnlimited`). */
export interface UnlimitedCodeRequest {
  /**
   * What the scanned code hands the page as `options.scene`: 1 to 32 of
   * `[0-9A-Za-z!#$&'()*+,/:;=?@-._~]` (40169 empty or too long, 40129 another character).
   */
  scene: string;
  /** The page it opens, without a leading `/` or query: `pages/room/index`; the main page if omitted. */
  page?: string;
  /** Whether `page` must be a page of the published version (default true; 41030 otherwise). */
  checkPath?: boolean;
  /** Which version the code opens (default release). */
  envVersion?: 'release' | 'trial' | 'develop';
  /** Side in px, 280 to 1280 (default 430). */
  width?: number;
}

/** The picture of a mini-program code: the platform's content type (the local stand-in answers image/png) and bytes. */
export interface UnlimitedCode {
  contentType: string;
  buffer: Uint8Array;
}

/** An image to check (`security.mediaCheckAsync`, version 2, media type 2). */
export interface ImageCheck {
  /** The user who posted it; they must have used the mini-program within 2 hours. */
  openid: string;
  /** A public http(s) link the checker can download (not a `cloud://` id). */
  url: string;
  scene: 1 | 2 | 3 | 4;
}

/**
 * The verdict WeChat pushes later as the event `wxa_media_check`, routed to a cloud function by
 * the console's 消息推送 setting (version 2: `result.suggest`; `label` may arrive as a string).
 */
export interface MediaCheckEvent {
  MsgType: 'event';
  Event: 'wxa_media_check';
  trace_id: string;
  /** The openid the check was asked for. */
  FromUserName?: string;
  version?: number;
  result?: { suggest?: string; label?: number | string };
}

export interface WechatOpenApiPort {
  sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
  checkText(check: TextCheck): Promise<{ verdict: TextVerdict; label: number }>;
  /**
   * Exchanges the code of `<button open-type="getPhoneNumber">` (`e.detail.code`: single use,
   * valid 5 minutes). An unknown, used or expired code is OpenApiError 40029.
   */
  getPhoneNumber(code: string): Promise<PhoneNumberInfo>;
  /** A mini-program code that opens `page` with `scene`; a refused request is OpenApiError. */
  getUnlimitedCode(request: UnlimitedCodeRequest): Promise<UnlimitedCode>;
  /** Asks for an image's check; the verdict arrives later as MediaCheckEvent with this trace id. */
  checkImageAsync(check: ImageCheck): Promise<{ traceId: string }>;
}
