/**
 * The local route that plays WeChat's half of a `wx.requestSubscribeMessage` popup, and the
 * credits it gives as the production openapi adapter spends them against the local cloud.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { OpenApiError } from '../../server/ports/wechat-openapi.port';
import { startTestCloud } from '../helpers/local-cloud';

const NOTICE = 'tmpl-notice';
const LONG = 'tmpl-long-term';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ subscribeLongTermTemplates: [LONG] });
});

afterAll(async () => {
  await cloud.close();
});

beforeEach(async () => {
  await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
});

async function subscribe(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${cloud.url}/_local/openapi/subscribe`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function listing(): Promise<{ subscribeMessages: Array<{ touser: string; errCode: number }>; subscribeCredits: unknown[] }> {
  return (await (await fetch(`${cloud.url}/_local/openapi`)).json()) as { subscribeMessages: Array<{ touser: string; errCode: number }>; subscribeCredits: unknown[] };
}

function notify(touser: string, templateId = NOTICE): Promise<void> {
  const api = wechatOpenApi({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: cloud.url });
  return api.sendSubscribeMessage({ touser, templateId, page: 'pages/notice-detail/index', data: { thing1: { value: '期末考试安排' } } });
}

test('an accept is one send through the production adapter; the next is OpenApiError 43101', async () => {
  await expect(notify('o-alice')).rejects.toMatchObject({ constructor: OpenApiError, errCode: 43101 });
  expect(await subscribe({ openid: 'o-alice', choices: { [NOTICE]: 'accept' } })).toEqual({
    status: 200,
    body: { credits: [{ openid: 'o-alice', templateId: NOTICE, credits: 1, lastChoice: 'accept' }] },
  });
  await notify('o-alice');
  await expect(notify('o-alice')).rejects.toMatchObject({ constructor: OpenApiError, errCode: 43101 });

  const listed = await listing();
  expect(listed.subscribeMessages.map((m) => [m.touser, m.errCode])).toEqual([
    ['o-alice', 43101],
    ['o-alice', 0],
    ['o-alice', 43101],
  ]);
  expect(listed.subscribeCredits).toEqual([{ openid: 'o-alice', templateId: NOTICE, credits: 0, lastChoice: 'accept' }]);
});

test('the long-term templates given to the cloud spend no credit', async () => {
  await subscribe({ openid: 'o-bob', choices: { [LONG]: 'accept' } });
  await notify('o-bob', LONG);
  await notify('o-bob', LONG);
  expect((await listing()).subscribeMessages.map((m) => m.errCode)).toEqual([0, 0]);
});

test('the reset route forgets the credits', async () => {
  await subscribe({ openid: 'o-carol', choices: { [NOTICE]: 'accept' } });
  expect((await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' })).status).toBe(200);
  expect((await listing()).subscribeCredits).toEqual([]);
  await expect(notify('o-carol')).rejects.toMatchObject({ errCode: 43101 });
});

test('a malformed popup answers 400 and changes nothing', async () => {
  const malformed: unknown[] = [
    'not json',
    '[]',
    {},
    { openid: 'o-dave' },
    { openid: 7, choices: { [NOTICE]: 'accept' } },
    { openid: 'o-dave', choices: [NOTICE] },
    { openid: 'o-dave', choices: null },
    { openid: '', choices: { [NOTICE]: 'accept' } },
    { openid: 'o-dave', choices: {} },
    { openid: 'o-dave', choices: { [NOTICE]: 'yes' } },
    { openid: 'o-dave', choices: { a: 'accept', b: 'accept', c: 'accept', d: 'accept' } },
    { openid: 'o-dave', choices: { [NOTICE]: 'accept', [LONG]: 'accept' } },
  ];
  for (const body of malformed) {
    const reply = await subscribe(body);
    expect([body, reply.status]).toEqual([body, 400]);
  }
  expect((await listing()).subscribeCredits).toEqual([]);
});
