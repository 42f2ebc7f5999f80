/**
 * What the local cloud refuses before a function sees an event. The HTTP body limit bounds an
 * event's size but not its nesting: 30 KB of `{"a":{"a":...}}` parses fine, yet handing it to a
 * worker (structured clone) or serialising it recurses once per level and overflows the stack.
 */

/** As deep as a MongoDB document may be; real events are a handful of levels. */
export const MAX_EVENT_DEPTH = 100;

/**
 * How deep objects and arrays nest in `value` (a scalar is 0), counted without recursion so a
 * hostile value cannot overflow the stack here either. Stops early once past `limit`.
 */
export function nestingDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push({ value: child, depth: level });
  }
  return deepest;
}

/** Why an event cannot be handed to a function, or null when it can. */
export function eventProblem(event: unknown): string | null {
  if (nestingDepth(event, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) {
    return `the event nests objects or arrays deeper than ${MAX_EVENT_DEPTH} levels (请求数据嵌套层级过深)`;
  }
  return null;
}
