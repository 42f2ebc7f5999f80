/**
 * A stand-in for the WeChat open APIs the functions call through `cloud.openapi`. The SDK
 * sends those as multipart requests to the platform, so the functions reach this stand-in
 * through their own openapi port's local adapter instead (platform-facts section 1).
 */
import { randomBytes } from 'node:crypto';
import { DEMO_APPID } from '../seed';

export interface RecordedSubscribeMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
}

export interface RecordedPhoneExchange {
  code: string;
  /** E.164, as issued. */
  phone: string;
  at: string;
}

export interface OpenApiStandInOptions {
  /** Text containing this word fails the content check as risky. */
  riskyWord: string;
  /** The mini-program the phone codes belong to (their watermark); the demo appid by default. */
  appid?: string;
  now?: () => Date;
}

/** The documented life of a getPhoneNumber code: single use, 5 minutes. */
export const PHONE_CODE_TTL_MS = 5 * 60_000;

const E164 = /^\+\d{6,15}$/;

/** `+` and 6 to 15 digits: what issuePhoneCode accepts. */
export function isE164(phone: unknown): phone is string {
  return typeof phone === 'string' && E164.test(phone);
}

/**
 * The two-digit ITU calling codes; 1 and 7 are the only one-digit ones and every other code has
 * three digits. Calling codes are prefix-free, so this splits any E.164 number.
 */
const TWO_DIGIT_CALLING_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '),
);

function splitE164(phone: string): { countryCode: string; national: string } {
  const digits = phone.slice(1);
  const length = digits[0] === '1' || digits[0] === '7' ? 1 : TWO_DIGIT_CALLING_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  return { countryCode: digits.slice(0, length), national: digits.slice(length) };
}

interface IssuedPhoneCode {
  phone: string;
  appid: string;
  issuedAt: Date;
  used: boolean;
}

export type OpenApiReply = { errCode: number; errMsg: string } & Record<string, unknown>;

export class OpenApiStandIn {
  readonly subscribeMessages: RecordedSubscribeMessage[] = [];
  readonly phoneExchanges: RecordedPhoneExchange[] = [];
  private readonly phoneCodes = new Map<string, IssuedPhoneCode>();
  private readonly now: () => Date;

  constructor(private readonly options: OpenApiStandInOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get riskyWord(): string {
    return this.options.riskyWord;
  }

  clear(): void {
    this.subscribeMessages.length = 0;
    this.phoneExchanges.length = 0;
    this.phoneCodes.clear();
  }

  /**
   * The code `<button open-type="getPhoneNumber">` gives a user whose bound phone is `phone`
   * (E.164): random, single use, valid 5 minutes.
   */
  issuePhoneCode(phone: string, appid: string = this.options.appid ?? DEMO_APPID): string {
    if (!isE164(phone)) throw new RangeError(`not an E.164 phone number: ${phone}`);
    const code = randomBytes(32).toString('hex');
    this.phoneCodes.set(code, { phone, appid, issuedAt: this.now(), used: false });
    return code;
  }

  handle(api: string, body: Record<string, unknown>): OpenApiReply {
    switch (api) {
      case 'subscribeMessage.send':
        return this.sendSubscribeMessage(body);
      case 'security.msgSecCheck':
        return this.msgSecCheck(body);
      case 'phonenumber.getPhoneNumber':
        return this.getPhoneNumber(body);
      default:
        return { errCode: -604101, errMsg: `${api}: not implemented by the local cloud` };
    }
  }

  private sendSubscribeMessage(body: Record<string, unknown>): OpenApiReply {
    const { touser, templateId, page, data } = body;
    if (typeof touser !== 'string' || !touser) return { errCode: 40003, errMsg: 'invalid openid' };
    if (typeof templateId !== 'string' || !templateId) return { errCode: 40037, errMsg: 'invalid template_id' };
    if (typeof data !== 'object' || data === null) return { errCode: 47003, errMsg: 'argument invalid! data is empty' };
    this.subscribeMessages.push({
      touser,
      templateId,
      page: typeof page === 'string' ? page : null,
      data: data as Record<string, { value: string }>,
      sentAt: this.now().toISOString(),
    });
    return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
  }

  private msgSecCheck(body: Record<string, unknown>): OpenApiReply {
    const content = typeof body.content === 'string' ? body.content : '';
    const title = typeof body.title === 'string' ? body.title : '';
    const risky = this.options.riskyWord.length > 0 && `${title}\n${content}`.includes(this.options.riskyWord);
    return {
      errCode: 0,
      errMsg: 'openapi.security.msgSecCheck:ok',
      result: risky ? { suggest: 'risky', label: 20006 } : { suggest: 'pass', label: 100 },
    };
  }

  /**
   * The cloud-call shape: wx-server-sdk drops `errcode`/`errmsg`, camelCases the rest
   * (`phone_info` → `phoneInfo`) and adds `errCode: 0` and `errMsg: 'openapi.<api>:ok'`.
   * Unknown, used and expired codes are all 40029, as on the platform.
   */
  private getPhoneNumber(body: Record<string, unknown>): OpenApiReply {
    const code = typeof body.code === 'string' ? body.code : '';
    const issued = this.phoneCodes.get(code);
    const now = this.now();
    if (!issued || issued.used || now.getTime() - issued.issuedAt.getTime() >= PHONE_CODE_TTL_MS) return { errCode: 40029, errMsg: 'invalid code' };
    issued.used = true;
    this.phoneExchanges.push({ code, phone: issued.phone, at: now.toISOString() });
    const { countryCode, national } = splitE164(issued.phone);
    return {
      errCode: 0,
      errMsg: 'openapi.phonenumber.getPhoneNumber:ok',
      phoneInfo: {
        // Documented: a foreign number keeps its country code in phoneNumber, a mainland one does not.
        phoneNumber: countryCode === '86' ? national : issued.phone,
        purePhoneNumber: national,
        countryCode,
        // The time the user shared the number, in seconds.
        watermark: { timestamp: Math.floor(issued.issuedAt.getTime() / 1000), appid: issued.appid },
      },
    };
  }
}
