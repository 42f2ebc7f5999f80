import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { FunctionMain } from '../../../server/core/router';
import { chars, fieldLabel, hasUnsafeText, parseRequest, REQUEST_SHAPE_LIMITS } from '../../../server/core/validation';
import { FIELD_LABEL_FALLBACK, FIELD_LABELS } from '../../../typings/error-texts';
import { FIELD_LIMITS } from '../../../typings/limits';
import { fieldPaths, shapeOf } from '../../helpers/schema-shape';

const memberSchema = z.strictObject({
  member: z.strictObject({
    name: chars(FIELD_LIMITS.memberName),
    kind: z.enum(['student', 'staff']),
    unitIds: z.array(z.string().check(z.minLength(1))).check(z.maxLength(3)),
    title: z.nullable(z.string()),
  }),
  deactivateMissing: z.optional(z.boolean()),
  query: z.optional(chars(FIELD_LIMITS.searchQuery).check(z.minLength(1))),
});

const valid = { member: { name: '王伟', kind: 'student', unitIds: ['u-1'], title: null } };

function refusal(input: unknown) {
  const parsed = parseRequest(memberSchema, input);
  if (parsed.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  expect(parsed.error.code).toBe('INVALID_INPUT');
  return parsed.error;
}

describe('control characters are refused in every string of every request', () => {
  test.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['vertical tab', '\u000B'],
    ['form feed', '\u000C'],
    ['escape', '\u001B'],
    ['DEL', '\u007F'],
    ['C1 NEL', '\u0085'],
    ['C1 CSI', '\u009B'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', '\uFFFF'],
    ['lone high surrogate', '\uD83D'],
    ['lone low surrogate', '\uDE00'],
    ['reversed surrogate pair', '\uDE00\uD83D'],
  ])('%s', (_name, char) => {
    expect(hasUnsafeText(`ab${char}cd`)).toBe(true);
    expect(refusal({ ...valid, query: `王${char}` })).toMatchObject({ field: 'query', message: expect.stringContaining('搜索内容') });
  });

  test('tab, line feed, carriage return, paired surrogates and emoji joiners are text', () => {
    for (const text of ['a\tb', 'line\nnext', 'line\r\nnext', '😀', '👨‍👩‍👧', '王伟', 'é']) {
      expect(hasUnsafeText(text)).toBe(false);
    }
    expect(parseRequest(memberSchema, { ...valid, member: { ...valid.member, name: '王\t伟\n' } }).ok).toBe(true);
  });

  test('the field is named wherever the string sits: nested, in arrays, or where no schema reads it', () => {
    expect(refusal({ member: { ...valid.member, name: 'a\u0000' } }).field).toBe('member.name');
    expect(refusal({ member: { ...valid.member, unitIds: ['u-1', 'u-\u0000'] } }).field).toBe('member.unitIds.1');
    // Checked before the schema: an unexpected field with a NUL is refused for the NUL.
    expect(refusal({ ...valid, extra: { deep: ['\u0000'] } })).toMatchObject({ field: 'extra.deep.0', message: expect.stringContaining(FIELD_LABEL_FALLBACK) });
  });

  test('keys are checked too, and a hostile key never comes back raw in error.field', () => {
    const error = refusal({ ...valid, member: { ...valid.member, ['\u0000'.repeat(3)]: 1 } });
    expect(error.field).toBe('member');
    const long = refusal({ ...valid, [`k${'x'.repeat(5000)}`]: 1 });
    expect(long.field!.length).toBeLessThanOrEqual(70);
  });

  test('hostile nesting is refused without recursion, however deep', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i += 1) deep = { a: deep };
    const started = Date.now();
    expect(refusal({ ...valid, zz: deep })).toMatchObject({ field: 'zz', message: expect.stringContaining('层级过深') });
    let deepArray: unknown = [];
    for (let i = 0; i < 200_000; i += 1) deepArray = [deepArray];
    expect(refusal({ ...valid, member: deepArray }).field).toBe('member');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a request with too many values is refused before its schema', () => {
    const many = Array.from({ length: REQUEST_SHAPE_LIMITS.nodes }, () => 0);
    expect(refusal({ ...valid, zz: many })).toMatchObject({ field: '(root)', message: expect.stringContaining('请求内容过多') });
    const nested = { a: { b: { c: { d: { e: { f: 'ok' } } } } } };
    expect(parseRequest(z.unknown(), nested).ok).toBe(true);
  });
});

describe('INVALID_INPUT says in words which field and what is wrong', () => {
  test.each([
    ['too long, with the limit', { member: { ...valid.member, name: '王'.repeat(FIELD_LIMITS.memberName + 1) } }, 'member.name', `姓名过长，最多 ${FIELD_LIMITS.memberName} 个字`],
    ['missing', { member: { kind: 'student', unitIds: [], title: null } }, 'member.name', '缺少姓名'],
    ['missing object', {}, 'member', '缺少成员信息'],
    ['wrong type', { ...valid, deactivateMissing: 'yes' }, 'deactivateMissing', '停用缺失成员选项的格式不正确'],
    ['not one of the choices', { member: { ...valid.member, kind: 'alien' } }, 'member.kind', '成员类型不是可选的值'],
    ['too many items', { member: { ...valid.member, unitIds: ['a', 'b', 'c', 'd'] } }, 'member.unitIds', '所在单位过多，最多 3 项'],
    ['empty', { ...valid, query: '' }, 'query', '搜索内容不能为空'],
    ['an array item', { member: { ...valid.member, unitIds: [''] } }, 'member.unitIds.0', '所在单位不能为空'],
    ['unexpected field', { ...valid, surprise: 1 }, 'surprise', '请求中包含无法识别的内容'],
    ['unexpected nested field', { member: { ...valid.member, surprise: 1 } }, 'member.surprise', '成员信息中包含无法识别的内容'],
  ])('%s', (_name, input, field, message) => {
    expect(refusal(input)).toEqual({ code: 'INVALID_INPUT', field, message });
  });

  test('chars(max) counts what a person counts: code points, surrounding spaces free', () => {
    const schema = z.strictObject({ name: chars(3) });
    expect(parseRequest(schema, { name: '😀😀😀' }).ok).toBe(true);
    expect(parseRequest(schema, { name: '  王伟 ' }).ok).toBe(true);
    expect(parseRequest(schema, { name: '王伟王伟' })).toEqual({ ok: false, error: { code: 'INVALID_INPUT', field: 'name', message: '名称过长，最多 3 个字' } });
    expect(parseRequest(schema, { name: 3 })).toMatchObject({ error: { field: 'name', message: '名称的格式不正确' } });
  });

  test('a schema’s own Chinese message is used as written', () => {
    const schema = z.strictObject({ number: z.string().check(z.regex(/^[A-Za-z0-9]*$/, '学号/工号只能包含字母和数字')) });
    expect(parseRequest(schema, { number: 'a/b' })).toEqual({ ok: false, error: { code: 'INVALID_INPUT', field: 'number', message: '学号/工号只能包含字母和数字' } });
    expect(parseRequest(z.strictObject({ n: z.string().check(z.refine((v) => v !== 'x')) }), { n: 'x' })).toMatchObject({ error: { message: `${FIELD_LABEL_FALLBACK}的内容不正确` } });
  });

  test('fields without a label, and names that are Object.prototype keys, read as the generic wording', () => {
    expect(fieldLabel(['mystery'])).toBe(FIELD_LABEL_FALLBACK);
    expect(fieldLabel(['constructor'])).toBe(FIELD_LABEL_FALLBACK);
    expect(fieldLabel(['__proto__'])).toBe(FIELD_LABEL_FALLBACK);
    expect(fieldLabel(['member', 'name'])).toBe('姓名');
    expect(fieldLabel(['name'])).toBe('名称');
  });

  test('every field of every function’s requests has a Chinese label', () => {
    const root = join(__dirname, '..', '..', '..', 'cloudfunctions');
    const functions = readdirSync(root).filter((name) => existsSync(join(root, name, 'index.ts')));
    expect(functions.length).toBeGreaterThan(0);
    const unlabelled: string[] = [];
    let fields = 0;
    for (const name of functions) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- functions are discovered at run time
      const { main } = require(join(root, name, 'index.ts')) as { main: FunctionMain };
      for (const action of main.actions) {
        for (const path of fieldPaths(shapeOf(action.input))) {
          fields += 1;
          const label = fieldLabel(path);
          if (label === FIELD_LABEL_FALLBACK || !/[\u4e00-\u9fff]/.test(label)) unlabelled.push(`${name}.${action.name}: ${path.join('.')}`);
        }
      }
    }
    expect(fields).toBeGreaterThan(20);
    expect(unlabelled).toEqual([]);
    expect(Object.values(FIELD_LABELS).every((label) => /[\u4e00-\u9fff]/.test(label))).toBe(true);
  });
});
