import * as z from 'zod/mini';
import { fail } from './result';
import type { AppError } from '../../typings';

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

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return [...issue.path.map(String), issue.keys[0]].join('.');
  }
  return issue.path.map(String).join('.') || '(root)';
}

/** Parses a request, or names the first offending field in an INVALID_INPUT error. */
export function parseRequest<T>(
  schema: Schema<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; error: AppError } {
  const parsed = z.safeParse(schema, input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue ? fieldOf(issue) : '(root)';
  return fail('INVALID_INPUT', `参数无效：${field}`, field);
}
