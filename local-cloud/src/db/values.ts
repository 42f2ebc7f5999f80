import { EJSON } from 'bson';

/** A stored document: plain objects, arrays, Dates, RegExps and bson value classes. */
export type Doc = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep copy that keeps Dates and RegExps as their own types. bson value classes (Decimal128,
 * ObjectId, ...) are immutable, so they are shared rather than losing their prototype the
 * way structuredClone would.
 */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneValue(v)) as unknown as T;
  if (value instanceof Date) return new Date(value.getTime()) as unknown as T;
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as unknown as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
    return out as T;
  }
  return value;
}

interface BsonLike {
  _bsontype?: string;
  value?: unknown;
  toString(): string;
  toHexString?: () => string;
}

/**
 * Canonical string for a value as an index key: values MongoDB treats as equal get the same
 * key (missing and null, 1 and 1.0, Long and number), different types never collide.
 * Sub-documents keep their key order because MongoDB compares them order-sensitively.
 */
export function encodeKey(value: unknown): string {
  if (value === undefined || value === null) return 'n';
  switch (typeof value) {
    case 'string':
      return 's' + value;
    case 'number':
      return 'd' + (Object.is(value, -0) ? '0' : String(value));
    case 'bigint':
      return 'd' + value.toString();
    case 'boolean':
      return value ? 'bT' : 'bF';
    default:
      break;
  }
  if (value instanceof Date) return 't' + value.getTime();
  const bson = value as BsonLike;
  if (bson._bsontype === 'Int32' || bson._bsontype === 'Double') return encodeKey(Number(bson.value));
  if (bson._bsontype === 'Long') return 'd' + bson.toString();
  if (bson._bsontype === 'ObjectId' && bson.toHexString) return 'o' + bson.toHexString();
  return 'j' + JSON.stringify(EJSON.serialize(value as Doc, { relaxed: false }));
}

/** Marker for an empty array at the end of a path: MongoDB indexes it as its own key. */
export const EMPTY_ARRAY = Symbol('empty-array');

/**
 * Every value a dot path reaches in a document, descending into arrays the way MongoDB's
 * multikey indexes do: array elements at the end of the path are indexed one by one, arrays in
 * the middle are traversed element-wise, and numeric segments also address array positions.
 * A missing path yields `undefined` (indexed as null).
 */
export function collectPathValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(EMPTY_ARRAY);
      for (const el of value) out.push(el);
    } else {
      out.push(value);
    }
    return;
  }
  const segment = parts[i];
  if (Array.isArray(value)) {
    let found = false;
    if (/^\d+$/.test(segment) && Number(segment) < value.length) {
      collect(value[Number(segment)], parts, i + 1, out);
      found = true;
    }
    for (const el of value) {
      if (isPlainObject(el)) {
        collect(el[segment], parts, i + 1, out);
        found = true;
      }
    }
    if (!found) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    collect(value[segment], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** The value a plain dot path reaches without array traversal (for messages and upserts). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Short human-readable rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'null';
  try {
    return EJSON.stringify(value as Doc, { relaxed: true });
  } catch {
    return String(value);
  }
}
