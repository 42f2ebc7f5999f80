/**
 * The seven-field cron of WeChat cloud timer triggers (second minute hour day month weekday
 * year), evaluated in UTC+8 as the platform documents, whatever the machine's time zone.
 * When both day and weekday are restricted, either may match, as the platform specifies.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  min: number;
  max: number;
  names?: string[];
  /** Value the first name maps to. */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 6, names: WEEKDAYS, nameBase: 0 },
  { min: 1970, max: 2099 },
];

export interface CronSchedule {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  years: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function parseValue(text: string, spec: FieldSpec, expr: string): number {
  const upper = text.toUpperCase();
  const named = spec.names ? spec.names.indexOf(upper) : -1;
  const value = named >= 0 ? named + (spec.nameBase ?? 0) : Number(text);
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new Error(`invalid cron value "${text}" in "${expr}"`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expr: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid cron step in "${expr}"`);
    let from: number;
    let to: number;
    if (rangeText === '*') {
      from = spec.min;
      to = spec.max;
    } else if (rangeText.includes('-')) {
      const [a, b] = rangeText.split('-');
      from = parseValue(a, spec, expr);
      to = parseValue(b, spec, expr);
    } else {
      from = parseValue(rangeText, spec, expr);
      // "1/10" means from 1 every 10 to the end of the range.
      to = stepText === undefined ? from : spec.max;
    }
    if (from > to) throw new Error(`invalid cron range "${rangeText}" in "${expr}"`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function parseCron(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 7) throw new Error(`cron "${expr}" must have seven fields`);
  const [seconds, minutes, hours, days, months, weekdays, years] = parts.map((part, i) => parseField(part, FIELDS[i], expr));
  return {
    seconds,
    minutes,
    hours,
    days,
    months,
    weekdays,
    years,
    dayRestricted: parts[3] !== '*',
    weekdayRestricted: parts[5] !== '*',
  };
}

function dayMatches(s: CronSchedule, day: number, weekday: number): boolean {
  if (s.dayRestricted && s.weekdayRestricted) return s.days.has(day) || s.weekdays.has(weekday);
  return s.days.has(day) && s.weekdays.has(weekday);
}

/** The first firing strictly after `after`, or null when the schedule has no future firing. */
export function nextFiring(schedule: CronSchedule, after: Date): Date | null {
  // Work on a clock shifted to UTC+8 and read it with UTC getters: no DST, no host zone.
  const t = new Date(Math.floor((after.getTime() + SHANGHAI_OFFSET_MS) / 1000) * 1000 + 1000);
  const maxYear = Math.max(...schedule.years);
  while (t.getUTCFullYear() <= maxYear) {
    if (!schedule.years.has(t.getUTCFullYear())) {
      t.setUTCFullYear(t.getUTCFullYear() + 1, 0, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(schedule, t.getUTCDate(), t.getUTCDay())) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else if (!schedule.seconds.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
    } else {
      return new Date(t.getTime() - SHANGHAI_OFFSET_MS);
    }
  }
  return null;
}
