/**
 * One owner per text: a function writes its own sentence only for the codes whose message
 * carries detail (DETAILED_CODES); for every other code it sends ERROR_TEXTS[code] (what
 * `fail(code)` and `new AppFailure(code)` default to), which is also what the mini-program shows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DETAILED_CODES, ERROR_TEXTS } from '../../../typings/error-texts';

const ROOT = resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `fail('CODE', <message>` or `AppFailure('CODE', <message>`, the message not `undefined`. */
const WITH_MESSAGE = /\b(?:fail|AppFailure)\(\s*'([A-Z_]+)'\s*,\s*(?!undefined\b)(?=['"`A-Za-z_])/g;

test('the functions write their own sentence only for codes that carry detail', () => {
  const detailed = new Set<string>(DETAILED_CODES);
  const own: string[] = [];
  for (const file of [...sources(join(ROOT, 'server')), ...sources(join(ROOT, 'cloudfunctions'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(WITH_MESSAGE)) {
      if (!detailed.has(match[1])) own.push(`${relative(ROOT, file)}: ${match[1]}`);
    }
  }
  expect(own).toEqual([]);
});

test('the check sees a sentence where one is written', () => {
  const written = `throw new AppFailure('UNIT_NAME_TAKEN', '目标单位下已有同名单位');\nreturn fail('FORBIDDEN', message);\nnew AppFailure('PHONE_INVALID', undefined, 'phone')`;
  expect([...written.matchAll(WITH_MESSAGE)].map((match) => match[1])).toEqual(['UNIT_NAME_TAKEN', 'FORBIDDEN']);
});

test('every detailed code has a declared sentence too, for a message without detail', () => {
  for (const code of DETAILED_CODES) expect(ERROR_TEXTS[code]).toMatch(/[\u4e00-\u9fff]/);
});
