/**
 * One request never stops the local cloud: an event nested thousands of levels deep is refused
 * before any function sees it, and a failure handing an event to an instance fails that call
 * alone, while calls in flight finish and the server goes on serving.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { buildFixtureFunctions, call, probeMarked, startTestCloud, waitFor } from '../helpers/local-cloud';

/** The body of the report: 30 KB, no identity needed. */
function deepBody(levels: number): string {
  return `{"action":"whoami","zz":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;
}

async function post(cloud: RunningLocalCloud, name: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${cloud.url}/functions/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: response.status, body: await response.json() };
}

describe('with the built functions', () => {
  let cloud: RunningLocalCloud;

  beforeAll(async () => {
    cloud = await startTestCloud();
  });

  afterAll(async () => {
    await cloud.close();
  });

  test('a body nested 5,000 levels deep is refused with 400, and the next call is served', async () => {
    const body = deepBody(5000);
    expect(body.length).toBeGreaterThan(30_000);
    const refused = await post(cloud, 'login', body);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ errCode: -501007, errMsg: expect.stringContaining('deeper than 100 levels') });
    expect(cloud.cloud.invocations.recent(1)[0]).toMatchObject({ functionName: 'login', action: 'whoami', outcome: 'INVALID_EVENT' });
    const next = await call(cloud, 'login', { action: 'whoami' }, { openid: 'demo-admin-openid', appid: 'wx-demo-appid' });
    expect(next.body).toMatchObject({ ok: true, data: { openid: 'demo-admin-openid' } });
  });

  test('a nested callFunction with a deep event is refused the same way', async () => {
    const nested = await cloud.cloud.handleTcbRequest('no-invocation', { action: 'functions.invokeFunction', function_name: 'login', request_data: deepBody(5000) });
    expect(nested).toMatchObject({ code: '-501007', message: expect.stringContaining('deeper than 100 levels') });
    const notJson = await cloud.cloud.handleTcbRequest('no-invocation', { action: 'functions.invokeFunction', function_name: 'login', request_data: '{"action":' });
    expect(notJson).toMatchObject({ code: 'INVALID_PARAM' });
  });
});

describe('with the probe function', () => {
  let cloud: RunningLocalCloud;

  beforeAll(async () => {
    cloud = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }] });
  });

  afterAll(async () => {
    await cloud.close();
  });

  test('a call in flight finishes while a deep body is refused', async () => {
    const inFlight = call(cloud, 'probe', { action: 'sleep', ms: 500, mark: 'in-flight-deep' }, { openid: 'busy' });
    await waitFor(() => probeMarked(cloud, 'in-flight-deep'), 'the call to be running');
    expect((await post(cloud, 'probe', deepBody(5000), { 'X-WX-OPENID': 'hostile' })).status).toBe(400);
    expect(await inFlight).toMatchObject({ status: 200, body: { ok: true } });
  });

  test('an event the instance cannot be handed fails that call alone; the others and the instance go on', async () => {
    const inFlight = call(cloud, 'probe', { action: 'sleep', ms: 500, mark: 'in-flight-undelivered' }, { openid: 'busy' });
    await waitFor(() => probeMarked(cloud, 'in-flight-undelivered'), 'the call to be running');
    // Only the in-process API can pass a value JSON cannot carry: structured clone refuses it.
    const failed = await cloud.cloud.invoke('probe', { action: 'context', callback: () => 'not cloneable' }, { openid: 'odd', source: 'wx_client' });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ errCode: -504001, errMsg: expect.stringContaining('could not be handed') });
    expect(failed.record.outcome).toBe('UNDELIVERED');
    expect(await inFlight).toMatchObject({ status: 200, body: { ok: true } });
    const after = await call<{ data: { before: { OPENID: string } } }>(cloud, 'probe', { action: 'context' }, { openid: 'after' });
    expect(after.body.data.before.OPENID).toBe('after');
  });
});
