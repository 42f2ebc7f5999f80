/** 学号/工号 as people type them and as the roster keeps them. */
import { normaliseNumber, numberProblem } from '../../../server/org/member-number';
import { FIELD_LIMITS } from '../../../typings/limits';

test('spaces anywhere go, full-width letters, digits and marks become ASCII', () => {
  expect(normaliseNumber(' 2023 0101 ')).toBe('20230101');
  expect(normaliseNumber('２０２３\u3000０１０１')).toBe('20230101');
  expect(normaliseNumber('Ｔ２０２３－０１．５＿ａ')).toBe('T2023-01.5_a');
  expect(normaliseNumber('2023\t01\n01')).toBe('20230101');
});

test('what is still wrong after normalising is said in Chinese; the limit is the declared one', () => {
  expect(numberProblem('20230101')).toBeNull();
  expect(numberProblem('')).toBe('请填写学号/工号');
  expect(numberProblem('2023/01')).toContain('只能包含字母、数字和 _ . -');
  expect(numberProblem('-2023')).toContain('以字母或数字开头');
  expect(numberProblem('1'.repeat(FIELD_LIMITS.memberNumber))).toBeNull();
  expect(numberProblem('1'.repeat(FIELD_LIMITS.memberNumber + 1))).toBe(`学号/工号最多 ${FIELD_LIMITS.memberNumber} 位`);
});
