import type { AppError, ErrorCode, Result } from '../../typings';

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function fail(code: ErrorCode, message: string, field?: string): { ok: false; error: AppError } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

/**
 * Thrown by domain code deep in a call chain when unwinding by hand would obscure it; the
 * router turns it into the same failure value as `fail()`. Anything else thrown is INTERNAL.
 */
export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}
