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

/** A dayjs in business time, for calendar arithmetic. */
export function businessTime(instant: Date | number | string): dayjs.Dayjs {
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

/** The instant a business wall-clock time (`YYYY-MM-DD HH:mm`) denotes. */
export function fromBusinessWallClock(text: string): Date {
  const parsed = dayjs.tz(text, BUSINESS_TIME_ZONE);
  if (!parsed.isValid()) throw new RangeError(`not a date-time: ${text}`);
  return parsed.toDate();
}
