import { BSONRegExp, EJSON } from 'bson';
import { isPlainObject, type Doc } from './values';

/**
 * Turns a value freshly parsed from the SDK's EJSON into what the engine stores and mingo
 * evaluates: `{$tcb_server_date: {offset}}` becomes a Date (server time + offset ms), and BSON
 * regular expressions become JavaScript RegExps (mingo only understands the latter).
 */
export function decodeValue(value: unknown, now: () => Date): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, now));
  if (value instanceof BSONRegExp) return toRegExp(value.pattern, value.options);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$tcb_server_date') {
      const spec = value.$tcb_server_date;
      const offset = isPlainObject(spec) ? Number(spec.offset ?? 0) : 0;
      return new Date(now().getTime() + (Number.isFinite(offset) ? offset : 0));
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = decodeValue(value[key], now);
    return out;
  }
  return value;
}

/** BSON allows flags JavaScript does not (x, l); dropping them keeps the rest of the pattern usable. */
function toRegExp(pattern: string, options: string): RegExp {
  const flags = [...new Set(options.split(''))].filter((f) => 'imsu'.includes(f)).join('');
  return new RegExp(pattern, flags);
}

/** Parses one EJSON string from a request (canonical or relaxed) into engine values. */
export function parseEjson(text: string, now: () => Date): unknown {
  return decodeValue(EJSON.parse(text, { relaxed: true }), now);
}

/**
 * Serializes a document for a reply. Relaxed EJSON keeps numbers as JSON numbers and Dates as
 * `{$date}`; the SDK parses it with EJSON.parse, so Dates arrive as Date objects.
 */
export function stringifyDoc(doc: Doc): string {
  return EJSON.stringify(doc, { relaxed: true });
}

/** JSON-compatible form of a value for the log and snapshot files. */
export function toStorable(value: unknown): unknown {
  return EJSON.serialize(value as Doc, { relaxed: true });
}

export function fromStorable(value: unknown): unknown {
  return decodeValue(EJSON.deserialize(value as Doc, { relaxed: true }), () => new Date());
}
