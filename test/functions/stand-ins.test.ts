/**
 * The production adapters against the local cloud's stand-ins: the real Tencent SMS SDK
 * posting to the local SendSms endpoint, and the openapi port's local adapter.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { TencentSmsAdapter } from '../../server/adapters/tencent-sms.adapter';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { SmsApiError } from '../../server/ports/sms.port';
import { OpenApiError } from '../../server/ports/wechat-openapi.port';
import { startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud.close();
});

function sms(): TencentSmsAdapter {
  return new TencentSmsAdapter({
    secretId: 'test-id',
    secretKey: 'test-key',
    region: 'ap-guangzhou',
    smsSdkAppId: '1400000000',
    signName: '信通',
    endpoint: cloud.url.replace('http://', ''),
    protocol: 'http://',
  });
}

describe('SMS outbox behind the Tencent SDK', () => {
  beforeEach(async () => {
    await fetch(`${cloud.url}/_local/sms`, { method: 'DELETE' });
  });

  test('records each accepted message and reports per-number codes', async () => {
    const deliveries = await sms().send({ phoneNumbers: ['+8613800000001', '+8613800000002', '+86123'], templateId: '100001', params: ['期末考试安排'] });
    expect(deliveries.map((d) => d.code)).toEqual(['Ok', 'Ok', 'InvalidParameterValue.IncorrectPhoneNumber']);
    expect(deliveries[0].serialNo).toEqual(expect.any(String));
    expect(deliveries[2].serialNo).toBeNull();
    const outbox = (await (await fetch(`${cloud.url}/_local/sms`)).json()) as { messages: Array<{ phoneNumber: string; params: string[]; signName: string }> };
    expect(outbox.messages.map((m) => m.phoneNumber)).toEqual(['+8613800000001', '+8613800000002']);
    expect(outbox.messages[0]).toMatchObject({ params: ['期末考试安排'], signName: '信通' });
  });

  test('more than 200 numbers go out in batches of 200', async () => {
    const numbers = Array.from({ length: 450 }, (_, i) => `+86139${String(i).padStart(8, '0')}`);
    const deliveries = await sms().send({ phoneNumbers: numbers, templateId: '100002', params: [] });
    expect(deliveries).toHaveLength(450);
    expect(deliveries.every((d) => d.code === 'Ok')).toBe(true);
    expect(cloud.cloud.sms.outbox).toHaveLength(450);
  });

  test('the same content to the same number within 30 seconds is refused for that number only', async () => {
    await sms().send({ phoneNumbers: ['+8613800000009'], templateId: '100003', params: ['a'] });
    const again = await sms().send({ phoneNumbers: ['+8613800000009', '+8613800000010'], templateId: '100003', params: ['a'] });
    expect(again.map((d) => d.code)).toEqual(['LimitExceeded.PhoneNumberThirtySecondLimit', 'Ok']);
  });

  test('an API error in a later batch keeps the deliveries of the batches already sent', async () => {
    // 200 mainland numbers go out; the next batch mixes regions, which the API refuses whole.
    const numbers = [...Array.from({ length: 200 }, (_, i) => `+86137${String(i).padStart(8, '0')}`), '+8613700009999', '+12025550100'];
    const failure = await sms().send({ phoneNumbers: numbers, templateId: '100005', params: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SmsApiError);
    expect((failure as SmsApiError).delivered).toHaveLength(200);
    expect((failure as SmsApiError).delivered.every((d) => d.code === 'Ok')).toBe(true);
    expect(cloud.cloud.sms.outbox).toHaveLength(200);
  });

  test('an API-level error surfaces as SmsApiError with the Tencent code', async () => {
    await expect(sms().send({ phoneNumbers: ['+8613800000001', '+12025550100'], templateId: '100004', params: [] })).rejects.toMatchObject({
      constructor: SmsApiError,
      code: 'InvalidParameter',
    });
    expect(cloud.cloud.sms.outbox).toHaveLength(0);
  });
});

describe('WeChat openapi stand-in through the local adapter', () => {
  const env = () => ({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: cloud.url });

  test('subscribe messages are recorded and inspectable', async () => {
    await wechatOpenApi(env()).sendSubscribeMessage({ touser: 'o-alice', templateId: 'tmpl-1', page: 'pages/notices/index', data: { thing1: { value: '期末考试' } } });
    const listed = (await (await fetch(`${cloud.url}/_local/openapi`)).json()) as { subscribeMessages: Array<{ touser: string; templateId: string }> };
    expect(listed.subscribeMessages).toEqual([expect.objectContaining({ touser: 'o-alice', templateId: 'tmpl-1', page: 'pages/notices/index' })]);
  });

  test('the content check passes ordinary text and rejects the configured test word', async () => {
    const api = wechatOpenApi(env());
    await expect(api.checkText({ openid: 'o-alice', scene: 2, content: '明天下午开会' })).resolves.toEqual({ verdict: 'pass', label: 100 });
    await expect(api.checkText({ openid: 'o-alice', scene: 2, content: '这里有违禁测试词' })).resolves.toEqual({ verdict: 'risky', label: 20006 });
  });

  test('platform errors become OpenApiError with the errCode', async () => {
    await expect(wechatOpenApi(env()).sendSubscribeMessage({ touser: '', templateId: 'tmpl-1', data: {} })).rejects.toMatchObject({ constructor: OpenApiError, errCode: 40003 });
  });
});

describe('inspection endpoints', () => {
  test('list invocations and collections; unknown ones answer 404', async () => {
    const health = (await (await fetch(`${cloud.url}/_local/health`)).json()) as { functions: string[] };
    expect(health.functions).toEqual(expect.arrayContaining(['login', 'setup']));
    expect((await fetch(`${cloud.url}/_local/db/users`)).status).toBe(200);
    expect((await fetch(`${cloud.url}/_local/db/no-such-collection`)).status).toBe(404);
    expect((await fetch(`${cloud.url}/_local/invocations/no-such-id`)).status).toBe(404);
    expect((await fetch(`${cloud.url}/_local/nothing`)).status).toBe(404);
  });
});
