/**
 * A stand-in for the WeChat open APIs the functions call through `cloud.openapi`. The SDK
 * sends those as multipart requests to the platform, so the functions reach this stand-in
 * through their own openapi port's local adapter instead (platform-facts section 1).
 */
export interface RecordedSubscribeMessage {
  touser: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  sentAt: string;
}

export interface OpenApiStandInOptions {
  /** Text containing this word fails the content check as risky. */
  riskyWord: string;
  now?: () => Date;
}

export type OpenApiReply = { errCode: number; errMsg: string } & Record<string, unknown>;

export class OpenApiStandIn {
  readonly subscribeMessages: RecordedSubscribeMessage[] = [];
  private readonly now: () => Date;

  constructor(private readonly options: OpenApiStandInOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get riskyWord(): string {
    return this.options.riskyWord;
  }

  clear(): void {
    this.subscribeMessages.length = 0;
  }

  handle(api: string, body: Record<string, unknown>): OpenApiReply {
    switch (api) {
      case 'subscribeMessage.send':
        return this.sendSubscribeMessage(body);
      case 'security.msgSecCheck':
        return this.msgSecCheck(body);
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
}
