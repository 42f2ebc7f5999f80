import * as tencentSms from 'tencentcloud-sdk-nodejs-sms';
import { SmsApiError, type SmsDelivery, type SmsPort, type SmsRequest } from '../ports/sms.port';

export interface TencentSmsConfig {
  secretId: string;
  secretKey: string;
  region: string;
  smsSdkAppId: string;
  signName: string;
  /** Host (and port) of the API; `sms.tencentcloudapi.com` in production. */
  endpoint: string;
  protocol: 'https://' | 'http://';
}

/** SendSms accepts at most this many numbers per request; the SDK does not check. */
export const SEND_SMS_BATCH = 200;

type SmsClient = InstanceType<typeof tencentSms.sms.v20210111.Client>;

/** Tencent Cloud SMS (API 2021-01-11) through the official SDK. */
export class TencentSmsAdapter implements SmsPort {
  private readonly client: SmsClient;

  constructor(private readonly config: TencentSmsConfig) {
    this.client = new tencentSms.sms.v20210111.Client({
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: config.region,
      profile: { httpProfile: { endpoint: config.endpoint, protocol: config.protocol, reqTimeout: 10 } },
    });
  }

  async send(request: SmsRequest): Promise<SmsDelivery[]> {
    const deliveries: SmsDelivery[] = [];
    for (let start = 0; start < request.phoneNumbers.length; start += SEND_SMS_BATCH) {
      const batch = request.phoneNumbers.slice(start, start + SEND_SMS_BATCH);
      try {
        deliveries.push(...(await this.sendBatch(batch, request)));
      } catch (error) {
        if (error instanceof SmsApiError) throw new SmsApiError(error.code, error.message, error.requestId, deliveries);
        throw error;
      }
    }
    return deliveries;
  }

  private async sendBatch(phoneNumbers: string[], request: SmsRequest): Promise<SmsDelivery[]> {
    let response;
    try {
      response = await this.client.SendSms({
        PhoneNumberSet: phoneNumbers,
        SmsSdkAppId: this.config.smsSdkAppId,
        TemplateId: request.templateId,
        SignName: this.config.signName,
        TemplateParamSet: request.params,
        SessionContext: request.sessionContext,
      });
    } catch (error) {
      const e = error as { code?: string; message?: string; requestId?: string };
      throw new SmsApiError(e.code ?? 'Unknown', e.message ?? String(error), e.requestId ?? null);
    }
    return (response.SendStatusSet ?? []).map((status) => ({
      phoneNumber: status.PhoneNumber ?? '',
      code: status.Code ?? '',
      message: status.Message ?? '',
      serialNo: status.SerialNo ? status.SerialNo : null,
      fee: status.Fee ?? 0,
    }));
  }
}
