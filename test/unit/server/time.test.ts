import { businessDate, formatBusiness, fromBusinessWallClock } from '../../../server/core/time';

describe('business time is Asia/Shanghai whatever the host zone', () => {
  test('the host zone under test is neither UTC nor Shanghai', () => {
    // jest.config.js sets it; without it these tests would prove nothing.
    expect(new Date('2026-01-01T00:00:00Z').getTimezoneOffset()).not.toBe(0);
    expect(new Date('2026-01-01T00:00:00Z').getTimezoneOffset()).not.toBe(-480);
  });

  test('an instant late in the UTC day is already the next business day', () => {
    const instant = new Date('2026-11-23T17:30:00Z');
    expect(businessDate(instant)).toBe('2026-11-24');
    expect(formatBusiness(instant)).toBe('2026-11-24 01:30');
  });

  test('wall-clock times convert to instants at UTC+8', () => {
    expect(fromBusinessWallClock('2026-11-24 09:00').toISOString()).toBe('2026-11-24T01:00:00.000Z');
    expect(() => fromBusinessWallClock('not a date')).toThrow(RangeError);
  });

  test('only real calendar times in exactly YYYY-MM-DD HH:mm are accepted', () => {
    expect(fromBusinessWallClock('2028-02-29 23:59').toISOString()).toBe('2028-02-29T15:59:00.000Z');
    for (const bad of ['2026-02-30 10:00', '2026-13-01 08:00', '2026-11-24 24:00', '2026-11-24T10:00:00Z', '2026-11-24 9:00', '2026-11-24']) {
      expect(() => fromBusinessWallClock(bad)).toThrow(RangeError);
    }
  });
});
