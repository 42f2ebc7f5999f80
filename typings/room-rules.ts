/**
 * Room facts both sides need at run time: the equipment a room may have with its Chinese
 * names, the slot sizes, and the default check-in window. A pure data module: the mini-program
 * build inlines it, the functions bundle it.
 */
import type { Equipment, SlotMinutes } from './room';

/** In the order the filters and forms list them. */
export const ROOM_EQUIPMENT: Readonly<Record<Equipment, string>> = {
  projector: '投影仪',
  screen: '大屏',
  video: '视频会议',
  whiteboard: '白板',
  microphone: '麦克风',
  phone: '电话会议',
};

export const EQUIPMENT_KEYS = Object.keys(ROOM_EQUIPMENT) as Equipment[];

export const SLOT_SIZES: readonly SlotMinutes[] = [15, 30, 60];

/**
 * Slot locks are taken at this grain whatever a room's slot size, so a room whose slot size
 * changes keeps conflicting with the bookings it already holds. Every slot size is a multiple.
 */
export const LOCK_GRAIN_MINUTES = 15;

/** Check-in opens this long before the start and closes this long after it, unless configured. */
export const DEFAULT_CHECK_IN = { beforeMinutes: 10, afterMinutes: 15 } as const;

/** Chinese names of the weekdays, 1 Monday … 7 Sunday. */
export const WEEKDAY_NAMES: readonly string[] = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** The room code's scene: `r=<room id>` (at most 32 visible characters, platform limit). */
export function roomScene(roomId: string): string {
  return `r=${roomId}`;
}

/** The room id a scanned code carries, or null for a scene that is not a room's. */
export function roomIdOfScene(scene: string): string | null {
  const match = /^r=([A-Za-z0-9_-]{1,30})$/.exec(scene);
  return match ? match[1] : null;
}
