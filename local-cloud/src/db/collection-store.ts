import type { IndexDecl } from '../../../server/db/collections';
import { duplicateKey, requestFailed } from './errors';
import { extractEqualities } from './query-planner';
import { collectPathValues, describeValue, EMPTY_ARRAY, encodeKey, getPath, type Doc } from './values';

/** One stored document; `seq` is its insertion order, which is the natural order of results. */
export interface DocRecord {
  readonly key: string;
  doc: Doc;
  readonly seq: number;
}

/** The new state of one document (`after: null` deletes it), keyed by the encoded `_id`. */
export interface Change {
  readonly key: string;
  readonly after: Doc | null;
}

function keyOfValue(value: unknown): string {
  return value === EMPTY_ARRAY ? 'e' : encodeKey(value);
}

/**
 * A secondary index: `entries` maps the encoded (compound) key to the ids holding it and is
 * what unique indexes are checked against; `prefix` maps the first field alone, so equality
 * queries on that field find their candidates without scanning.
 */
class IndexState {
  readonly fields: string[];
  readonly entries = new Map<string, Set<string>>();
  private readonly prefixMap: Map<string, Set<string>>;

  constructor(
    readonly collection: string,
    readonly decl: IndexDecl,
  ) {
    this.fields = Object.keys(decl.keys);
    if (this.fields.length === 0) throw new Error(`index ${decl.name} of ${collection} has no keys`);
    this.prefixMap = this.fields.length === 1 ? this.entries : new Map();
  }

  get unique(): boolean {
    return this.decl.unique === true;
  }

  get firstField(): string {
    return this.fields[0];
  }

  /** Keys of one document; several for an array field (multikey), each listed once. */
  keysOf(doc: Doc): string[] {
    const perField = this.fields.map((f) => [...new Set(collectPathValues(doc, f).map(keyOfValue))]);
    if (perField.length === 1) return perField[0];
    const multi = perField.filter((keys) => keys.length > 1).length;
    if (multi > 1) {
      throw requestFailed(`cannot index parallel arrays [${this.fields.join(', ')}] in index ${this.decl.name}`);
    }
    let combos: string[] = [''];
    perField.forEach((keys, i) => {
      const next: string[] = [];
      for (const prefix of combos) for (const k of keys) next.push(i === 0 ? k : prefix + '\u0000' + k);
      combos = next;
    });
    return combos;
  }

  private prefixKeysOf(doc: Doc): string[] {
    return [...new Set(collectPathValues(doc, this.firstField).map(keyOfValue))];
  }

  add(id: string, doc: Doc): void {
    for (const k of this.keysOf(doc)) addTo(this.entries, k, id);
    if (this.prefixMap !== this.entries) for (const k of this.prefixKeysOf(doc)) addTo(this.prefixMap, k, id);
  }

  remove(id: string, doc: Doc): void {
    for (const k of this.keysOf(doc)) removeFrom(this.entries, k, id);
    if (this.prefixMap !== this.entries) for (const k of this.prefixKeysOf(doc)) removeFrom(this.prefixMap, k, id);
  }

  lookupPrefix(key: string): ReadonlySet<string> | undefined {
    return this.prefixMap.get(key);
  }

  describeKey(doc: Doc): string {
    return `{ ${this.fields.map((f) => `${f}: ${describeValue(getPath(doc, f))}`).join(', ')} }`;
  }
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set) set.add(id);
  else map.set(key, new Set([id]));
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

/** The documents of one collection with its indexes; knows nothing of logs or transactions. */
export class CollectionStore {
  private readonly records = new Map<string, DocRecord>();
  private indexes: IndexState[];
  private nextSeq = 0;

  constructor(
    readonly name: string,
    readonly indexDecls: readonly IndexDecl[] = [],
  ) {
    this.indexes = indexDecls.map((d) => new IndexState(name, d));
  }

  get size(): number {
    return this.records.size;
  }

  get(key: string): DocRecord | undefined {
    return this.records.get(key);
  }

  has(key: string): boolean {
    return this.records.has(key);
  }

  /** All records in natural (insertion) order. */
  all(): IterableIterator<DocRecord> {
    return this.records.values();
  }

  /**
   * Checks that applying `changes` together keeps `_id` and every unique index unique. A key
   * held by a document that is itself being changed does not count: its new keys are checked
   * against the rest of the batch instead.
   */
  validate(changes: readonly Change[]): void {
    const changed = new Set<string>();
    for (const c of changes) {
      if (changed.has(c.key)) throw new Error(`bug: document ${c.key} changed twice in one batch`);
      changed.add(c.key);
    }
    const uniques = this.indexes.filter((i) => i.unique);
    for (const idx of uniques) {
      const seen = new Map<string, string>();
      for (const c of changes) {
        if (!c.after) continue;
        for (const k of idx.keysOf(c.after)) {
          const other = seen.get(k);
          let clash = other !== undefined && other !== c.key;
          if (!clash) {
            const holders = idx.entries.get(k);
            if (holders) for (const h of holders) if (!changed.has(h)) clash = true;
          }
          if (clash) throw duplicateKey(this.name, idx.decl.name, idx.describeKey(c.after));
          seen.set(k, c.key);
        }
      }
    }
    // Indexes must also accept every new document (e.g. no parallel arrays in a compound key).
    for (const idx of this.indexes) if (!idx.unique) for (const c of changes) if (c.after) idx.keysOf(c.after);
  }

  /** Applies changes that `validate` accepted (or that replay from the log). */
  apply(changes: readonly Change[]): void {
    for (const c of changes) {
      const before = this.records.get(c.key);
      if (before) for (const idx of this.indexes) idx.remove(c.key, before.doc);
      if (c.after) {
        if (before) before.doc = c.after;
        else this.records.set(c.key, { key: c.key, doc: c.after, seq: this.nextSeq++ });
        for (const idx of this.indexes) idx.add(c.key, c.after);
      } else if (before) {
        this.records.delete(c.key);
      }
    }
  }

  clear(): void {
    this.records.clear();
    this.indexes = this.indexDecls.map((d) => new IndexState(this.name, d));
  }

  /**
   * A superset of the records that can match `query`, from `_id` or an index's first field
   * when the query pins one by equality; null means "scan everything". Results keep natural
   * order so indexed and scanned queries return the same sequence.
   */
  candidates(query: Doc | undefined): DocRecord[] | null {
    if (!query) return null;
    let best: Set<string> | null = null;
    for (const eq of extractEqualities(query)) {
      let ids: Set<string> | null = null;
      if (eq.path === '_id') {
        ids = new Set(eq.values.map(encodeKey).filter((k) => this.records.has(k)));
      } else {
        const idx = this.indexes.find((i) => i.firstField === eq.path);
        if (!idx) continue;
        ids = new Set();
        for (const v of eq.values) {
          const hit = idx.lookupPrefix(encodeKey(v));
          if (hit) for (const id of hit) ids.add(id);
        }
      }
      if (best === null || ids.size < best.size) best = ids;
      if (best.size === 0) break;
    }
    if (best === null) return null;
    const out: DocRecord[] = [];
    for (const id of best) {
      const rec = this.records.get(id);
      if (rec) out.push(rec);
    }
    if (out.length > 1) out.sort((a, b) => a.seq - b.seq);
    return out;
  }

  describeIndexes(): { name: string; keys: Record<string, number>; unique: boolean }[] {
    return [
      { name: '_id_', keys: { _id: 1 }, unique: true },
      ...this.indexDecls.map((d) => ({ name: d.name, keys: { ...d.keys }, unique: d.unique === true })),
    ];
  }
}
