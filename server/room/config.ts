/**
 * Room settings an operator gives each deployment through the function's environment: the
 * check-in window, when reminders go out, and the subscribe-message templates chosen in the
 * WeChat console for booking reminders and outcomes.
 */
import type { SubscribeTemplate } from '../../typings';
import { DEFAULT_CHECK_IN } from '../../typings/room-rules';
import { parseTemplateList } from '../notice/config';

/** What a room template keyword is filled with. */
export type RoomFieldSource = 'subject' | 'room' | 'start' | 'end' | 'status' | 'reason' | 'booker' | 'hint';

export interface RoomTemplateConfig extends SubscribeTemplate {
  purpose: 'booking-remind' | 'booking-result';
  /** Keyword (as the console names it, e.g. `thing1`, `time3`) → what fills it. */
  fields: Record<string, RoomFieldSource>;
}

export interface RoomConfig {
  checkInBeforeMinutes: number;
  checkInAfterMinutes: number;
  remindBeforeMinutes: number;
  /** `ROOM_SUBSCRIBE_TEMPLATES`: a JSON array of RoomTemplateConfig; empty when unset. */
  templates: RoomTemplateConfig[];
  miniprogramState: 'developer' | 'trial' | 'formal';
}

const SOURCES: readonly RoomFieldSource[] = ['subject', 'room', 'start', 'end', 'status', 'reason', 'booker', 'hint'];

export function parseRoomTemplates(raw: string | undefined): RoomTemplateConfig[] {
  return parseTemplateList(raw, 'ROOM_SUBSCRIBE_TEMPLATES', ['booking-remind', 'booking-result'] as const, SOURCES);
}

function minutes(raw: string | undefined, fallback: number, name: string, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be a whole number of minutes from 0 to ${max}`);
  return value;
}

export function roomConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RoomConfig {
  const state = env.XINTONG_MINIPROGRAM_STATE;
  return {
    checkInBeforeMinutes: minutes(env.ROOM_CHECK_IN_BEFORE_MINUTES, DEFAULT_CHECK_IN.beforeMinutes, 'ROOM_CHECK_IN_BEFORE_MINUTES', 120),
    checkInAfterMinutes: minutes(env.ROOM_CHECK_IN_AFTER_MINUTES, DEFAULT_CHECK_IN.afterMinutes, 'ROOM_CHECK_IN_AFTER_MINUTES', 120),
    remindBeforeMinutes: minutes(env.ROOM_REMIND_BEFORE_MINUTES, 15, 'ROOM_REMIND_BEFORE_MINUTES', 24 * 60),
    templates: parseRoomTemplates(env.ROOM_SUBSCRIBE_TEMPLATES),
    miniprogramState: state === 'developer' || state === 'trial' ? state : 'formal',
  };
}
