import * as z from 'zod/mini';
import { fail } from './result';
import type { AppError } from '../../typings';
import { FIELD_LABEL_FALLBACK, FIELD_LABELS } from '../../typings/error-texts';

/** A request schema; actions declare theirs with `zod/mini`, which bundles small. */
export type Schema<T> = z.core.$ZodType<T>;

/** Fields the platform adds to every event; they are not part of any action's request. */
const PLATFORM_FIELDS = new Set(['action', 'userInfo']);

export function requestFields(event: Record<string, unknown>): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!PLATFORM_FIELDS.has(key)) request[key] = value;
  }
  return request;
}

/**
 * Characters no request text may hold, whatever the field: C0 controls except tab, line feed
 * and carriage return (multi-line text legitimately has them; single-line fields refuse them
 * in their own schema or domain check), DEL, C1 controls, the noncharacters U+FFFE and U+FFFF,
 * and surrogates that are not half of a pair (not text at all; the database refuses them).
 * Format characters such as zero-width joiners stay allowed: emoji are built with them.
 */
const UNSAFE_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasUnsafeText(text: string): boolean {
  return UNSAFE_TEXT.test(text);
}

/**
 * Bounds on a request's shape, checked before any schema: a request is walked whole (every
 * string is checked, not only those a schema reads), so it must not be able to make that walk
 * deep or long. The deepest request today is three levels (`member.unitIds.0`).
 */
export const REQUEST_SHAPE_LIMITS = { depth: 16, nodes: 10_000 } as const;

/** Field names are echoed in `error.field`: a hostile key must not come back long or unsafe. */
const FIELD_SEGMENT_MAX = 64;

/**
 * Text a person types, at most `max` characters as FIELD_LIMITS counts them: code points after
 * trimming, so an emoji is one character and surrounding spaces are free. Too long is the same
 * `too_big` issue as `z.maxLength`, so the message names the limit.
 */
export function chars(max: number): z.ZodMiniString<string> {
  return z.string().check(
    z.check<string>((ctx) => {
      if ([...ctx.value.trim()].length > max) {
        ctx.issues.push({ code: 'too_big', origin: 'string', maximum: max, inclusive: true, input: ctx.value });
      }
    }),
  );
}

function fieldSegment(key: PropertyKey): string {
  const text = String(key);
  const safe = text.replace(new RegExp(UNSAFE_TEXT.source, 'g'), '?');
  return safe.length > FIELD_SEGMENT_MAX ? `${safe.slice(0, FIELD_SEGMENT_MAX)}…` : safe;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(fieldSegment).join('.');
}

/** What a person calls the field at `path` (array indexes left out). */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const names = path.filter((key) => typeof key === 'string' && !/^\d+$/.test(key)).map(String);
  if (names.length === 0) return path.length === 0 ? '请求' : FIELD_LABEL_FALLBACK;
  for (const candidate of [names.join('.'), names[names.length - 1]]) {
    if (Object.prototype.hasOwnProperty.call(FIELD_LABELS, candidate)) return FIELD_LABELS[candidate];
  }
  return FIELD_LABEL_FALLBACK;
}

type ShapeProblem = { path: PropertyKey[]; reason: 'unsafe-text' | 'too-deep' | 'too-many' };

/**
 * The first string (value or key) holding an unsafe character, or the first place the request
 * grows past REQUEST_SHAPE_LIMITS. Iterative, so hostile nesting cannot exhaust the stack.
 */
function shapeProblem(input: unknown): ShapeProblem | null {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: input, path: [] }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    nodes += 1;
    if (nodes > REQUEST_SHAPE_LIMITS.nodes) return { path: [], reason: 'too-many' };
    if (typeof value === 'string') {
      if (hasUnsafeText(value)) return { path, reason: 'unsafe-text' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= REQUEST_SHAPE_LIMITS.depth) return { path: path.slice(0, 1), reason: 'too-deep' };
    const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
    // Reversed, so the walk meets fields in the order they were sent.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, item] = entries[i];
      if (typeof key === 'string' && hasUnsafeText(key)) return { path, reason: 'unsafe-text' };
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return null;
}

function shapeMessage(problem: ShapeProblem): string {
  const label = fieldLabel(problem.path);
  if (problem.reason === 'unsafe-text') return `${label}中含有不允许的控制字符，请删除后重试`;
  if (problem.reason === 'too-deep') return `${label}的层级过深`;
  return '请求内容过多，请减少后重试';
}

function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...issue.path, issue.keys[0]];
  return [...issue.path];
}

/** Zod's own messages are English; a Chinese one was written by the schema for people. */
const WRITTEN_FOR_PEOPLE = /[\u3400-\u9fff]/;

/**
 * A sentence naming the field as a person knows it and what is wrong with it; a schema's own
 * Chinese message (`z.maxLength(40, '...')`, a refine's message) is used as written.
 */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (WRITTEN_FOR_PEOPLE.test(issue.message)) return issue.message;
  const label = fieldLabel(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `缺少${label}` : `${label}的格式不正确`;
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `${label}过长，最多 ${max} 个字`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label}过多，最多 ${max} 项`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${label}不能大于 ${max}`;
      return `${label}超出了允许的范围`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `${label}不能为空` : `${label}过短，至少 ${min} 个字`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${label}至少需要 ${min} 项`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return `${label}不能小于 ${min}`;
      return `${label}超出了允许的范围`;
    }
    case 'invalid_value':
      return `${label}不是可选的值`;
    case 'unrecognized_keys':
      return issue.path.length === 0 ? '请求中包含无法识别的内容' : `${label}中包含无法识别的内容`;
    case 'custom': {
      const max = (issue.params as { maximum?: unknown } | undefined)?.maximum;
      return typeof max === 'number' ? `${label}过长，最多 ${max} 个字` : `${label}的内容不正确`;
    }
    default:
      return `${label}的格式不正确`;
  }
}

/**
 * Parses a request, or answers INVALID_INPUT with the offending field: `error.field` is its
 * machine name (`member.name`), the message says in words what is wrong (姓名过长，最多 40 个字).
 * Every request passes the same text and shape checks before its schema, so no action can
 * forget them.
 */
export function parseRequest<T>(
  schema: Schema<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; error: AppError } {
  const problem = shapeProblem(input);
  if (problem) return fail('INVALID_INPUT', shapeMessage(problem), fieldPath(problem.path));
  const parsed = z.safeParse(schema, input, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return fail('INVALID_INPUT', undefined, '(root)');
  return fail('INVALID_INPUT', issueMessage(issue), fieldPath(issuePath(issue)));
}
