import {
  OpenApiError,
  type ImageCheck,
  type PhoneNumberInfo,
  type SubscribeMessage,
  type TextCheck,
  type TextVerdict,
  type UnlimitedCode,
  type UnlimitedCodeRequest,
  type WechatOpenApiPort,
} from '../ports/wechat-openapi.port';
import { nodeFetch } from './node-http.adapter';
import { wxCloud } from './wx-cloud.adapter';

interface PhoneInfoReply {
  phoneNumber?: unknown;
  purePhoneNumber?: unknown;
  countryCode?: unknown;
  watermark?: { timestamp?: number; appid?: string };
}

export interface OpenApiReply {
  errCode?: number;
  errMsg?: string;
  result?: { suggest?: string; label?: number };
  /** cloud.openapi camelCases the platform's `phone_info`. */
  phoneInfo?: PhoneInfoReply;
  /** The HTTP API's spelling, which a call with `convertCase: false` or a relay passes through. */
  phone_info?: PhoneInfoReply;
  /** wxacode: the picture's type and bytes (a Buffer from the SDK, base64 from the local stand-in). */
  contentType?: string;
  buffer?: Uint8Array | string;
  /** mediaCheckAsync: the SDK camelCases the platform's `trace_id`. */
  traceId?: string;
  trace_id?: string;
}

export type Invoke = (api: string, body: Record<string, unknown>) => Promise<OpenApiReply>;

function verdictOf(reply: OpenApiReply): { verdict: TextVerdict; label: number } {
  const suggest = reply.result?.suggest;
  const verdict: TextVerdict = suggest === 'pass' || suggest === 'review' ? suggest : 'risky';
  return { verdict, label: reply.result?.label ?? 0 };
}

function phoneInfoOf(reply: OpenApiReply): PhoneNumberInfo {
  const info = reply.phoneInfo ?? reply.phone_info;
  const { phoneNumber, purePhoneNumber, countryCode } = info ?? {};
  if (typeof phoneNumber !== 'string' || typeof purePhoneNumber !== 'string' || (typeof countryCode !== 'string' && typeof countryCode !== 'number')) {
    // Not a platform error code: a success reply without the documented fields.
    throw new Error('phonenumber.getPhoneNumber: the reply carries no phone_info');
  }
  // Documented as a string, but the platform's own example shows the number 86.
  return { phoneNumber, purePhoneNumber, countryCode: String(countryCode) };
}

function codeOf(reply: OpenApiReply): UnlimitedCode {
  const { contentType, buffer } = reply;
  const bytes = typeof buffer === 'string' ? Buffer.from(buffer, 'base64') : buffer;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new Error('wxacode.getUnlimited: the reply carries no picture');
  return { contentType: typeof contentType === 'string' && contentType ? contentType : 'image/jpeg', buffer: bytes };
}

/** Shared by both transports: the request bodies and error handling are the platform's. */
export class OpenApiAdapter implements WechatOpenApiPort {
  constructor(private readonly invoke: Invoke) {}

  private async call(api: string, body: Record<string, unknown>): Promise<OpenApiReply> {
    const reply = await this.invoke(api, body);
    if (reply.errCode) throw new OpenApiError(reply.errCode, reply.errMsg ?? api);
    return reply;
  }

  async sendSubscribeMessage(message: SubscribeMessage): Promise<void> {
    await this.call('subscribeMessage.send', {
      touser: message.touser,
      templateId: message.templateId,
      page: message.page,
      data: message.data,
      miniprogramState: message.miniprogramState ?? 'formal',
    });
  }

  async checkText(check: TextCheck): Promise<{ verdict: TextVerdict; label: number }> {
    const reply = await this.call('security.msgSecCheck', { version: 2, openid: check.openid, scene: check.scene, content: check.content, title: check.title });
    return verdictOf(reply);
  }

  async getPhoneNumber(code: string): Promise<PhoneNumberInfo> {
    return phoneInfoOf(await this.call('phonenumber.getPhoneNumber', { code }));
  }

  async getUnlimitedCode(request: UnlimitedCodeRequest): Promise<UnlimitedCode> {
    const { scene, page, checkPath, envVersion, width } = request;
    // The SDK snake-cases these (check_path, env_version); undefined ones are left out.
    return codeOf(await this.call('wxacode.getUnlimited', { scene, page, checkPath, envVersion, width }));
  }

  async checkImageAsync(check: ImageCheck): Promise<{ traceId: string }> {
    // The SDK snake-cases these (media_url, media_type); media type 2 is an image.
    const reply = await this.call('security.mediaCheckAsync', { version: 2, openid: check.openid, scene: check.scene, mediaType: 2, mediaUrl: check.url });
    const traceId = reply.traceId ?? reply.trace_id;
    if (typeof traceId !== 'string' || !traceId) throw new Error('security.mediaCheckAsync: the reply carries no trace id');
    return { traceId };
  }
}

/** Production: `cloud.openapi.<namespace>.<method>`, permitted by the function's config.json. */
function cloudInvoke(api: string, body: Record<string, unknown>): Promise<OpenApiReply> {
  const [namespace, method] = api.split('.');
  const openapi = wxCloud().openapi as unknown as Record<string, Record<string, (b: unknown) => Promise<OpenApiReply>>>;
  return openapi[namespace][method](body).catch((error: { errCode?: number; errMsg?: string }) => {
    // The SDK rejects with errCode on API errors; normalise to the reply shape.
    if (typeof error?.errCode === 'number') return { errCode: error.errCode, errMsg: error.errMsg };
    throw error;
  });
}

/** Local cloud: the stand-in at /_local/openapi records and answers like the platform. */
function localInvoke(baseUrl: string): Invoke {
  return async (api, body) => {
    const response = await nodeFetch(`${baseUrl}/_local/openapi/${api}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`local openapi ${api}: HTTP ${response.status}`);
    return JSON.parse(await response.text()) as OpenApiReply;
  };
}

/** The adapter for where the function runs: the local cloud sets XINTONG_RUNTIME=local. */
export function wechatOpenApi(env: NodeJS.ProcessEnv = process.env): WechatOpenApiPort {
  if (env.XINTONG_RUNTIME === 'local' && env.XINTONG_LOCAL_CLOUD_URL) return new OpenApiAdapter(localInvoke(env.XINTONG_LOCAL_CLOUD_URL));
  return new OpenApiAdapter(cloudInvoke);
}
