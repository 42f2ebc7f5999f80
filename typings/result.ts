/**
 * The one result shape every cloud function returns. Expected failures are values with a
 * stable code; nothing returns undefined and nothing throws raw to the client.
 */
import type { ErrorCode } from './errors';
import type { BookingConflict } from './room';

export interface AppError {
  code: ErrorCode;
  message: string;
  /** The offending input field, for INVALID_INPUT. */
  field?: string;
  /** BOOKING_CONFLICT: the bookings holding the time asked for. */
  conflicts?: BookingConflict[];
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppError };
