import type { AppError, ErrorCode } from '../../typings';
import { DETAILED_CODES, ERROR_TEXTS } from '../../typings/error-texts';

/** For these the server's sentence is shown; for every other code the declared one, whatever the server wrote. */
const DETAILED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(DETAILED_CODES);

/** A detail a person can read: Chinese, not a field name or a library's English. */
const READABLE = /[\u4e00-\u9fff]/;

const FALLBACK = '操作失败，请稍后重试';

/** The sentence shown to a person when a call fails. */
export function errorText(error: AppError): string {
  const message = (error.message ?? '').trim();
  if (DETAILED.has(error.code) && READABLE.test(message)) return message;
  const declared = (ERROR_TEXTS as Partial<Record<string, string>>)[error.code];
  if (declared) return declared;
  // A code newer than this build: the server's sentence is the best there is.
  return READABLE.test(message) ? message : FALLBACK;
}
