/** Text messages through a provider (Tencent Cloud SMS in production, an outbox locally). */
export interface SmsRequest {
  /** E.164 numbers; all mainland (+86) or all international. Any count: the adapter batches. */
  phoneNumbers: string[];
  templateId: string;
  /** Exactly as many values as the template has variables. */
  params: string[];
  /** Echoed back in delivery receipts; under 512 bytes. */
  sessionContext?: string;
}

export interface SmsDelivery {
  phoneNumber: string;
  /** Provider code; `Ok` when accepted. */
  code: string;
  message: string;
  serialNo: string | null;
  /** Billed message parts. */
  fee: number;
}

/**
 * The provider rejected a whole request (bad credentials, template, rate limit of the app...).
 * Requests before it may have gone out: `delivered` holds their deliveries, so a caller that
 * retries can skip those numbers instead of texting them twice.
 */
export class SmsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly delivered: SmsDelivery[] = [],
  ) {
    super(message);
    this.name = 'SmsApiError';
  }
}

export interface SmsPort {
  /** One delivery per number, in order; a failure of one number is only that entry's code. */
  send(request: SmsRequest): Promise<SmsDelivery[]>;
}
