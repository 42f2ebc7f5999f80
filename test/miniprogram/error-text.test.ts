import type { ErrorCode } from '../../typings';
import { DETAILED_CODES, ERROR_TEXTS } from '../../typings/error-texts';
import { errorText } from '../../miniprogram/utils/error-text';

const DETAILED: readonly ErrorCode[] = DETAILED_CODES;
const PLAIN = (Object.keys(ERROR_TEXTS) as ErrorCode[]).filter((code) => !DETAILED.includes(code));

describe('errorText', () => {
  it.each(PLAIN)('shows the one declared sentence for %s, whatever the server wrote', (code) => {
    expect(errorText({ code, message: '服务端的另一种说法' })).toBe(ERROR_TEXTS[code]);
    expect(errorText({ code, message: '' })).toBe(ERROR_TEXTS[code]);
  });

  it.each(DETAILED)("shows the server's detail for %s, which says which field or what is wrong", (code) => {
    expect(errorText({ code, message: '姓名：不能超过 40 个字' })).toBe('姓名：不能超过 40 个字');
  });

  it.each(DETAILED)('falls back to the declared sentence for %s when the detail is empty or not Chinese', (code) => {
    expect(errorText({ code, message: '' })).toBe(ERROR_TEXTS[code]);
    expect(errorText({ code, message: 'deactivateMissing: expected boolean' })).toBe(ERROR_TEXTS[code]);
  });

  it('lets the booking rules say which rule of the room was broken', () => {
    expect(DETAILED).toEqual(expect.arrayContaining(['INVALID_INPUT', 'UNIT_NOT_EMPTY', 'BOOKING_CONFLICT', 'BOOKING_OUTSIDE_HOURS']));
  });

  it('explains BUSY_RETRY as contention to retry shortly, not as a failure', () => {
    expect(errorText({ code: 'BUSY_RETRY', message: 'transaction conflict' })).toBe(ERROR_TEXTS.BUSY_RETRY);
    expect(ERROR_TEXTS.BUSY_RETRY).toMatch(/稍后/);
  });

  it("shows a newer server's Chinese sentence for a code this build does not know, never its English", () => {
    const unknown = 'NOTICE_GONE' as ErrorCode;
    expect(errorText({ code: unknown, message: '该通知已撤回' })).toBe('该通知已撤回');
    expect(errorText({ code: unknown, message: 'notice gone' })).toBe('操作失败，请稍后重试');
  });
});
