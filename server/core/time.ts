/**
 * Business time. Every date a person sees or a rule depends on (a day, a deadline, a booking
 * slot) is in Asia/Shanghai, whatever zone the server runs in (cloud functions run in UTC).
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

/** A dayjs in business time, for calendar arithmetic. Takes instants only, never text. */
export function businessTime(instant: Date | number): dayjs.Dayjs {
  return dayjs(instant).tz(BUSINESS_TIME_ZONE);
}

/** `YYYY-MM-DD` of the business day containing the instant. */
export function businessDate(instant: Date | number): string {
  return businessTime(instant).format('YYYY-MM-DD');
}

/** Formats an instant in business time (dayjs format tokens). */
export function formatBusiness(instant: Date | number, pattern = 'YYYY-MM-DD HH:mm'): string {
  return businessTime(instant).format(pattern);
}

const WALL_CLOCK = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;

/**
 * The instant a business wall-clock time denotes. Exactly `YYYY-MM-DD HH:mm`, and a real
 * calendar time: `2026-02-30 10:00` is refused rather than rolled over into March.
 */
export function fromBusinessWallClock(text: string): Date {
  const parsed = WALL_CLOCK.test(text) ? dayjs.tz(text, BUSINESS_TIME_ZONE) : null;
  if (!parsed || !parsed.isValid() || parsed.format('YYYY-MM-DD HH:mm') !== text) {
    throw new RangeError(`not a business date-time (YYYY-MM-DD HH:mm): ${text}`);
  }
  return parsed.toDate();
}
