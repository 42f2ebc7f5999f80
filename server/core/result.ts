import type { AppError, ErrorCode, Result } from '../../typings';
import { ERROR_TEXTS } from '../../typings/error-texts';

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

/**
 * A failure value. Without a message of its own it carries the code's sentence from
 * ERROR_TEXTS, so a generic sentence is written in one place only; pass a message only when
 * it says more than that sentence (which field, which limit).
 */
export function fail(code: ErrorCode, message?: string, field?: string): { ok: false; error: AppError } {
  const text = message ?? ERROR_TEXTS[code];
  return { ok: false, error: field === undefined ? { code, message: text } : { code, message: text, field } };
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
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}
