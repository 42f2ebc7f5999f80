/**
 * The function pool under bursts, with the real worker script and a test bundle whose load
 * burns CPU as loading the SDK does: loads are paced, calls wait for the next free instance, a
 * late instance is kept, and every way of failing answers the call it concerns.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FunctionPool, type InvokeOutcome, type PoolOptions } from '../../../local-cloud/src/functions/pool';
import { StartGate } from '../../../local-cloud/src/functions/start-gate';
import { waitFor } from '../../helpers/local-cloud';

const ROOT = resolve(__dirname, '..', '..', '..');
const WORKER = join(ROOT, 'local-cloud', 'dist', 'worker.js');
const ENTRY = join(ROOT, 'test', 'fixtures', 'pool', 'slow-load.js');

let dir: string;
let seq = 0;
const pools: FunctionPool[] = [];

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error('the local cloud is not built: run `npm run build` (npm test does it first)');
  dir = mkdtempSync(join(tmpdir(), 'xintong-pool-'));
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  loadMs: number;
  /** The first load's time instead of loadMs. */
  firstLoadMs?: number;
  fail?: boolean;
  gate?: StartGate;
  options?: Partial<PoolOptions>;
}

function makePool({ loadMs, firstLoadMs, fail, gate, options }: Setup): { pool: FunctionPool; loads: () => Array<{ start: number; end?: number; thread: string }>; output: string[] } {
  seq += 1;
  const log = join(dir, `loads-${seq}.log`);
  const output: string[] = [];
  const env: Record<string, string> = { SLOW_LOAD_MS: String(loadMs), SLOW_LOAD_LOG: log };
  if (fail) env.SLOW_LOAD_FAIL = '1';
  if (firstLoadMs !== undefined) env.SLOW_LOAD_FIRST_MS = String(firstLoadMs);
  const pool = new FunctionPool({
    name: 'slow',
    entry: ENTRY,
    workerScript: WORKER,
    env,
    timeoutSeconds: 10,
    maxWorkers: 16,
    gate: gate ?? new StartGate(2),
    onOutput: (_name, line) => output.push(line),
    ...options,
  });
  pools.push(pool);
  const loads = () => {
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    // One load per worker thread: an end line belongs to the start line of its thread.
    const result: Array<{ start: number; end?: number; thread: string }> = [];
    for (const line of lines) {
      const [kind, at, thread] = line.split(' ');
      if (kind === 'start') result.push({ start: Number(at), thread });
      else result.find((load) => load.thread === thread)!.end = Number(at);
    }
    return result;
  };
  return { pool, loads, output };
}

function invoke(pool: FunctionPool, event: unknown = {}, nested = false): Promise<InvokeOutcome> {
  seq += 1;
  return pool.invoke({ id: `call-${seq}`, event, context: {}, env: {} }, { nested });
}

/** The most loads that ran at one moment. */
function peakOverlap(loads: Array<{ start: number; end?: number }>): number {
  const edges = loads.flatMap((load) => [{ at: load.start, delta: 1 }, { at: load.end ?? Number.POSITIVE_INFINITY, delta: -1 }]);
  // At equal times an end comes first: a load that began as another ended did not overlap it.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let peak = 0;
  for (const edge of edges) {
    current += edge.delta;
    peak = Math.max(peak, current);
  }
  return peak;
}

test('a burst on a cold function loads one instance at a time and serves every call', async () => {
  // Sixteen loads of 1.5 s of CPU at once on two cores would each take about 12 s.
  const { pool, loads } = makePool({ loadMs: 1500 });
  const outcomes = await Promise.all(Array.from({ length: 24 }, () => invoke(pool)));
  expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(24).fill('ok'));
  expect(peakOverlap(loads())).toBe(1);
  // The calls were quick: the first instance served them all while the second loaded, and no
  // third was started for calls that no longer waited.
  expect(pool.instances).toBeLessThanOrEqual(2);
}, 30_000);

test('with two loads allowed per function, a burst never has more than two loading', async () => {
  const { pool, loads } = makePool({ loadMs: 500, options: { maxStarts: 2 } });
  const outcomes = await Promise.all(Array.from({ length: 24 }, () => invoke(pool, { sleepMs: 100 })));
  expect(outcomes.every((outcome) => outcome.kind === 'ok')).toBe(true);
  expect(peakOverlap(loads())).toBeLessThanOrEqual(2);
  expect(loads().length).toBeGreaterThan(2);
}, 30_000);

test('one gate paces loads across functions', async () => {
  const gate = new StartGate(1);
  const a = makePool({ loadMs: 300, gate });
  const b = makePool({ loadMs: 300, gate });
  const outcomes = await Promise.all([invoke(a.pool), invoke(b.pool), invoke(a.pool), invoke(b.pool)]);
  expect(outcomes.every((outcome) => outcome.kind === 'ok')).toBe(true);
  expect(peakOverlap([...a.loads(), ...b.loads()])).toBe(1);
});

test('an instance that finishes loading after its caller gave up is kept and serves the next call', async () => {
  const { pool, loads } = makePool({ loadMs: 1000, options: { queueLimitMs: 200 } });
  const first = await invoke(pool);
  expect(first).toMatchObject({ kind: 'busy' });
  await waitFor(() => loads()[0]?.end !== undefined, 'the late load to finish');
  await waitFor(() => pool.instances === 1, 'the instance to be kept');
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
  expect(loads()).toHaveLength(1);
});

test('a load that turns slow stops pacing its function: the next start goes ahead and serves the call', async () => {
  const { pool, loads, output } = makePool({ loadMs: 0, firstLoadMs: 8000, options: { slowStartMs: 300 } });
  const outcome = await invoke(pool);
  expect(outcome).toMatchObject({ kind: 'ok' });
  // Served by a second instance while the first was still loading, not after its 8 s.
  expect(loads()).toHaveLength(2);
  expect(loads()[0].end).toBeUndefined();
  expect(output.some((line) => line.includes('the next start goes ahead'))).toBe(true);
}, 20_000);

test('a call that no instance can take in time is refused with busy, and the others go on', async () => {
  const { pool } = makePool({ loadMs: 0, options: { maxWorkers: 1, queueLimitMs: 300 } });
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
  const long = invoke(pool, { sleepMs: 1500 });
  const refused = await invoke(pool);
  expect(refused.kind).toBe('busy');
  // Timers may fire a millisecond early as Date.now() measures them.
  expect((refused as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(290);
  expect(await long).toMatchObject({ kind: 'ok' });
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
});

test('an instance that becomes free serves the call that has waited longest', async () => {
  const { pool } = makePool({ loadMs: 0, options: { maxWorkers: 1 } });
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
  const order: number[] = [];
  const busy = invoke(pool, { sleepMs: 200 });
  const queued = [1, 2, 3].map((n) => invoke(pool).then(() => order.push(n)));
  await Promise.all([busy, ...queued]);
  expect(order).toEqual([1, 2, 3]);
});

test('a load that fails fails the waiting call with its error, and the next call too, without hanging', async () => {
  const { pool } = makePool({ loadMs: 0, fail: true });
  const [first, second] = await Promise.all([invoke(pool), invoke(pool)]);
  for (const outcome of [first, second]) {
    expect(outcome.kind).toBe('error');
    expect((outcome as { message: string }).message).toContain('failed to load on purpose');
  }
  expect(pool.instances).toBe(0);
});

test('an event that cannot be handed to the instance fails that call only; the instance stays', async () => {
  const { pool } = makePool({ loadMs: 0 });
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
  const other = invoke(pool, { sleepMs: 100 });
  const undelivered = await invoke(pool, { notCloneable: () => 1 });
  expect(undelivered.kind).toBe('undelivered');
  expect((undelivered as { message: string }).message).toMatch(/could not be cloned/);
  expect(await other).toMatchObject({ kind: 'ok' });
  expect(await invoke(pool)).toMatchObject({ kind: 'ok' });
  expect(pool.instances).toBe(2);
});

test('close settles loading, running and waiting calls and starts nothing more', async () => {
  const gate = new StartGate(1);
  // Long enough that the load is surely still running when close() comes, however busy the machine.
  const { pool, loads } = makePool({ loadMs: 10_000, gate, options: { maxWorkers: 2 } });
  const calls = [invoke(pool), invoke(pool), invoke(pool)];
  await waitFor(() => loads().length === 1, 'the first load to begin');
  await pool.close();
  expect((await Promise.all(calls)).map((outcome) => outcome.kind)).toEqual(['closed', 'closed', 'closed']);
  expect(await invoke(pool)).toEqual({ kind: 'closed' });
  expect(gate.active).toBe(0);
  expect(pool.instances).toBe(0);
  expect(loads()).toHaveLength(1);
});
