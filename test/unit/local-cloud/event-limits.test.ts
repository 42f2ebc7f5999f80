import { MAX_EVENT_DEPTH, eventProblem, nestingDepth } from '../../../local-cloud/src/functions/event-limits';

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

test('depth counts objects and arrays, not scalars', () => {
  expect(nestingDepth('text')).toBe(0);
  expect(nestingDepth({})).toBe(1);
  expect(nestingDepth({ action: 'x', list: [{ a: 1 }, 2] })).toBe(3);
  expect(nestingDepth(nested(7))).toBe(7);
});

test('a value nested far past the stack is measured without overflowing it', () => {
  // JSON.parse builds this without recursion; structured clone and JSON.stringify overflow on it.
  const deep = JSON.parse(`${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`) as unknown;
  expect(() => JSON.stringify(deep)).toThrow(RangeError);
  expect(nestingDepth(deep)).toBe(200_000);
  expect(nestingDepth(deep, 10)).toBe(11);
});

test('an event up to the limit passes; one level more is refused with a clear reason', () => {
  expect(eventProblem({ action: 'whoami', zz: nested(MAX_EVENT_DEPTH - 1) })).toBeNull();
  expect(eventProblem({ action: 'whoami', zz: nested(MAX_EVENT_DEPTH) })).toMatch(/deeper than 100 levels.*嵌套层级过深/);
});

test('a cycle, which only a direct caller could pass, ends the walk', () => {
  const cyclic: Record<string, unknown> = { action: 'x' };
  cyclic.self = cyclic;
  expect(nestingDepth(cyclic)).toBe(1);
});
