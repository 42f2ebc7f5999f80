import { TriggerScheduler, type TimerFiring } from '../../../local-cloud/src/triggers/scheduler';
import type { FunctionSpec } from '../../../local-cloud/src/functions/registry';

const spec = (config: string): FunctionSpec => ({
  name: 'ticker',
  dir: '/nowhere',
  entry: '/nowhere/index.js',
  config: { timeout: 3, openapi: [], triggers: [{ name: 'tick', type: 'timer', config }] },
});

describe('TriggerScheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-23T00:00:00.300Z') }));
  afterEach(() => jest.useRealTimers());

  test('fires each scheduled second once, even when the timer wakes early', async () => {
    const fired: TimerFiring[] = [];
    // Armed on an exact clock, then the clock reads 3 ms behind: what a timer waking early sees.
    let skewMs = 0;
    const scheduler = new TriggerScheduler(async (f) => void fired.push(f), () => new Date(Date.now() - skewMs));
    scheduler.start([spec('* * * * * * *')]);
    skewMs = 3;
    await jest.advanceTimersByTimeAsync(3000);
    scheduler.stop();
    const times = fired.map((f) => f.time.toISOString());
    expect(times).toEqual(['2026-11-23T00:00:01.000Z', '2026-11-23T00:00:02.000Z', '2026-11-23T00:00:03.000Z']);
    expect(fired.every((f) => f.functionName === 'ticker' && f.triggerName === 'tick')).toBe(true);
  });

  test('nothing fires after stop', async () => {
    const fired: TimerFiring[] = [];
    const scheduler = new TriggerScheduler(async (f) => void fired.push(f));
    scheduler.start([spec('* * * * * * *')]);
    scheduler.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(fired).toEqual([]);
  });
});
