import { randomBytes } from 'crypto';
import { requestFailed } from './errors';
import { cloneValue, describeValue, isPlainObject, type Doc } from './values';

/** What CloudBase requires of stored documents and how new ones get their `_id`. */

let idCounter = Math.floor(Math.random() * 0xffffff);

/** 32 hex chars like CloudBase's ids: seconds, a counter and randomness, so ids roughly follow insertion time. */
export function newDocId(): string {
  idCounter = (idCounter + 1) & 0xffffff;
  const time = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return time + idCounter.toString(16).padStart(6, '0') + randomBytes(9).toString('hex');
}

export function hasOperatorKeys(data: Doc): boolean {
  return Object.keys(data).some((k) => k.startsWith('$'));
}

/** MongoDB rejects stored field names starting with `$`; such a document could not round-trip EJSON either. */
export function assertStorable(value: unknown, path = ''): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorable(v, `${path}${i}.`));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$')) throw requestFailed(`field name '${path}${k}' must not start with '$'`);
      assertStorable(v, `${path}${k}.`);
    }
  }
}

export function assertDocId(id: unknown): void {
  if (id === undefined || Array.isArray(id) || id instanceof RegExp) {
    throw requestFailed(`invalid _id ${describeValue(id)}`);
  }
}

export function withIdFirst(id: unknown, rest: Doc): Doc {
  const doc: Doc = { _id: id };
  for (const [k, v] of Object.entries(rest)) if (k !== '_id') doc[k] = v;
  return doc;
}

/** Equality fields of a query, which become the base of an upserted document (as in MongoDB). */
export function upsertBase(query: Doc | undefined): Doc {
  const base: Doc = {};
  if (!query) return base;
  for (const [k, v] of Object.entries(query)) {
    if (k.startsWith('$') || k.includes('.')) continue;
    if (isPlainObject(v) && Object.keys(v).some((o) => o.startsWith('$'))) {
      if ('$eq' in v) base[k] = cloneValue(v.$eq);
      continue;
    }
    if (v instanceof RegExp) continue;
    base[k] = cloneValue(v);
  }
  return base;
}

const NUMERIC_OPERATORS = new Set(['$inc', '$mul']);
const ARRAY_OPERATORS = new Set(['$push', '$addToSet', '$pop', '$pull', '$pullAll']);

/**
 * MongoDB (and so CloudBase) refuses an update whose operator does not fit the stored type:
 * `$inc` on a string, `$push` on a number, a dotted `$set` through a null or a scalar. Without
 * this check they would quietly change nothing and report success.
 */
export function assertUpdateTypes(doc: Doc, modifier: Record<string, Record<string, unknown>>): void {
  for (const [operator, fields] of Object.entries(modifier)) {
    for (const path of Object.keys(fields)) {
      const segments = path.split('.');
      // Positional paths (`$`, `$[]`, `$[id]`) are resolved by the update engine itself.
      if (segments.some((s) => s.startsWith('$'))) continue;
      let current: unknown = doc;
      let walked = true;
      for (let i = 0; i < segments.length && current !== undefined; i++) {
        if (Array.isArray(current) && /^\d+$/.test(segments[i])) {
          current = current[Number(segments[i])];
        } else if (isPlainObject(current)) {
          current = current[segments[i]];
        } else if (Array.isArray(current)) {
          walked = false;
          break;
        } else {
          const parent = segments.slice(0, i).join('.');
          throw requestFailed(`Cannot create field '${segments[i]}' in element {${parent}: ${describeValue(current)}}`);
        }
      }
      if (!walked || current === undefined) continue;
      if (NUMERIC_OPERATORS.has(operator) && typeof current !== 'number') {
        throw requestFailed(`Cannot apply ${operator} to a value of non-numeric type. {_id: ${describeValue(doc._id)}} has the field '${path}' of non-numeric type ${typeName(current)}`);
      }
      if (ARRAY_OPERATORS.has(operator) && !Array.isArray(current)) {
        throw requestFailed(`The field '${path}' must be an array but is of type ${typeName(current)} in document {_id: ${describeValue(doc._id)}}`);
      }
    }
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'date';
  if (isPlainObject(value)) return 'object';
  return typeof value;
}
