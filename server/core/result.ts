import type { AppError, BookingConflict, ErrorCode, Result } from '../../typings';
import { ERROR_TEXTS } from '../../typings/error-texts';

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

/**
 * A failure value. Without a message of its own it carries the code's sentence from
 * ERROR_TEXTS, so a generic sentence is written in one place only; pass a message only when
 * it says more than that sentence (which field, which limit).
 */
export function fail(code: ErrorCode, message?: string, field?: string, conflicts?: BookingConflict[]): { ok: false; error: AppError } {
  const error: AppError = { code, message: message ?? ERROR_TEXTS[code] };
  if (field !== undefined) error.field = field;
  if (conflicts !== undefined) error.conflicts = conflicts;
  return { ok: false, error };
}

/**
 * Thrown by domain code deep in a call chain when unwinding by hand would obscure it; the
 * router turns it into the same failure value as `fail()`. Anything else thrown is INTERNAL.
 */
export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_TEXTS[code],
    readonly field?: string,
    /** BOOKING_CONFLICT: who holds the time. */
    readonly conflicts?: BookingConflict[],
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}
