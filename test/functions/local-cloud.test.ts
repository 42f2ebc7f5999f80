/**
 * The local cloud's own guarantees, exercised with test-only functions on the real
 * wx-server-sdk: identity isolation under concurrency, timeouts, crashes, callFunction,
 * database request counting, timer triggers and the loopback rule for identity headers.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { ROOT, buildFixtureFunctions, call, probeMarked, setClock, startTestCloud, waitFor } from '../helpers/local-cloud';

type ContextReply = { ok: true; data: { before: Record<string, unknown>; after: Record<string, unknown> } };

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], maxInstances: 8 });
});

afterAll(async () => {
  await cloud.close();
});

test('concurrent invocations never see each other\'s identity', async () => {
  const callers = Array.from({ length: 40 }, (_, i) => ({ openid: `openid-${i}`, unionid: `unionid-${i}`, appid: `wx-app-${i % 3}` }));
  const replies = await Promise.all(
    callers.map((caller, i) => call<ContextReply>(cloud, 'probe', { action: 'context', delayMs: (i * 7) % 25 }, caller)),
  );
  replies.forEach((reply, i) => {
    expect(reply.status).toBe(200);
    expect(reply.body.data.before).toEqual({ OPENID: callers[i].openid, UNIONID: callers[i].unionid, APPID: callers[i].appid, SOURCE: 'wx_client' });
    expect(reply.body.data.after).toEqual({ OPENID: callers[i].openid, UNIONID: callers[i].unionid });
  });
});

test('an identity absent from a call is absent in the function, even on a reused instance', async () => {
  await call(cloud, 'probe', { action: 'context' }, { openid: 'someone', unionid: 'their-union' });
  const reply = await call<ContextReply>(cloud, 'probe', { action: 'context' }, { openid: 'no-union-user' });
  expect(reply.body.data.before.OPENID).toBe('no-union-user');
  expect(reply.body.data.before.UNIONID).toBeUndefined();
});

test('a function running past its configured timeout is stopped with the platform\'s error', async () => {
  const reply = await call(cloud, 'probe', { action: 'sleep', ms: 4000 }, { openid: 'slow' });
  expect(reply.status).toBe(504);
  expect(reply.body).toMatchObject({ errCode: -504003 });
  expect(cloud.cloud.invocations.find(reply.invocationId)?.outcome).toBe('TIMEOUT');
  // The instance was replaced: the next call still works.
  const next = await call<ContextReply>(cloud, 'probe', { action: 'context' }, { openid: 'after-timeout' });
  expect(next.body.data.before.OPENID).toBe('after-timeout');
});

test('an exception thrown out of main is a failed call, not a dead local cloud', async () => {
  const reply = await call(cloud, 'probe', { action: 'crash' }, { openid: 'x' });
  expect(reply.status).toBe(500);
  expect(reply.body).toMatchObject({ errCode: -504002 });
  expect(JSON.stringify(reply.body)).not.toContain('on purpose');
});

test('the log shows a crash\'s stack in the TypeScript source, through the bundle\'s source map', async () => {
  const lines: string[] = [];
  const logged = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], log: (line) => lines.push(line) });
  try {
    expect((await call(logged, 'probe', { action: 'crash' }, { openid: 'x' })).status).toBe(500);
  } finally {
    await logged.close();
  }
  const stack = lines.join('\n');
  expect(stack).toContain('probe crashed on purpose');
  expect(stack).toMatch(/at main \(.*test\/fixtures\/functions\/probe\/index\.ts:\d+:\d+\)/);
});

test('a return value that is not JSON becomes null, as on the platform', async () => {
  const reply = await call(cloud, 'probe', { action: 'returnsFunction' }, { openid: 'x' });
  expect(reply.status).toBe(200);
  expect(reply.body).toBeNull();
});

test('an event over the payload limit is refused with 413, and the cloud goes on', async () => {
  const reply = await call(cloud, 'probe', { action: 'context', padding: 'x'.repeat(150 * 1024) }, { openid: 'big' });
  expect(reply.status).toBe(413);
  const next = await call<ContextReply>(cloud, 'probe', { action: 'context' }, { openid: 'small' });
  expect(next.body.data.before.OPENID).toBe('small');
});

test('a call that no instance takes within the wait limit is refused as the platform refuses a burst', async () => {
  const tight = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], maxInstances: 1, queueLimitMs: 300 });
  try {
    // A cold start may outlast 300 ms: that call is refused, but the instance it started is kept.
    await waitFor(async () => (await call(tight, 'probe', { action: 'context' }, { openid: 'warm' })).status === 200, 'a warm instance');
    const long = call(tight, 'probe', { action: 'sleep', ms: 1500, mark: 'holds-the-instance' }, { openid: 'long' });
    await waitFor(() => probeMarked(tight, 'holds-the-instance'), 'the long call to hold the only instance');
    const refused = await call<{ errCode: number; errMsg: string }>(tight, 'probe', { action: 'context' }, { openid: 'late' });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ errCode: -501004, errMsg: expect.stringContaining('ResourceLimitReached') });
    expect(tight.cloud.invocations.find(refused.invocationId)?.outcome).toBe('BUSY');
    expect((await long).status).toBe(200);
  } finally {
    await tight.close();
  }
});

test('nested callFunction cannot starve when every instance is a waiting caller', async () => {
  const tight = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], maxInstances: 2 });
  try {
    const replies = await Promise.all(Array.from({ length: 4 }, (_, i) => call(tight, 'probe', { action: 'callOther' }, { openid: `caller-${i}` })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  } finally {
    await tight.close();
  }
});

test('closing with calls running and queued settles every call and starts nothing new', async () => {
  const closing = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], maxInstances: 1 });
  const calls = [0, 1, 2].map((i) => closing.cloud.invoke('probe', { action: 'sleep', ms: 2500, mark: `closing-${i}` }, { openid: `c-${i}`, source: 'wx_client' }));
  await waitFor(() => probeMarked(closing, 'closing-0'), 'the first call to run');
  await closing.close();
  const results = await Promise.all(calls);
  // The running call loses its instance; the two queued ones never reach one.
  expect(results.map((r) => r.status)).toEqual([500, 503, 503]);
  const after = await closing.cloud.invoke('probe', { action: 'context' }, { openid: 'late', source: 'wx_client' });
  expect(after.status).toBe(503);
});

test('unknown functions answer 404', async () => {
  const reply = await call(cloud, 'nope', { action: 'x' }, { openid: 'x' });
  expect(reply.status).toBe(404);
});

test('database requests are counted per invocation', async () => {
  const reply = await call<{ ok: true; data: { total: number } }>(cloud, 'probe', { action: 'writes', count: 3 }, { openid: 'writer' });
  expect(reply.status).toBe(200);
  // Three adds and one count.
  expect(reply.dbRequests).toBe(4);
  expect(cloud.cloud.invocations.find(reply.invocationId)).toMatchObject({ functionName: 'probe', action: 'writes', outcome: 'OK', dbRequests: 4 });
  const none = await call(cloud, 'probe', { action: 'context' }, { openid: 'reader' });
  expect(none.dbRequests).toBe(0);
});

test('a transaction left open by a timed-out instance is aborted and does not block the next', async () => {
  const hung = await call(cloud, 'probe', { action: 'txnThenSleep' }, { openid: 'hangs' });
  expect(hung.status).toBe(504);
  const started = Date.now();
  const next = await call<{ ok: true; data: { n: number } }>(cloud, 'probe', { action: 'txnIncrement' }, { openid: 'next' });
  expect(next.body).toEqual({ ok: true, data: { n: 1 } });
  // Far below the engine's 10 s idle timeout for abandoned transactions.
  expect(Date.now() - started).toBeLessThan(5000);
  expect(cloud.cloud.engine.dump('probe').find((d) => d._id === 'counter')).toMatchObject({ n: 1 });
});

test('concurrent transactional increments from many instances lose no update', async () => {
  const before = (cloud.cloud.engine.dump('probe').find((d) => d._id === 'counter')?.n as number | undefined) ?? 0;
  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => call(cloud, 'probe', { action: 'txnIncrement' }, { openid: `inc-${i}` })));
  expect(replies.every((r) => r.status === 200)).toBe(true);
  expect(cloud.cloud.engine.dump('probe').find((d) => d._id === 'counter')).toMatchObject({ n: before + 12 });
});

test('callFunction between functions keeps the caller\'s identity and is logged as a child', async () => {
  const reply = await call<{ ok: true; data: ContextReply }>(cloud, 'probe', { action: 'callOther' }, { openid: 'parent-user', appid: 'wx-a' });
  expect(reply.status).toBe(200);
  expect(reply.body.data.data.before).toMatchObject({ OPENID: 'parent-user', APPID: 'wx-a', SOURCE: 'wx_client,scf' });
  const children = cloud.cloud.invocations.recent(20).filter((r) => r.parentId === reply.invocationId);
  expect(children).toHaveLength(1);
  expect(children[0]).toMatchObject({ functionName: 'probe', action: 'context', outcome: 'OK' });
});

test('every invocation is logged on one line with function, action, outcome, ms and db requests', async () => {
  const lines: string[] = [];
  const logged = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], logInvocations: true, log: (line) => lines.push(line) });
  try {
    await call(logged, 'probe', { action: 'writes', count: 1 }, { openid: 'w' });
    await call(logged, 'probe', { action: 'nope' }, { openid: 'w' });
  } finally {
    await logged.close();
  }
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^probe\.writes OK [\d.]+ms db=2$/), expect.stringMatching(/^probe\.nope UNKNOWN_ACTION [\d.]+ms db=0$/)]));
});

test('timer triggers declared in config.json fire on schedule as the trigger source', async () => {
  const timed = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }], timers: true });
  try {
    const firings = () => timed.cloud.invocations.recent(100).filter((r) => r.functionName === 'ticker');
    await waitFor(() => firings().length >= 2, 'two firings of the timer');
    const fired = firings();
    expect(fired.every((r) => r.action === 'timer:everySecond' && r.outcome === 'OK')).toBe(true);
    // What the function itself saw: the platform's timer event, the trigger source, no user.
    const rows = timed.cloud.engine.dump('probe').filter((d) => d.trigger === 'everySecond');
    expect(rows.length).toBeGreaterThanOrEqual(fired.length);
    expect(rows.every((d) => d.type === 'Timer' && d.source === 'wx_trigger' && d.openid === null)).toBe(true);
    const times = rows.map((d) => String(d.time));
    expect(new Set(times).size).toBe(times.length);
    expect(times.every((t) => /T\d\d:\d\d:\d\d\.000Z$/.test(t))).toBe(true);
  } finally {
    await timed.close();
  }
});

describe('the movable clock', () => {
  /** A function reporting its time, and a server date the database wrote for it. */
  const CLOCK_FUNCTION = `'use strict';
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async () => {
  const db = cloud.database();
  const added = await db.collection('probe').add({ data: { at: db.serverDate() } });
  const stored = await db.collection('probe').doc(added._id).get();
  return { now: Date.now(), created: new Date().toISOString(), stored: stored.data.at, thread: require('node:worker_threads').threadId };
};
`;
  const AT = new Date('2026-03-02T01:30:00.000Z');
  const LATER = new Date('2026-03-09T10:05:00.000Z');
  let moved: RunningLocalCloud;
  let functionsDir: string;

  beforeAll(async () => {
    // Inside the project, so the function resolves wx-server-sdk from its node_modules.
    functionsDir = join(ROOT, '.test-fixtures', `clock-functions-${process.pid}`);
    mkdirSync(join(functionsDir, 'clock'), { recursive: true });
    writeFileSync(join(functionsDir, 'clock', 'index.js'), CLOCK_FUNCTION);
    writeFileSync(join(functionsDir, 'clock', 'config.json'), '{ "timeout": 10 }');
    moved = await startTestCloud({ functionsDir, extraCollections: [{ name: 'probe', indexes: [] }], clock: AT });
  });

  afterAll(async () => {
    await moved.close();
    rmSync(functionsDir, { recursive: true, force: true });
  });

  type ClockReply = { now: number; created: string; stored: { $date: number } | string; thread: number };
  const storedMs = (stored: ClockReply['stored']): number => (typeof stored === 'string' ? Date.parse(stored) : stored.$date);

  test('setClock moves what a running instance, the database\'s server dates and the invocation log see', async () => {
    const first = await call<ClockReply>(moved, 'clock', {});
    expect(first.body.now).toBe(AT.getTime());
    expect(storedMs(first.body.stored)).toBe(AT.getTime());
    expect(moved.cloud.invocations.find(first.invocationId)?.at).toBe(AT.toISOString());
    setClock(moved, LATER);
    const second = await call<ClockReply>(moved, 'clock', {});
    expect(second.body).toMatchObject({ now: LATER.getTime(), created: LATER.toISOString() });
    expect(storedMs(second.body.stored)).toBe(LATER.getTime());
    expect(moved.cloud.invocations.find(second.invocationId)?.at).toBe(LATER.toISOString());
    // The same instance served both: the move reached it without a restart.
    expect(second.body.thread).toBe(first.body.thread);
    setClock(moved, AT);
  });

  test('null lets the real time run again', async () => {
    setClock(moved, null);
    const low = Date.now();
    const { body } = await call<ClockReply>(moved, 'clock', {});
    expect(body.now).toBeGreaterThanOrEqual(low);
    expect(body.now).toBeLessThanOrEqual(Date.now());
    setClock(moved, AT);
  });

  test('/_local/clock reads and moves the clock, and refuses a time without its zone', async () => {
    const post = (at: unknown) => fetch(`${moved.url}/_local/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ at }) });
    expect(await (await fetch(`${moved.url}/_local/clock`)).json()).toEqual({ now: AT.toISOString(), frozen: true });
    const response = await post('2026-03-09T18:05:00+08:00');
    expect(await response.json()).toEqual({ now: LATER.toISOString(), frozen: true });
    expect((await call<ClockReply>(moved, 'clock', {})).body.now).toBe(LATER.getTime());
    const refused = await post('2026-03-09 18:05');
    expect(refused.status).toBe(400);
    expect(moved.cloud.frozenAt).toEqual(LATER);
    const real = (await (await post(null)).json()) as { frozen: boolean };
    expect(real.frozen).toBe(false);
    expect(moved.cloud.frozenAt).toBeNull();
    setClock(moved, AT);
  });
});
