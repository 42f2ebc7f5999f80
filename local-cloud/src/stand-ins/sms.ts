/**
 * A stand-in for Tencent Cloud SMS `SendSms` (API 2021-01-11) that records every message in an
 * outbox and never sends. The project's SMS adapter drives it with the real Tencent SDK, whose
 * endpoint is pointed here, so the request and reply shapes are the real ones.
 */
import { randomUUID } from 'node:crypto';

export interface OutboxMessage {
  serialNo: string;
  phoneNumber: string;
  templateId: string;
  signName: string;
  params: string[];
  sessionContext: string;
  sentAt: string;
}

interface SendStatus {
  SerialNo: string;
  PhoneNumber: string;
  Fee: number;
  SessionContext: string;
  Code: string;
  Message: string;
  IsoCode: string;
}

const E164_MAINLAND = /^\+861[3-9]\d{9}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_NUMBERS = 200;
const SAME_CONTENT_WINDOW_MS = 30_000;

export interface SmsStandInOptions {
  now?: () => Date;
  /** Numbers that answer FailedOperation.PhoneNumberInBlacklist, to exercise failure paths. */
  blacklist?: string[];
}

function apiError(code: string, message: string): { Response: { Error: { Code: string; Message: string }; RequestId: string } } {
  return { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } };
}

/** Billed parts: up to 70 characters is one message, longer ones go in 67-character parts. */
export function billedParts(text: string): number {
  const length = [...text].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}

export class SmsStandIn {
  readonly outbox: OutboxMessage[] = [];
  private readonly lastSent = new Map<string, number>();
  private readonly now: () => Date;
  private readonly blacklist: Set<string>;

  constructor(options: SmsStandInOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.blacklist = new Set(options.blacklist ?? []);
  }

  clear(): void {
    this.outbox.length = 0;
    this.lastSent.clear();
  }

  /** Handles one Tencent Cloud API call; `action` is the X-TC-Action header. */
  handle(action: string, body: Record<string, unknown>): unknown {
    if (action !== 'SendSms') return apiError('UnsupportedOperation', `the local SMS stand-in does not implement ${action}`);
    const numbers = body.PhoneNumberSet;
    const templateId = body.TemplateId;
    const appId = body.SmsSdkAppId;
    if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every((n) => typeof n === 'string')) {
      return apiError('MissingParameter', 'PhoneNumberSet is required');
    }
    if (numbers.length > MAX_NUMBERS) {
      return apiError('LimitExceeded.PhoneNumberCountLimit', `at most ${MAX_NUMBERS} numbers per request`);
    }
    if (typeof templateId !== 'string' || !templateId) return apiError('MissingParameter', 'TemplateId is required');
    if (typeof appId !== 'string' || !appId) return apiError('MissingParameter', 'SmsSdkAppId is required');
    const mainland = numbers.map((n) => n.startsWith('+86'));
    if (mainland.some((m) => m !== mainland[0])) {
      return apiError('InvalidParameter', 'mainland and international numbers cannot be mixed in one request');
    }
    const params = Array.isArray(body.TemplateParamSet) ? body.TemplateParamSet.map(String) : [];
    const signName = typeof body.SignName === 'string' ? body.SignName : '';
    const sessionContext = typeof body.SessionContext === 'string' ? body.SessionContext : '';
    const at = this.now();
    const content = `${templateId}|${params.join('|')}`;
    const statuses: SendStatus[] = numbers.map((phoneNumber) => {
      const base = { SerialNo: '', PhoneNumber: phoneNumber, Fee: 0, SessionContext: sessionContext, IsoCode: phoneNumber.startsWith('+86') ? 'CN' : 'XX' };
      const valid = phoneNumber.startsWith('+86') ? E164_MAINLAND.test(phoneNumber) : E164.test(phoneNumber);
      if (!valid) return { ...base, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'incorrect phone number' };
      if (this.blacklist.has(phoneNumber)) return { ...base, Code: 'FailedOperation.PhoneNumberInBlacklist', Message: 'phone number in blacklist' };
      const key = `${phoneNumber}|${content}`;
      const previous = this.lastSent.get(key);
      if (previous !== undefined && at.getTime() - previous < SAME_CONTENT_WINDOW_MS) {
        return { ...base, Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'same content to the same number within 30 seconds' };
      }
      this.lastSent.set(key, at.getTime());
      const serialNo = randomUUID();
      this.outbox.push({ serialNo, phoneNumber, templateId, signName, params, sessionContext, sentAt: at.toISOString() });
      const fee = billedParts(`【${signName}】${params.join('')}`);
      return { ...base, SerialNo: serialNo, Fee: fee, Code: 'Ok', Message: 'send success' };
    });
    return { Response: { SendStatusSet: statuses, RequestId: randomUUID() } };
  }
}
