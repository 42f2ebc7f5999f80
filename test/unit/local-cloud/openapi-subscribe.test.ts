/**
 * The subscribe-message half of the openapi stand-in: one-time credits per person and template,
 * long-term templates, and the platform's refusals of `subscribeMessage.send`.
 */
import { OpenApiStandIn, SubscribeRequestError, type OpenApiReply } from '../../../local-cloud/src/stand-ins/openapi';

const NOTICE = 'tmpl-notice';
const REMIND = 'tmpl-remind';
const LONG = 'tmpl-long-term';

function standIn(): OpenApiStandIn {
  return new OpenApiStandIn({ riskyWord: 'x', longTermTemplates: [LONG], now: () => new Date('2026-03-02T01:00:00Z') });
}

function send(api: OpenApiStandIn, touser: unknown, templateId: unknown, data: unknown = { thing1: { value: '期末考试安排' } }): OpenApiReply {
  return api.handle('subscribeMessage.send', { touser, templateId, page: 'pages/notice-detail/index', data });
}

describe('one-time credits', () => {
  test('a send without any accept is 43101 and is recorded with its result', () => {
    const api = standIn();
    expect(send(api, 'o-a', NOTICE)).toEqual({ errCode: 43101, errMsg: 'user refuse to accept the msg' });
    expect(api.subscribeMessages).toEqual([
      {
        touser: 'o-a',
        templateId: NOTICE,
        page: 'pages/notice-detail/index',
        data: { thing1: { value: '期末考试安排' } },
        sentAt: '2026-03-02T01:00:00.000Z',
        errCode: 43101,
        errMsg: 'user refuse to accept the msg',
      },
    ]);
  });

  test('each accept is one send; repeated accepts add up; a spent credit is gone', () => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    api.subscribe('o-a', { [NOTICE]: 'accept', [REMIND]: 'reject' });
    expect(api.creditsOf('o-a', NOTICE)).toBe(2);
    expect(send(api, 'o-a', NOTICE).errCode).toBe(0);
    expect(send(api, 'o-a', NOTICE)).toEqual({ errCode: 0, errMsg: 'openapi.subscribeMessage.send:ok' });
    expect(send(api, 'o-a', NOTICE).errCode).toBe(43101);
    expect(api.subscribeMessages.map((m) => m.errCode)).toEqual([0, 0, 43101]);
    expect(api.creditsOf('o-a', NOTICE)).toBe(0);
  });

  test('credits belong to one person and one template', () => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    expect(send(api, 'o-b', NOTICE).errCode).toBe(43101);
    expect(send(api, 'o-a', REMIND).errCode).toBe(43101);
    expect(send(api, 'o-a', NOTICE).errCode).toBe(0);
  });

  test('reject, ban and filter add nothing and take nothing away', () => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    api.subscribe('o-a', { [NOTICE]: 'reject' });
    api.subscribe('o-a', { [NOTICE]: 'ban', [REMIND]: 'filter' });
    expect(api.subscribeCredits()).toEqual([
      { openid: 'o-a', templateId: NOTICE, credits: 1, lastChoice: 'ban' },
      { openid: 'o-a', templateId: REMIND, credits: 0, lastChoice: 'filter' },
    ]);
    expect(send(api, 'o-a', REMIND).errCode).toBe(43101);
    expect(send(api, 'o-a', NOTICE).errCode).toBe(0);
  });

  test('the answer reports the credits left per template; clear() forgets the ledger', () => {
    const api = standIn();
    expect(api.subscribe('o-a', { [NOTICE]: 'accept', [REMIND]: 'accept' })).toEqual([
      { openid: 'o-a', templateId: NOTICE, credits: 1, lastChoice: 'accept' },
      { openid: 'o-a', templateId: REMIND, credits: 1, lastChoice: 'accept' },
    ]);
    api.clear();
    expect(api.subscribeCredits()).toEqual([]);
    expect(send(api, 'o-a', NOTICE).errCode).toBe(43101);
  });
});

describe('long-term templates', () => {
  test('need the latest answer to be accept, and spend nothing', () => {
    const api = standIn();
    expect(send(api, 'o-a', LONG).errCode).toBe(43101);
    api.subscribe('o-a', { [LONG]: 'accept' });
    for (let i = 0; i < 3; i += 1) expect(send(api, 'o-a', LONG).errCode).toBe(0);
    expect(api.subscribeCredits()).toEqual([{ openid: 'o-a', templateId: LONG, credits: 0, lastChoice: 'accept' }]);
    api.subscribe('o-a', { [LONG]: 'reject' });
    expect(send(api, 'o-a', LONG).errCode).toBe(43101);
  });

  test('a template is long-term only when configured so', () => {
    const api = new OpenApiStandIn({ riskyWord: 'x' });
    expect(api.isLongTerm(LONG)).toBe(false);
    api.subscribe('o-a', { [LONG]: 'accept' });
    expect(send(api, 'o-a', LONG).errCode).toBe(0);
    expect(send(api, 'o-a', LONG).errCode).toBe(43101);
  });
});

describe('a popup the platform would refuse changes nothing', () => {
  test.each([
    ['no openid', '', { [NOTICE]: 'accept' }],
    ['no template', 'o-a', {}],
    ['more than 3 templates', 'o-a', { a: 'accept', b: 'accept', c: 'accept', d: 'accept' }],
    ['an empty template id', 'o-a', { '': 'accept' }],
    ['one-time and long-term mixed', 'o-a', { [NOTICE]: 'accept', [LONG]: 'accept' }],
    ['an unknown answer', 'o-a', { [NOTICE]: 'accept', [REMIND]: 'yes' }],
  ])('%s', (_, openid, choices) => {
    const api = standIn();
    expect(() => api.subscribe(openid, choices as never)).toThrow(SubscribeRequestError);
    expect(api.subscribeCredits()).toEqual([]);
  });
});

describe('subscribeMessage.send refusals', () => {
  test('openid and template id are checked first, and spend no credit', () => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    expect(send(api, '', NOTICE)).toEqual({ errCode: 40003, errMsg: 'invalid openid' });
    expect(send(api, undefined, NOTICE).errCode).toBe(40003);
    expect(send(api, 'o-a', '')).toEqual({ errCode: 40037, errMsg: 'invalid template_id' });
    expect(send(api, 'o-a', NOTICE, { thing1: { value: 'x'.repeat(21) } }).errCode).toBe(47003);
    expect(api.creditsOf('o-a', NOTICE)).toBe(1);
    expect(api.subscribeMessages.map((m) => m.errCode)).toEqual([40003, 40003, 40037, 47003]);
  });

  test.each([
    ['thing1', '一二三四五六七八九十一二三四五六七八九十', '一二三四五六七八九十一二三四五六七八九十一', 'exceeds 20 characters'],
    ['name2', '欧阳娜娜娜娜娜娜娜娜', '欧阳娜娜娜娜娜娜娜娜娜', 'exceeds 10 characters'],
    ['name2', 'Alexandra Richardson', 'Alexandra Richardsons', 'exceeds 20 letters'],
    ['phrase3', '待确认收到', '请尽快确认收到', 'must be at most 5 Chinese characters'],
    ['phrase3', '已读', 'done', 'must be at most 5 Chinese characters'],
    ['character_string4', 'TZ-2026-0001'.padEnd(32, '0'), 'TZ-2026-0001'.padEnd(33, '0'), 'must be at most 32 letters, digits or symbols'],
    ['character_string4', 'A-1', '通知-1', 'must be at most 32 letters, digits or symbols'],
    ['number5', '1'.repeat(32), '1'.repeat(33), 'must be a number of at most 32 digits'],
    ['number5', '12.5', '12a', 'must be a number of at most 32 digits'],
    ['time6', '2026年3月2日 09:30', '', 'is empty'],
    ['date7', '2026年3月2日', '', 'is empty'],
    ['time6', '2026-12-01 18:00', '无', 'is not a date or time'],
    ['time6', '18:00', '下午六点', 'is not a date or time'],
    ['date7', '2026-12-01', '明天', 'is not a date or time'],
  ])('%s accepts %j and refuses %j with 47003 naming the field', (key, good, bad, message) => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    const refused = send(api, 'o-a', NOTICE, { [key]: { value: bad } });
    const suffix = message === 'is empty' ? `data.${key}.value is empty` : `data.${key}.value ${message}`;
    expect(refused).toEqual({ errCode: 47003, errMsg: `argument invalid! ${suffix}` });
    expect(send(api, 'o-a', NOTICE, { [key]: { value: good } }).errCode).toBe(0);
  });

  test('data that is empty, not keywords, or without string values is 47003', () => {
    const api = standIn();
    api.subscribe('o-a', { [NOTICE]: 'accept' });
    expect(send(api, 'o-a', NOTICE, {}).errMsg).toBe('argument invalid! data is empty');
    expect(send(api, 'o-a', NOTICE, null).errMsg).toBe('argument invalid! data is empty');
    expect(send(api, 'o-a', NOTICE, { title: { value: 'x' } }).errMsg).toBe('argument invalid! data.title is not a template keyword');
    expect(send(api, 'o-a', NOTICE, { thing1: 'x' }).errMsg).toBe('argument invalid! data.thing1.value is empty');
    expect(send(api, 'o-a', NOTICE, { thing1: { value: 3 } }).errCode).toBe(47003);
    expect(api.creditsOf('o-a', NOTICE)).toBe(1);
  });
});

describe('the content check', () => {
  test('takes at most 2,500 characters of content, as version 2 does: longer text must come in pieces', () => {
    const api = standIn();
    expect(api.handle('security.msgSecCheck', { version: 2, openid: 'o-a', scene: 3, content: '字'.repeat(2500) })).toMatchObject({ errCode: 0, result: { suggest: 'pass' } });
    expect(api.handle('security.msgSecCheck', { version: 2, openid: 'o-a', scene: 3, content: '字'.repeat(2501) })).toMatchObject({ errCode: 47001 });
  });
});
