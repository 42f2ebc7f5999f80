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
