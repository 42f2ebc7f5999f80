import { normaliseNickname } from '../../../server/accounts/profile';
import { AppFailure } from '../../../server/core/result';
import { FIELD_LIMITS } from '../../../typings/limits';

function refusal(raw: string): AppFailure {
  try {
    normaliseNickname(raw);
  } catch (error) {
    if (error instanceof AppFailure) return error;
    throw error;
  }
  throw new Error(`"${raw}" was accepted`);
}

test('a nickname is one trimmed line of 1 to FIELD_LIMITS.nickname characters, emoji counted once', () => {
  expect(normaliseNickname('  小明😀 ')).toBe('小明😀');
  expect(normaliseNickname('😀'.repeat(FIELD_LIMITS.nickname))).toHaveLength(FIELD_LIMITS.nickname * 2);
  expect(refusal('字'.repeat(FIELD_LIMITS.nickname + 1)).message).toBe(`昵称需为 1-${FIELD_LIMITS.nickname} 个字符`);
  expect(refusal('   ').code).toBe('INVALID_INPUT');
});

test('a newline or tab is refused for what it is, not as a length', () => {
  const error = refusal('a\nb');
  expect(error).toMatchObject({ code: 'INVALID_INPUT', field: 'nickname' });
  expect(error.message).toContain('换行');
  expect(refusal('a\tb').message).toContain('制表符');
});
