import { nextFiring, parseCron } from '../../../local-cloud/src/triggers/cron';

const next = (expr: string, after: string) => nextFiring(parseCron(expr), new Date(after))?.toISOString() ?? null;

describe('seven-field timer cron in UTC+8', () => {
  test('every five minutes', () => {
    expect(next('0 */5 * * * * *', '2026-11-23T10:02:30Z')).toBe('2026-11-23T10:05:00.000Z');
    expect(next('0 */5 * * * * *', '2026-11-23T10:05:00Z')).toBe('2026-11-23T10:10:00.000Z');
  });

  test('hours are Shanghai hours: 02:00 on the 1st is 18:00 UTC the day before', () => {
    expect(next('0 0 2 1 * * *', '2026-11-23T00:00:00Z')).toBe('2026-11-30T18:00:00.000Z');
  });

  test('"1/10" steps from 1 to the end of the range', () => {
    expect(next('0 1/10 * * * * *', '2026-11-23T10:02:00Z')).toBe('2026-11-23T10:11:00.000Z');
  });

  test('day and weekday both restricted match either', () => {
    // 2026-11-23 is a Monday in Shanghai; the 25th is a Wednesday.
    expect(next('0 0 9 25 * MON *', '2026-11-23T02:00:00Z')).toBe('2026-11-25T01:00:00.000Z');
    expect(next('0 0 9 * * MON-FRI *', '2026-11-27T02:00:00Z')).toBe('2026-11-30T01:00:00.000Z');
  });

  test('a schedule whose years have passed never fires', () => {
    expect(next('0 0 0 1 1 * 2020', '2026-01-01T00:00:00Z')).toBeNull();
  });

  test('malformed expressions are rejected', () => {
    expect(() => parseCron('0 */5 * * * *')).toThrow('seven fields');
    expect(() => parseCron('0 61 * * * * *')).toThrow('invalid cron value');
    expect(() => parseCron('0 5-1 * * * * *')).toThrow('invalid cron range');
  });
});
