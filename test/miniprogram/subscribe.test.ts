/**
 * Subscribe messages on the mini-program side: which template ids one popup asks for (WeChat's
 * rules: at most 3, one kind per popup), what the 接收提醒 switch says, and the service that
 * shows the popup from a tap, hands the answers to the local cloud's platform stand-in first and
 * then records them, never failing the person.
 */
import type { SubscribeChoice, SubscriptionState } from '../../typings';
import { requireBuilt, wx } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession } from './fake-backend';
import { answerPopups, fakeLocalPlatform, subscriptions, template, wxNotice } from './inbox-fixtures';

type View = typeof import('../../miniprogram/utils/subscribe-view');
/**
 * The service as the test uses it, written out: its module reaches the `wx` global, which the
 * server program these tests are typechecked in does not declare.
 */
interface Service {
  knownSubscriptions(): SubscriptionState | null;
  loadSubscriptions(): Promise<SubscriptionState | null>;
  promptSubscribe(ids: readonly string[]): { answered: Promise<Record<string, SubscribeChoice>>; recorded: Promise<SubscriptionState | null> };
}

const view = requireBuilt<View>('utils/subscribe-view');

const notice = (id: string, credits = 0) => template({ id, credits });
const remind = (id: string, credits = 0) => template({ id, purpose: 'remind', credits });
const longTerm = (id: string, credits = 0) => template({ id, kind: 'long-term', credits });

describe('which ids one popup asks for', () => {
  it('asks for the purposes in order, at most 3 ids', () => {
    const state = subscriptions(remind('r1'), notice('n1'), notice('n2'), notice('n3'), notice('n4'));
    expect(view.promptIds(state, ['notice', 'remind'])).toEqual(['n1', 'n2', 'n3']);
    expect(view.promptIds(state, ['remind', 'notice'])).toEqual(['r1', 'n1', 'n2']);
  });

  it('never mixes one-time and long-term ids, leading with the kind the person lacks a credit of', () => {
    expect(view.promptIds(subscriptions(notice('n1'), longTerm('l1'), remind('r1')), ['notice', 'remind'])).toEqual(['n1', 'r1']);
    expect(view.promptIds(subscriptions(notice('n1', 2), longTerm('l1'), remind('r1', 1)), ['notice', 'remind'])).toEqual(['l1']);
    expect(view.promptIds(subscriptions(longTerm('l1', 1), longTerm('l2', 1)), ['notice'])).toEqual(['l1', 'l2']);
  });

  it('asks for nothing without templates or state', () => {
    expect(view.promptIds(null, ['notice'])).toEqual([]);
    expect(view.promptIds(subscriptions(), ['notice', 'remind'])).toEqual([]);
    expect(view.promptIds(subscriptions(remind('r1')), ['notice'])).toEqual([]);
  });

  it('keeps only the answers to the ids asked, and only the four WeChat gives', () => {
    const result = { errMsg: 'requestSubscribeMessage:ok', a: 'accept', b: 'reject', c: 'ban', d: 'filter', e: 'accept', f: 'maybe' };
    expect(view.choicesOf(result, ['a', 'b', 'c', 'd', 'f', 'g'])).toEqual({ a: 'accept', b: 'reject', c: 'ban', d: 'filter' });
  });
});

describe('接收提醒 and credits', () => {
  it('is hidden without templates; a reminder template alone serves it (reminders spend either kind)', () => {
    expect(view.remindSwitch(null)).toEqual({ shown: false, checked: false, label: '' });
    expect(view.remindSwitch(subscriptions())).toEqual({ shown: false, checked: false, label: '' });
    expect(view.remindSwitch(subscriptions(remind('r1', 3)))).toEqual({ shown: true, checked: true, label: '剩余提醒 3 次，点按可增加' });
  });

  it('is off without credits, and on with the one-time credits of every template reminders spend counted', () => {
    expect(view.remindSwitch(subscriptions(notice('n1')))).toEqual({ shown: true, checked: false, label: '开启后，未读的通知可通过微信提醒你' });
    expect(view.remindSwitch(subscriptions(notice('n1', 2), notice('n2', 1), remind('r1', 5)))).toEqual({
      shown: true,
      checked: true,
      label: '剩余提醒 8 次，点按可增加',
    });
    expect(view.creditText(subscriptions(notice('n1', 2), notice('n2', 1)))).toBe('剩余提醒 3 次');
  });

  it('says a long-term template needs no counting once accepted', () => {
    expect(view.remindSwitch(subscriptions(longTerm('l1', 1)))).toEqual({ shown: true, checked: true, label: '已开启长期提醒' });
    expect(view.hasCredit(subscriptions(longTerm('l1', 1)), 'notice')).toBe(true);
    expect(view.hasCredit(subscriptions(longTerm('l1', 0)), 'notice')).toBe(false);
    expect(view.hasCredit(subscriptions(longTerm('l1', 0), remind('r1', 2)), 'notice')).toBe(true);
  });
});

describe('the subscribe service', () => {
  let service: Service;
  const before: SubscriptionState = subscriptions(notice('n1'), remind('r1'));
  const after: SubscriptionState = subscriptions(notice('n1', 1), remind('r1'));

  beforeEach(() => {
    installStorage(storedSession(account({ id: 'u-lin' }), Date.now()));
    service = requireBuilt<Service>('services/subscribe');
  });

  afterEach(() => jest.restoreAllMocks());

  it('keeps the state it loaded; not configured is no templates, and any other failure keeps what was known', async () => {
    let reply: () => ReturnType<typeof ok<SubscriptionState>> | ReturnType<typeof fail> = () => ok(before);
    installBackend({ 'subscriptions.state': () => reply() });
    expect(service.knownSubscriptions()).toBeNull();
    expect(await service.loadSubscriptions()).toEqual(before);

    reply = () => fail('NETWORK_ERROR');
    expect(await service.loadSubscriptions()).toEqual(before);
    expect(service.knownSubscriptions()).toEqual(before);

    reply = () => fail('SUBSCRIBE_NOT_CONFIGURED');
    expect(await service.loadSubscriptions()).toEqual({ templates: [] });
  });

  it('shows the popup at once (inside the tap), tells the local platform the answers, then records them', async () => {
    const order: string[] = [];
    const backend = installBackend({
      'subscriptions.record': () => {
        order.push('record');
        return ok(after);
      },
    });
    const platform = fakeLocalPlatform(order);
    const popup = answerPopups({ n1: 'accept', r1: 'reject' });

    const prompt = service.promptSubscribe(['n1', 'r1']);
    // Synchronously: WeChat shows the popup only while the tap is being handled.
    expect(popup).toHaveBeenCalledTimes(1);
    expect(popup.mock.calls[0][0].tmplIds).toEqual(['n1', 'r1']);

    expect(await prompt.answered).toEqual({ n1: 'accept', r1: 'reject' });
    expect(await prompt.recorded).toEqual(after);
    expect(order).toEqual(['platform', 'record']);
    expect(platform.posts).toEqual([{ openid: 'demo-admin-openid', choices: { n1: 'accept', r1: 'reject' } }]);
    expect(backend.callsOf('subscriptions.record')[0].request).toEqual({ choices: { n1: 'accept', r1: 'reject' } });
    expect(service.knownSubscriptions()).toEqual(after);
  });

  it('records even when the local platform does not answer', async () => {
    const backend = installBackend({ 'subscriptions.record': () => ok(after) });
    const request = wx.request as unknown as jest.Mock;
    const functions = request.getMockImplementation() as (options: { url: string; fail?(e: { errMsg: string }): void }) => unknown;
    request.mockImplementation((options: { url: string; fail?(e: { errMsg: string }): void }) => {
      if (!options.url.endsWith('/_local/openapi/subscribe')) return functions(options);
      setTimeout(() => options.fail?.({ errMsg: 'request:fail' }), 0);
      return {};
    });
    answerPopups({ n1: 'accept' });

    expect(await service.promptSubscribe(['n1']).recorded).toEqual(after);
    expect(backend.callsOf('subscriptions.record')).toHaveLength(1);
  });

  it('skips the local platform in a release build, where WeChat keeps its half itself', async () => {
    jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx1', envVersion: 'release', version: '' } });
    service = requireBuilt<Service>('services/subscribe');
    const backend = installBackend({ 'subscriptions.record': () => ok(after) });
    const platform = fakeLocalPlatform();
    answerPopups({ n1: 'accept' });

    expect(await service.promptSubscribe(['n1']).recorded).toEqual(after);
    expect(platform.posts).toEqual([]);
    expect(backend.callsOf('subscriptions.record')).toHaveLength(1);
  });

  it('shows nothing without ids, and records nothing when the popup fails, throws, or answers nothing asked', async () => {
    const backend = installBackend({ 'subscriptions.record': () => ok(after) });
    const popup = jest.spyOn(wxNotice, 'requestSubscribeMessage');

    const none = service.promptSubscribe([]);
    expect(popup).not.toHaveBeenCalled();
    expect(await none.answered).toEqual({});
    expect(await none.recorded).toBeNull();

    popup.mockImplementationOnce((options) => {
      setTimeout(() => options.fail?.({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 }), 0);
    });
    expect(await service.promptSubscribe(['n1']).recorded).toBeNull();

    popup.mockImplementationOnce(() => {
      throw new Error('requestSubscribeMessage is not a function');
    });
    expect(await service.promptSubscribe(['n1']).recorded).toBeNull();

    popup.mockImplementationOnce((options) => {
      setTimeout(() => options.success?.({ errMsg: 'requestSubscribeMessage:ok', other: 'accept' }), 0);
    });
    expect(await service.promptSubscribe(['n1']).recorded).toBeNull();

    expect(backend.callsOf('subscriptions.record')).toHaveLength(0);
  });

  it('keeps the known state when recording fails', async () => {
    installBackend({ 'subscriptions.state': () => ok(before), 'subscriptions.record': () => fail('NETWORK_ERROR') });
    fakeLocalPlatform();
    answerPopups({ n1: 'accept' });
    await service.loadSubscriptions();

    expect(await service.promptSubscribe(['n1']).recorded).toBeNull();
    expect(service.knownSubscriptions()).toEqual(before);
  });
});
