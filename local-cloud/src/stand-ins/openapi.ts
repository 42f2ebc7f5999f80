/**
 * A stand-in for the WeChat open APIs the functions call through `cloud.openapi`. The SDK
 * sends those as multipart requests to the platform, so the functions reach this stand-in
 * through their own openapi port's local adapter instead (platform-facts section 1).
 */
import { randomBytes } from 'node:crypto';
import type { SubscribeChoice } from '../../../typings/notice';
import type { PushOutcome, PushedMessage } from '../message-push';
import { DEMO_APPID } from '../seed';
import { MediaCheckStandIn } from './media-check';
import { WxacodeStandIn } from './wxacode';

/** What a person may answer for one template in a `wx.requestSubscribeMessage` popup. */
export type { SubscribeChoice };

/** One `subscribeMessage.send` attempt, delivered (`errCode` 0) or refused. */
export interface RecordedSubscribeMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
  errCode: number;
  errMsg: string;
}

export const SUBSCRIBE_CHOICES: readonly SubscribeChoice[] = ['accept', 'reject', 'ban', 'filter'];

/** `wx.requestSubscribeMessage` takes at most this many template ids per call. */
export const MAX_TEMPLATES_PER_POPUP = 3;

/** What WeChat remembers of one person and one template: the one-time credits left, the last answer. */
export interface SubscribeCredit {
  openid: string;
  templateId: string;
  /** One-time templates: accepts not yet spent by a send. Long-term templates: always 0. */
  credits: number;
  lastChoice: SubscribeChoice;
}

export class SubscribeRequestError extends Error {}

export interface RecordedPhoneExchange {
  code: string;
  /** E.164, as issued. */
  phone: string;
  at: string;
}

export interface OpenApiStandInOptions {
  /** Text containing this word fails the content check as risky. */
  riskyWord: string;
  /**
   * Long-term subscribe templates (some service categories only): a send spends no credit, and
   * needs only that the person's latest answer for the template is accept. Default none.
   */
  longTermTemplates?: readonly string[];
  /** The mini-program the phone codes belong to (their watermark); the demo appid by default. */
  appid?: string;
  /**
   * The published mini-program's pages, the main page first (see miniprogramPages): what
   * `wxacode.getUnlimited` checks `page` against. None by default.
   */
  pages?: () => readonly string[];
  /**
   * Hands a platform message (the image check's verdict) to the function the 消息推送 setting
   * routes it to; without it every verdict stays undelivered.
   */
  pushMessage?: (message: PushedMessage) => Promise<PushOutcome>;
  now?: () => Date;
}

/** Characters of content one msgSecCheck v2 call takes. */
export const MSG_SEC_CHECK_MAX = 2500;

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

/**
 * The documented limits of template keyword values, by the keyword's type (the name before its
 * number: `thing1`, `character_string4`). Null when `value` fits, otherwise what is wrong.
 * Times and dates must read as one (`2026-12-01 18:00`, `2026年12月1日`, `18:00`): the platform
 * refuses text there.
 */
function keywordProblem(type: string, value: string): string | null {
  const chars = [...value].length;
  switch (type) {
    case 'thing':
      return chars <= 20 ? null : 'exceeds 20 characters';
    case 'name':
      // 10 Chinese characters, or 20 letters when it has none.
      return /^[\x20-\x7e]+$/.test(value) ? (chars <= 20 ? null : 'exceeds 20 letters') : chars <= 10 ? null : 'exceeds 10 characters';
    case 'phrase':
      return /^\p{Script=Han}{1,5}$/u.test(value) ? null : 'must be at most 5 Chinese characters';
    case 'character_string':
      return /^[\x20-\x7e]{1,32}$/.test(value) ? null : 'must be at most 32 letters, digits or symbols';
    case 'number': {
      const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
      return match && match[1].length + (match[2]?.length ?? 0) <= 32 ? null : 'must be a number of at most 32 digits';
    }
    case 'letter':
      return /^[A-Za-z]{1,32}$/.test(value) ? null : 'must be at most 32 letters';
    case 'symbol':
      return chars <= 5 ? null : 'exceeds 5 symbols';
    case 'phone_number':
      return /^[\d+\-() ]{1,17}$/.test(value) ? null : 'must be a phone number of at most 17 digits or symbols';
    case 'car_number':
      return chars <= 8 ? null : 'exceeds 8 characters';
    case 'time':
    case 'date':
      return /^(\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?)?( ?\d{1,2}:\d{2}(:\d{2})?)?$/.test(value) ? null : 'is not a date or time';
    default:
      return null;
  }
}

/** Why `data` is refused (47003, the message names the field), or null. */
function dataProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || Object.keys(data).length === 0) return 'data is empty';
  for (const [key, item] of Object.entries(data as Record<string, unknown>)) {
    const keyword = /^([a-z_]+?)(\d+)$/.exec(key);
    if (!keyword) return `data.${key} is not a template keyword`;
    const value = typeof item === 'object' && item !== null ? (item as { value?: unknown }).value : undefined;
    if (typeof value !== 'string' || value.length === 0) return `data.${key}.value is empty`;
    const problem = keywordProblem(keyword[1], value);
    if (problem) return `data.${key}.value ${problem}`;
  }
  return null;
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
  /** By openid, then template id. */
  private readonly ledger = new Map<string, Map<string, SubscribeCredit>>();
  private readonly longTerm: ReadonlySet<string>;
  private readonly now: () => Date;
  /** Mini-program codes asked for, recorded with their answer. */
  readonly wxacode: WxacodeStandIn;
  /** Image checks asked for, their verdicts and where they were pushed. */
  readonly mediaCheck: MediaCheckStandIn;

  constructor(private readonly options: OpenApiStandInOptions) {
    this.now = options.now ?? (() => new Date());
    this.longTerm = new Set(options.longTermTemplates ?? []);
    this.wxacode = new WxacodeStandIn(options.pages ?? (() => []), this.now);
    this.mediaCheck = new MediaCheckStandIn({
      riskyWord: () => this.options.riskyWord,
      appid: options.appid ?? DEMO_APPID,
      now: this.now,
      push: options.pushMessage ?? (async () => ({ delivered: false, functionName: null, status: null, response: null, problem: 'no message push configured' })),
    });
  }

  isLongTerm(templateId: string): boolean {
    return this.longTerm.has(templateId);
  }

  get riskyWord(): string {
    return this.options.riskyWord;
  }

  clear(): void {
    this.subscribeMessages.length = 0;
    this.phoneExchanges.length = 0;
    this.phoneCodes.clear();
    this.ledger.clear();
    this.wxacode.clear();
    this.mediaCheck.clear();
  }

  /**
   * The platform's half of a `wx.requestSubscribeMessage` popup: what the person chose for each
   * template. Each accept of a one-time template is one more credit; the other answers add none
   * and take none away. Throws SubscribeRequestError for a call the platform would refuse.
   */
  subscribe(openid: string, choices: Record<string, SubscribeChoice>): SubscribeCredit[] {
    const ids = Object.keys(choices);
    if (!openid) throw new SubscribeRequestError('openid is empty');
    if (ids.length === 0 || ids.length > MAX_TEMPLATES_PER_POPUP) throw new SubscribeRequestError(`choose 1 to ${MAX_TEMPLATES_PER_POPUP} templates`);
    if (ids.some((id) => id.length === 0)) throw new SubscribeRequestError('a template id is empty');
    const longTerm = ids.filter((id) => this.longTerm.has(id)).length;
    if (longTerm > 0 && longTerm < ids.length) throw new SubscribeRequestError('one-time and long-term templates cannot be asked for together');
    for (const id of ids) if (!SUBSCRIBE_CHOICES.includes(choices[id])) throw new SubscribeRequestError(`the choice for ${id} must be one of ${SUBSCRIBE_CHOICES.join(', ')}`);
    let byTemplate = this.ledger.get(openid);
    if (!byTemplate) this.ledger.set(openid, (byTemplate = new Map()));
    return ids.map((id) => {
      const entry = byTemplate.get(id) ?? { openid, templateId: id, credits: 0, lastChoice: choices[id] };
      entry.lastChoice = choices[id];
      if (choices[id] === 'accept' && !this.longTerm.has(id)) entry.credits += 1;
      byTemplate.set(id, entry);
      return { ...entry };
    });
  }

  /** Every person and template WeChat remembers an answer for, by openid then template id. */
  subscribeCredits(): SubscribeCredit[] {
    return [...this.ledger.values()]
      .flatMap((byTemplate) => [...byTemplate.values()])
      .sort((a, b) => (a.openid === b.openid ? compare(a.templateId, b.templateId) : compare(a.openid, b.openid)))
      .map((entry) => ({ ...entry }));
  }

  /** One-time credits `openid` has left for `templateId`. */
  creditsOf(openid: string, templateId: string): number {
    return this.ledger.get(openid)?.get(templateId)?.credits ?? 0;
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
      case 'security.mediaCheckAsync':
        return this.mediaCheck.ask(body);
      case 'wxacode.getUnlimited': {
        // The SDK hands the function a Buffer; over the local HTTP hop the picture travels as base64.
        const { buffer, ...reply } = this.wxacode.getUnlimited(body);
        return buffer ? { ...reply, buffer: buffer.toString('base64') } : reply;
      }
      default:
        return { errCode: -604101, errMsg: `${api}: not implemented by the local cloud` };
    }
  }

  /**
   * Checked in the platform's order: the openid, the template, the data, then the person's
   * permission: a one-time template spends one credit (43101 without one), a long-term one
   * needs the latest answer to be accept. Every attempt is recorded with its result.
   *
   * Synchronous, so two sends to one person never overlap here and the platform's 43108 (sends
   * to one openid at the same time) cannot happen locally.
   */
  private sendSubscribeMessage(body: Record<string, unknown>): OpenApiReply {
    const { touser, templateId, page, data } = body;
    const reply = this.subscribeReply(touser, templateId, data);
    this.subscribeMessages.push({
      touser: typeof touser === 'string' ? touser : '',
      templateId: typeof templateId === 'string' ? templateId : '',
      page: typeof page === 'string' ? page : null,
      data: typeof data === 'object' && data !== null ? (data as Record<string, { value: string }>) : {},
      sentAt: this.now().toISOString(),
      errCode: reply.errCode,
      errMsg: reply.errMsg,
    });
    return reply;
  }

  private subscribeReply(touser: unknown, templateId: unknown, data: unknown): OpenApiReply {
    if (typeof touser !== 'string' || !touser) return { errCode: 40003, errMsg: 'invalid openid' };
    if (typeof templateId !== 'string' || !templateId) return { errCode: 40037, errMsg: 'invalid template_id' };
    const problem = dataProblem(data);
    if (problem) return { errCode: 47003, errMsg: `argument invalid! ${problem}` };
    const entry = this.ledger.get(touser)?.get(templateId);
    if (this.longTerm.has(templateId)) {
      if (entry?.lastChoice !== 'accept') return { errCode: 43101, errMsg: 'user refuse to accept the msg' };
    } else {
      if (!entry || entry.credits === 0) return { errCode: 43101, errMsg: 'user refuse to accept the msg' };
      entry.credits -= 1;
    }
    return { errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' };
  }

  private msgSecCheck(body: Record<string, unknown>): OpenApiReply {
    const content = typeof body.content === 'string' ? body.content : '';
    const title = typeof body.title === 'string' ? body.title : '';
    // Version 2 takes at most 2,500 characters of content (platform facts): longer text must come in pieces.
    if ([...content].length > MSG_SEC_CHECK_MAX) return { errCode: 47001, errMsg: `content is longer than ${MSG_SEC_CHECK_MAX} characters` };
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

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
