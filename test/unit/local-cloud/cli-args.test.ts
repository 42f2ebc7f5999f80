import { parseArgs } from '../../../local-cloud/src/main';

test('--clock and XINTONG_LOCAL_CLOCK take an ISO instant with its zone', () => {
  expect(parseArgs(['--clock', '2025-03-03T09:30:00+08:00'], {}, '/r').clock?.toISOString()).toBe('2025-03-03T01:30:00.000Z');
  expect(parseArgs([], { XINTONG_LOCAL_CLOCK: '2025-03-03T01:30:00Z' }, '/r').clock?.toISOString()).toBe('2025-03-03T01:30:00.000Z');
  expect(parseArgs([], {}, '/r').clock).toBeNull();
});

test('a clock that is not a whole instant is refused with the usage text', () => {
  // Without a zone the instant would depend on this machine's zone.
  for (const text of ['2025-03-03T09:30:00', '2025-03-03', 'tomorrow', '2025-13-03T09:30:00Z']) {
    expect(() => parseArgs(['--clock', text], {}, '/r')).toThrow(/--clock needs an ISO instant[\s\S]*usage: npm start/);
  }
});
