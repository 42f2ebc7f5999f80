import { isPlainObject, type Doc } from './values';

/** `path` must equal one of `values` for a document to match. */
export interface Equality {
  readonly path: string;
  readonly values: readonly unknown[];
}

/** Values an index lookup can stand for exactly; null is left out because it also matches missing fields and [null]. */
function isIndexable(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !Number.isNaN(value);
    default:
      return value instanceof Date;
  }
}

/**
 * Equality constraints that every matching document must satisfy: top-level `field: value`,
 * `{$eq}`, `{$in}` and the same inside `$and`. Anything else is left to the full matcher, so
 * the planner only ever narrows the candidates, never decides a match.
 */
export function extractEqualities(query: Doc): Equality[] {
  const out: Equality[] = [];
  for (const [key, cond] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) out.push(...extractEqualities(sub));
      continue;
    }
    if (key.startsWith('$')) continue;
    if (isIndexable(cond)) {
      out.push({ path: key, values: [cond] });
      continue;
    }
    if (!isPlainObject(cond)) continue;
    const ops = Object.keys(cond);
    if (ops.length === 0 || !ops.every((o) => o.startsWith('$'))) continue;
    if ('$eq' in cond && isIndexable(cond.$eq)) {
      out.push({ path: key, values: [cond.$eq] });
    } else if (Array.isArray(cond.$in) && cond.$in.length > 0 && cond.$in.every(isIndexable)) {
      out.push({ path: key, values: cond.$in });
    }
  }
  return out;
}
