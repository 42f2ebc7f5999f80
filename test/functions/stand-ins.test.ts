/**
 * The production adapters against the local cloud's stand-ins: the real Tencent SMS SDK
 * posting to the local SendSms endpoint, and the openapi port's local adapter.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { TencentSmsAdapter } from '../../server/adapters/tencent-sms.adapter';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { SmsApiError } from '../../server/ports/sms.port';
import { OpenApiError } from '../../server/ports/wechat-openapi.port';
import { OpenApiStandIn, PHONE_CODE_TTL_MS } from '../../local-cloud/src/stand-ins/openapi';
import { issuePhoneCode, startTestCloud } from '../helpers/local-cloud';

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
    // The popup's acceptance, which WeChat keeps: without it the send would answer 43101.
    await fetch(`${cloud.url}/_local/openapi/subscribe`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ openid: 'o-alice', choices: { 'tmpl-1': 'accept' } }) });
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

describe('phonenumber.getPhoneNumber stand-in', () => {
  type PhoneReply = { errCode: number; errMsg: string; phoneInfo?: Record<string, unknown> };

  async function exchange(code: unknown): Promise<PhoneReply> {
    const response = await fetch(`${cloud.url}/_local/openapi/phonenumber.getPhoneNumber`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(response.status).toBe(200);
    return (await response.json()) as PhoneReply;
  }

  beforeEach(async () => {
    await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
  });

  test('an issued code gives the phone in the cloud-call shape, once', async () => {
    const before = Math.floor(Date.now() / 1000);
    const code = await issuePhoneCode(cloud, '+8613800000000');
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    const reply = await exchange(code);
    expect(reply).toEqual({
      errCode: 0,
      errMsg: 'openapi.phonenumber.getPhoneNumber:ok',
      phoneInfo: { phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: { timestamp: expect.any(Number), appid: 'wx-demo-appid' } },
    });
    const { timestamp } = (reply.phoneInfo as { watermark: { timestamp: number } }).watermark;
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

    expect(await exchange(code)).toEqual({ errCode: 40029, errMsg: 'invalid code' });
    const listed = (await (await fetch(`${cloud.url}/_local/openapi`)).json()) as { phoneExchanges: Array<{ code: string; phone: string; at: string }> };
    expect(listed.phoneExchanges).toEqual([{ code, phone: '+8613800000000', at: expect.any(String) }]);
  });

  test('codes are distinct per issue and unknown codes are refused', async () => {
    const first = await issuePhoneCode(cloud, '+8613800000001');
    const second = await issuePhoneCode(cloud, '+8613800000001');
    expect(first).not.toBe(second);
    expect(await exchange('not-a-code')).toEqual({ errCode: 40029, errMsg: 'invalid code' });
    expect(await exchange(undefined)).toMatchObject({ errCode: 40029 });
    // Refusals consume nothing: both codes still work.
    expect((await exchange(second)).errCode).toBe(0);
    expect((await exchange(first)).errCode).toBe(0);
  });

  test('a foreign number keeps its country code in phoneNumber, as documented', async () => {
    const hk = await exchange(await issuePhoneCode(cloud, '+85261234567'));
    expect(hk.phoneInfo).toMatchObject({ phoneNumber: '+85261234567', purePhoneNumber: '61234567', countryCode: '852' });
    const us = await exchange(await issuePhoneCode(cloud, '+12025550100'));
    expect(us.phoneInfo).toMatchObject({ phoneNumber: '+12025550100', purePhoneNumber: '2025550100', countryCode: '1' });
    const uk = await exchange(await issuePhoneCode(cloud, '+447700900123'));
    expect(uk.phoneInfo).toMatchObject({ purePhoneNumber: '7700900123', countryCode: '44' });
  });

  test('issuing for something that is not + and 6 to 15 digits answers 400', async () => {
    for (const phone of ['13800000000', '+86 138 0000 0000', '+12345', '+1234567890123456', '+86abc', '', 8613800000000, null]) {
      const response = await fetch(`${cloud.url}/_local/openapi/phone-code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone }) });
      expect([phone, response.status]).toEqual([phone, 400]);
    }
    await expect(issuePhoneCode(cloud, 'nope')).rejects.toThrow(/HTTP 400/);
    // The boundaries are accepted.
    expect(await issuePhoneCode(cloud, '+123456')).toEqual(expect.any(String));
    expect(await issuePhoneCode(cloud, '+123456789012345')).toEqual(expect.any(String));
  });

  test('the port\'s local adapter exchanges a code; a used one is OpenApiError 40029', async () => {
    const api = wechatOpenApi({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: cloud.url });
    const code = await issuePhoneCode(cloud, '+8613900000002');
    await expect(api.getPhoneNumber(code)).resolves.toEqual({ phoneNumber: '13900000002', purePhoneNumber: '13900000002', countryCode: '86' });
    await expect(api.getPhoneNumber(code)).rejects.toMatchObject({ constructor: OpenApiError, errCode: 40029 });
  });

  test('a code expires 5 minutes after it was issued (stand-in clock)', () => {
    let clock = Date.parse('2026-03-02T01:00:00Z');
    const standIn = new OpenApiStandIn({ riskyWord: 'x', appid: 'wx-test-appid', now: () => new Date(clock) });
    const fresh = standIn.issuePhoneCode('+8613800000003');
    const stale = standIn.issuePhoneCode('+8613800000004');
    clock += PHONE_CODE_TTL_MS - 1;
    expect(standIn.handle('phonenumber.getPhoneNumber', { code: fresh })).toMatchObject({
      errCode: 0,
      phoneInfo: { purePhoneNumber: '13800000003', watermark: { timestamp: Date.parse('2026-03-02T01:00:00Z') / 1000, appid: 'wx-test-appid' } },
    });
    clock += 1;
    expect(standIn.handle('phonenumber.getPhoneNumber', { code: stale })).toEqual({ errCode: 40029, errMsg: 'invalid code' });
    expect(standIn.phoneExchanges).toEqual([{ code: fresh, phone: '+8613800000003', at: new Date(clock - 1).toISOString() }]);
    // clear() forgets exchanges and outstanding codes alike.
    const pending = standIn.issuePhoneCode('+8613800000005');
    standIn.clear();
    expect(standIn.phoneExchanges).toEqual([]);
    expect(standIn.handle('phonenumber.getPhoneNumber', { code: pending })).toMatchObject({ errCode: 40029 });
    expect(() => standIn.issuePhoneCode('13800000000')).toThrow(RangeError);
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
