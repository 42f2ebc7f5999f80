/**
 * 学号/工号 as the roster keeps them. People type and spreadsheets hold them with spaces
 * (`2023 0101`), full-width digits (`２０２３０１０１`) or a trailing space; the roster, the
 * import and every search read them through `normaliseNumber`, so one number is one key.
 */
import { FIELD_LIMITS } from '../../typings/limits';

const NUMBER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Full-width letters, digits and `－．＿` become ASCII (NFKC); every space, inner ones included, goes. */
export function normaliseNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '');
}

/** Why a normalised number cannot be stored, in words an admin understands; null when it can. */
export function numberProblem(number: string): string | null {
  if (!number) return '请填写学号/工号';
  if ([...number].length > FIELD_LIMITS.memberNumber) return `学号/工号最多 ${FIELD_LIMITS.memberNumber} 位`;
  if (!NUMBER_PATTERN.test(number)) return '学号/工号只能包含字母、数字和 _ . -，且以字母或数字开头';
  return null;
}
