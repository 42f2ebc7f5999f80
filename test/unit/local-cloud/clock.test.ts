/**
 * The local cloud's movable clock: one shared cell that the cloud and every function instance
 * read, so moving it reaches instances already started, and a call in progress, at once.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SharedClock, parseInstant } from '../../../local-cloud/src/clock';
import { FunctionPool, type InvokeOutcome } from '../../../local-cloud/src/functions/pool';
import { StartGate } from '../../../local-cloud/src/functions/start-gate';
import { waitFor } from '../../helpers/local-cloud';

const ROOT = resolve(__dirname, '..', '..', '..');
const WORKER = join(ROOT, 'local-cloud', 'dist', 'worker.js');

/**
 * Reports the time as a function sees it. With `started` and `go`, it writes `started` once
 * it runs, then waits for `go` to exist before reading the time a second time.
 */
const ENTRY_SOURCE = `'use strict';
const { existsSync, writeFileSync } = require('node:fs');
const times = () => ({ now: Date.now(), created: new Date().getTime(), text: Date(), fromValue: new Date(0).getTime() });
exports.main = async (event) => {
  const before = times();
  if (event.started) {
    writeFileSync(event.started, 'x');
    while (!existsSync(event.go)) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { before, after: times() };
};
`;

interface Times {
  now: number;
  created: number;
  text: string;
  fromValue: number;
}

let dir: string;
let entry: string;
const pools: FunctionPool[] = [];

beforeAll(() => {
  if (!existsSync(WORKER)) throw new Error('the local cloud is not built: run `npm run build` (npm test does it first)');
  dir = mkdtempSync(join(tmpdir(), 'xintong-clock-'));
  entry = join(dir, 'clock.js');
  writeFileSync(entry, ENTRY_SOURCE);
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function makePool(clock: SharedClock): FunctionPool {
  const pool = new FunctionPool({
    name: 'clock',
    entry,
    workerScript: WORKER,
    env: {},
    timeoutSeconds: 10,
    maxWorkers: 2,
    gate: new StartGate(2),
    clock: clock.buffer,
    onOutput: () => undefined,
  });
  pools.push(pool);
  return pool;
}

let seq = 0;
async function times(pool: FunctionPool, event: Record<string, unknown> = {}): Promise<{ before: Times; after: Times }> {
  seq += 1;
  const outcome: InvokeOutcome = await pool.invoke({ id: `call-${seq}`, event, context: {}, env: {} });
  if (outcome.kind !== 'ok') throw new Error(`the call failed: ${JSON.stringify(outcome)}`);
  return outcome.value as { before: Times; after: Times };
}

const AT = new Date('2026-03-02T01:30:00.000Z');
const LATER = new Date('2026-03-09T10:05:00.000Z');

describe('SharedClock', () => {
  test('runs with the real time until set, stands at the instant once set, and runs again after null', () => {
    const clock = new SharedClock();
    expect(clock.frozenAt).toBeNull();
    const before = Date.now();
    const read = clock.now().getTime();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
    clock.set(AT);
    expect(clock.now()).toEqual(AT);
    expect(clock.frozenAt).toEqual(AT);
    clock.set(null);
    expect(clock.frozenAt).toBeNull();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
  });

  test('starts at the instant it is given, and refuses an invalid one', () => {
    expect(new SharedClock(AT).now()).toEqual(AT);
    expect(() => new SharedClock().set(new Date(Number.NaN))).toThrow(RangeError);
  });

  test('parseInstant takes a full instant with its zone only', () => {
    expect(parseInstant('2025-03-03T09:30:00+08:00')).toEqual(new Date('2025-03-03T01:30:00Z'));
    expect(parseInstant('2025-03-03T09:30Z')).toEqual(new Date('2025-03-03T09:30:00Z'));
    expect(parseInstant('2025-03-03T09:30:00')).toBeNull();
    expect(parseInstant('2025-03-03')).toBeNull();
    expect(parseInstant('2025-13-03T09:30:00Z')).toBeNull();
    expect(parseInstant(null)).toBeNull();
  });
});

describe('function instances follow the shared clock', () => {
  test('an instance started before a move sees the new time on its next call', async () => {
    const clock = new SharedClock(AT);
    const pool = makePool(clock);
    const first = await times(pool);
    expect(first.before).toEqual({ now: AT.getTime(), created: AT.getTime(), text: new Date(AT).toString(), fromValue: 0 });
    expect(pool.instances).toBe(1);
    clock.set(LATER);
    const second = await times(pool);
    expect(pool.instances).toBe(1);
    expect(second.before).toEqual({ now: LATER.getTime(), created: LATER.getTime(), text: new Date(LATER).toString(), fromValue: 0 });
  });

  test('a move reaches a call in progress', async () => {
    const clock = new SharedClock(AT);
    const pool = makePool(clock);
    const started = join(dir, 'started');
    const go = join(dir, 'go');
    const reply = times(pool, { started, go });
    await waitFor(() => existsSync(started), 'the call to start');
    clock.set(LATER);
    writeFileSync(go, 'x');
    const { before, after } = await reply;
    expect(before.now).toBe(AT.getTime());
    expect(after.now).toBe(LATER.getTime());
    expect(after.created).toBe(LATER.getTime());
  });

  test('null gives an instance the real time again', async () => {
    const clock = new SharedClock(AT);
    const pool = makePool(clock);
    expect((await times(pool)).before.now).toBe(AT.getTime());
    clock.set(null);
    const low = Date.now();
    const { before } = await times(pool);
    expect(before.now).toBeGreaterThanOrEqual(low);
    expect(before.now).toBeLessThanOrEqual(Date.now());
    expect(before.created).toBeGreaterThanOrEqual(low);
  });
});
