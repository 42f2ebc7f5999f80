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

export interface WechatOpenApiPort {
  sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
  checkText(check: TextCheck): Promise<{ verdict: TextVerdict; label: number }>;
  /**
   * Exchanges the code of `<button open-type="getPhoneNumber">` (`e.detail.code`: single use,
   * valid 5 minutes). An unknown, used or expired code is OpenApiError 40029.
   */
  getPhoneNumber(code: string): Promise<PhoneNumberInfo>;
}
