import { Aggregator, Query, update as applyUpdate, updateMany } from 'mingo';
import type { CollectionDecl } from '../../../server/db/collections';
import { CollectionStore, type Change, type DocRecord } from './collection-store';
import { collectionAlreadyExists, collectionNotExist, DbError, duplicateKey, invalidParam, requestFailed, transactionConflict } from './errors';
import { Persistence, type LogOp } from './persistence';
import { Transaction, TransactionLock } from './transactions';
import { assertDocId, assertStorable, assertUpdateTypes, hasOperatorKeys, newDocId, upsertBase, withIdFirst } from './document-rules';
import { cloneValue, describeValue, encodeKey, isPlainObject, type Doc } from './values';

export type { Doc } from './values';
export { newDocId } from './document-rules';

export interface DbEngineOptions {
  /** Directory for the snapshot and write-ahead log; null keeps everything in memory only. */
  dataDir: string | null;
  /** Collections that exist from the start, with the indexes to enforce. */
  collections: readonly CollectionDecl[];
  /** Clock for server dates (`db.serverDate()`). */
  now?: () => Date;
  /** fsync every log append (default true). */
  fsync?: boolean;
  /** Compact the log into a new snapshot past this size (default 8 MB). */
  compactBytes?: number;
  /** Abort an open transaction after this long without a request (default 10 s). */
  txnIdleTimeoutMs?: number;
  /** How long startTransaction waits for the running transaction (default 12 s, below the SDK's 15 s). */
  txnWaitTimeoutMs?: number;
  /** Rows an aggregation returns when its pipeline has no $limit stage (CloudBase: 20). */
  aggregateDefaultLimit?: number;
}

export type SortSpec = Record<string, 1 | -1>;

export interface FindOptions {
  query?: Doc;
  order?: SortSpec;
  skip?: number;
  /** Default 100; values above 1000 are clamped to 1000 like the SDK and CloudBase do. */
  limit?: number;
  projection?: Doc;
}

export interface ModifyOptions {
  query?: Doc;
  /** Update operators (merge) or a replacement document (merge false, as `doc().set` sends). */
  data: Doc;
  multi: boolean;
  merge: boolean;
  upsert: boolean;
}

export interface ModifyResult {
  /** Documents whose content changed (MongoDB's nModified: an update to equal values counts 0). */
  updated: number;
  upsertedId?: unknown;
  /** The first matched document after the update (for modifyAndReturnDoc). */
  doc?: Doc | null;
}

export interface CollectionInfo {
  name: string;
  count: number;
  indexes: { name: string; keys: Record<string, number>; unique: boolean }[];
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const AGGREGATE_MAX_LIMIT = 10000;

/** scriptEnabled off: queries come from requests and must never run `$where`/`$function` code. */
const MINGO_OPTIONS = { scriptEnabled: false } as const;
const MATCH_ALL = new Query({}, MINGO_OPTIONS);

function makeMatcher(query: Doc | undefined): Query | null {
  if (!query || Object.keys(query).length === 0) return null;
  return new Query(query, MINGO_OPTIONS);
}

/** Applies a projection; without one the stored documents themselves are returned. */
function project(docs: Doc[], projection: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  return MATCH_ALL.find<Doc>(docs, projection).all();
}

/**
 * The CloudBase-compatible database of the local cloud: collections with unique indexes,
 * MongoDB queries, updates and aggregation through mingo, serializable transactions and an
 * optional crash-safe write-ahead log. Every mutation validates, logs and applies within one
 * synchronous call, so concurrent requests never interleave inside a write.
 */
export class DbEngine {
  private readonly stores = new Map<string, CollectionStore>();
  private readonly decls: Map<string, CollectionDecl>;
  private readonly txns: TransactionLock;
  private persistence: Persistence | null = null;
  private closed = false;
  readonly now: () => Date;

  private constructor(private readonly opts: DbEngineOptions) {
    this.now = opts.now ?? (() => new Date());
    this.decls = new Map(opts.collections.map((c) => [c.name, c]));
    this.txns = new TransactionLock(
      { idleTimeoutMs: opts.txnIdleTimeoutMs ?? 10_000, waitTimeoutMs: opts.txnWaitTimeoutMs ?? 12_000 },
      (txn) => console.warn(`[db] transaction ${txn.id} aborted after ${opts.txnIdleTimeoutMs ?? 10_000} ms without a request`),
    );
  }

  static async open(opts: DbEngineOptions): Promise<DbEngine> {
    const engine = new DbEngine(opts);
    if (opts.dataDir) {
      engine.persistence = Persistence.open(
        opts.dataDir,
        { fsync: opts.fsync ?? true, compactBytes: opts.compactBytes ?? 8 * 1024 * 1024 },
        (ops) => engine.replay(ops),
      );
    }
    for (const decl of opts.collections) engine.ensureStore(decl.name);
    try {
      engine.checkUniqueIndexes();
    } catch (e) {
      engine.persistence?.close();
      throw e;
    }
    return engine;
  }

  /** Compacts the log into a snapshot (when persistent) and aborts any open transaction. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.txns.close();
    if (this.persistence) {
      try {
        this.persistence.compact(this.snapshotCollections());
      } finally {
        this.persistence.close();
        this.persistence = null;
      }
    }
  }

  /**
   * Empties the database (the `--reset` of the local cloud): only the declared collections
   * remain, empty, and the data directory is rewritten accordingly. An open transaction is aborted.
   */
  async reset(): Promise<void> {
    this.assertOpen();
    const txn = this.txns.current;
    if (txn) this.txns.release(txn);
    this.stores.clear();
    for (const decl of this.opts.collections) this.ensureStore(decl.name);
    this.persistence?.compact(this.snapshotCollections());
  }

  // ---- inspection (tests, /_local/ endpoints) ----

  listCollections(): CollectionInfo[] {
    return [...this.stores.values()]
      .map((s) => ({ name: s.name, count: s.size, indexes: s.describeIndexes() }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  hasCollection(name: string): boolean {
    return this.stores.has(name);
  }

  /** Copies of the committed documents of a collection in natural order. */
  dump(name: string): Doc[] {
    return [...this.store(name).all()].map((r) => cloneValue(r.doc));
  }

  /** Number of committed documents matching `query` (all when omitted); for seeding and tools. */
  countDocuments(name: string, query?: Doc): number {
    return this.count(name, query);
  }

  /** Inserts documents outside any request (seeding, tools); same rules as `add`. Returns the ids. */
  insertDocuments(name: string, docs: readonly Doc[]): unknown[] {
    return this.insert(name, docs);
  }

  /** Size of the live log in bytes (0 in memory mode); lets tests and the lead watch compaction. */
  get logSize(): number {
    return this.persistence?.logSize ?? 0;
  }

  /** Forces a compaction now (normally done past `compactBytes` and on close). */
  compact(): void {
    this.assertOpen();
    this.persistence?.compact(this.snapshotCollections());
  }

  // ---- collections ----

  createCollection(name: string): void {
    this.assertOpen();
    if (typeof name !== 'string' || name.length === 0) throw invalidParam('collection name is required');
    if (this.stores.has(name)) throw collectionAlreadyExists(name);
    this.persistence?.append([{ t: 'create', c: name }]);
    this.ensureStore(name);
  }

  // ---- reads ----

  /** Matching documents as copies the caller may keep or change. */
  find(collection: string, options: FindOptions = {}): Doc[] {
    return this.findShared(collection, options).map((d) => cloneValue(d));
  }

  /**
   * Matching documents without copying: they may share structure with the stored data, so the
   * caller must only read or serialize them before the next write (the protocol's fast path).
   */
  findShared(collection: string, options: FindOptions = {}): readonly Doc[] {
    const store = this.store(collection);
    const skip = options.skip ?? 0;
    const limit = normalizeLimit(options.limit);
    if (!Number.isInteger(skip) || skip < 0) throw invalidParam(`invalid offset ${String(options.skip)}`);
    const matcher = makeMatcher(options.query);
    const source: Iterable<DocRecord> = store.candidates(options.query) ?? store.all();
    const order = options.order && Object.keys(options.order).length > 0 ? options.order : null;
    if (!order) {
      // Natural order: stop as soon as the page is full instead of matching the whole collection.
      const page: Doc[] = [];
      let skipped = 0;
      for (const rec of source) {
        if (matcher && !matcher.test(rec.doc)) continue;
        if (skipped < skip) {
          skipped += 1;
          continue;
        }
        page.push(rec.doc);
        if (page.length >= limit) break;
      }
      return project(page, options.projection);
    }
    const matched: Doc[] = [];
    for (const rec of source) if (!matcher || matcher.test(rec.doc)) matched.push(rec.doc);
    const sorted = MATCH_ALL.find<Doc>(matched).sort(order).skip(skip).limit(limit).all();
    return project(sorted, options.projection);
  }

  /**
   * How many stored documents a query examines: only the index's (or `_id`'s) candidates when
   * it pins an indexed field by equality, otherwise the whole collection. Lets tests and the
   * benchmark check that a query is served by an index without timing it.
   */
  examinedBy(collection: string, query?: Doc): number {
    const store = this.store(collection);
    return store.candidates(query)?.length ?? store.size;
  }

  count(collection: string, query?: Doc): number {
    const store = this.store(collection);
    const matcher = makeMatcher(query);
    const source = store.candidates(query);
    if (!matcher) return source ? source.length : store.size;
    let n = 0;
    for (const rec of source ?? store.all()) if (matcher.test(rec.doc)) n += 1;
    return n;
  }

  /**
   * Runs a pipeline like CloudBase: without a $limit stage only the first 20 rows come back.
   * A leading $match uses the indexes; documents are copied before the pipeline sees them.
   */
  aggregate(collection: string, pipeline: Doc[]): Doc[] {
    const store = this.store(collection);
    for (const stage of pipeline) {
      const keys = Object.keys(stage);
      if (keys.length !== 1 || !keys[0].startsWith('$')) throw requestFailed(`invalid pipeline stage ${describeValue(stage)}`);
      if (keys[0] === '$out' || keys[0] === '$merge') throw requestFailed(`${keys[0]} is not supported`);
    }
    let stages = pipeline;
    if (!stages.some((s) => '$limit' in s)) {
      stages = [...stages, { $limit: this.opts.aggregateDefaultLimit ?? 20 }];
    }
    let input: Doc[];
    const first = stages[0];
    if (first && '$match' in first && isPlainObject(first.$match)) {
      const query = first.$match;
      const matcher = makeMatcher(query);
      input = [];
      for (const rec of store.candidates(query) ?? store.all()) {
        if (!matcher || matcher.test(rec.doc)) input.push(cloneValue(rec.doc));
      }
      stages = stages.slice(1);
    } else {
      input = [...store.all()].map((r) => cloneValue(r.doc));
    }
    const aggregator = new Aggregator(stages, {
      ...MINGO_OPTIONS,
      collectionResolver: (name: string) => (this.stores.has(name) ? this.dump(name) : []),
    });
    return aggregator.run<Doc>(input).slice(0, AGGREGATE_MAX_LIMIT);
  }

  // ---- writes ----

  /**
   * Inserts documents in order, generating missing `_id`s. Like MongoDB's ordered insertMany,
   * the documents before a failing one (duplicate `_id` or unique key) stay inserted and the
   * error is then reported; the inserted prefix is one log line.
   */
  insert(collection: string, docs: readonly Doc[]): unknown[] {
    const store = this.store(collection);
    const prepared = docs.map((d) => this.prepareNewDoc(d));
    const changes: Change[] = [];
    const seen = new Set<string>();
    let failure: DbError | null = null;
    for (const doc of prepared) {
      const key = encodeKey(doc._id);
      if (store.has(key) || seen.has(key)) {
        failure = duplicateKey(collection, '_id_', `{ _id: ${describeValue(doc._id)} }`);
        break;
      }
      seen.add(key);
      changes.push({ key, after: doc });
    }
    let accepted = changes;
    try {
      store.validate(changes);
    } catch (e) {
      // Find the longest valid prefix; only on this error path, so the quadratic cost is fine.
      accepted = [];
      for (const c of changes) {
        try {
          store.validate([...accepted, c]);
        } catch (err) {
          failure = err as DbError;
          break;
        }
        accepted.push(c);
      }
      if (!failure) throw e;
    }
    if (accepted.length > 0) this.commitChanges([{ store, changes: accepted }]);
    if (failure) throw failure;
    return accepted.map((c) => (c.after as Doc)._id);
  }

  modify(collection: string, options: ModifyOptions): ModifyResult {
    const store = this.store(collection);
    this.checkData(options);
    const matcher = makeMatcher(options.query);
    const targets: DocRecord[] = [];
    for (const rec of store.candidates(options.query) ?? store.all()) {
      if (matcher && !matcher.test(rec.doc)) continue;
      targets.push(rec);
      if (!options.multi) break;
    }
    const changes: Change[] = [];
    let firstAfter: Doc | null = targets.length > 0 ? targets[0].doc : null;
    const afters = options.merge
      ? this.mergeAll(targets.map((rec) => rec.doc), options.data, options.query)
      : targets.map((rec) => this.applyData(rec.doc, options));
    targets.forEach((rec, i) => {
      const after = afters[i];
      if (after) {
        changes.push({ key: rec.key, after });
        if (i === 0) firstAfter = after;
      }
    });
    let upsertedId: unknown;
    if (targets.length === 0 && options.upsert) {
      const created = this.upsertDoc(options);
      if (store.has(encodeKey(created._id))) {
        throw duplicateKey(collection, '_id_', `{ _id: ${describeValue(created._id)} }`);
      }
      changes.push({ key: encodeKey(created._id), after: created });
      upsertedId = created._id;
      firstAfter = created;
    }
    if (changes.length > 0) this.commitChanges([{ store, changes }]);
    return {
      updated: upsertedId === undefined ? changes.length : changes.length - 1,
      upsertedId,
      doc: firstAfter ? cloneValue(firstAfter) : null,
    };
  }

  remove(collection: string, options: { query?: Doc; multi: boolean }): number {
    const store = this.store(collection);
    const matcher = makeMatcher(options.query);
    const changes: Change[] = [];
    for (const rec of store.candidates(options.query) ?? store.all()) {
      if (matcher && !matcher.test(rec.doc)) continue;
      changes.push({ key: rec.key, after: null });
      if (!options.multi) break;
    }
    if (changes.length > 0) this.commitChanges([{ store, changes }]);
    return changes.length;
  }

  // ---- transactions ----

  /** Waits for the running transaction (if any) to finish, then opens one and returns its id. */
  async startTransaction(signal?: AbortSignal): Promise<string> {
    this.assertOpen();
    const txn = await this.txns.begin(signal);
    return txn.id;
  }

  /** Id of the open transaction, if any (diagnostics). */
  get openTransactionId(): string | null {
    return this.txns.current?.id ?? null;
  }

  /** `doc(id).get()` inside a transaction: committed state plus the transaction's own writes. */
  txnGet(txnId: unknown, collection: string, id: unknown, projection?: Doc): Doc | null {
    const txn = this.txns.get(txnId);
    const store = this.store(collection);
    const doc = this.txnView(txn, store, encodeKey(id));
    return doc ? cloneValue(project([doc], projection)[0]) : null;
  }

  txnInsert(txnId: unknown, collection: string, docs: readonly Doc[]): unknown[] {
    const txn = this.txns.get(txnId);
    const store = this.store(collection);
    const prepared = docs.map((d) => this.prepareNewDoc(d));
    const added: Change[] = [];
    for (const doc of prepared) {
      const key = encodeKey(doc._id);
      if (this.txnView(txn, store, key) || added.some((c) => c.key === key)) {
        throw duplicateKey(collection, '_id_', `{ _id: ${describeValue(doc._id)} }`);
      }
      added.push({ key, after: doc });
    }
    this.validateInTxn(txn, store, added);
    for (const c of added) txn.buffer(collection, c.key, c.after);
    return prepared.map((d) => d._id);
  }

  txnModify(txnId: unknown, collection: string, id: unknown, options: Omit<ModifyOptions, 'query' | 'multi'>): ModifyResult {
    const txn = this.txns.get(txnId);
    const store = this.store(collection);
    const key = encodeKey(id);
    const current = this.txnView(txn, store, key);
    const full: ModifyOptions = { ...options, query: { _id: id }, multi: false };
    this.checkData(full);
    if (current) {
      const after = this.applyData(current, full);
      if (!after) return { updated: 0, doc: cloneValue(current) };
      this.validateInTxn(txn, store, [{ key, after }]);
      txn.buffer(collection, key, after);
      return { updated: 1, doc: cloneValue(after) };
    }
    if (!options.upsert) return { updated: 0, doc: null };
    const created = this.upsertDoc(full);
    this.validateInTxn(txn, store, [{ key, after: created }]);
    txn.buffer(collection, key, created);
    return { updated: 0, upsertedId: created._id, doc: cloneValue(created) };
  }

  txnRemove(txnId: unknown, collection: string, id: unknown): number {
    const txn = this.txns.get(txnId);
    const store = this.store(collection);
    const key = encodeKey(id);
    if (!this.txnView(txn, store, key)) return 0;
    txn.buffer(collection, key, null);
    return 1;
  }

  /**
   * Applies every buffered write as one logged step, unless an outside write touched a
   * document the transaction used: then nothing is applied and the conflict error makes the
   * SDK's runTransaction retry. The transaction ends either way.
   */
  commitTransaction(txnId: unknown): void {
    const txn = this.txns.get(txnId);
    try {
      if (txn.conflict) throw transactionConflict(`${txn.conflict}; the transaction was rolled back, retry it`);
      const batches: { store: CollectionStore; changes: Change[] }[] = [];
      for (const [name, writes] of txn.writes) {
        const store = this.store(name);
        batches.push({ store, changes: [...writes].map(([key, after]) => ({ key, after })) });
      }
      this.commitChanges(batches, false);
    } finally {
      this.txns.release(txn);
    }
  }

  /** Discards the transaction; unknown or already finished ids are ignored (the SDK rolls back defensively). */
  abortTransaction(txnId: unknown): void {
    const txn = this.txns.current;
    if (txn && txn.id === txnId) this.txns.release(txn);
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new DbError('DATABASE_REQUEST_FAILED', '[ResourceUnavailable] database is closed');
  }

  private store(name: string): CollectionStore {
    this.assertOpen();
    const store = typeof name === 'string' ? this.stores.get(name) : undefined;
    if (!store) throw collectionNotExist(String(name));
    return store;
  }

  private ensureStore(name: string): CollectionStore {
    let store = this.stores.get(name);
    if (!store) {
      store = new CollectionStore(name, this.decls.get(name)?.indexes ?? []);
      this.stores.set(name, store);
    }
    return store;
  }

  private snapshotCollections(): { name: string; docs: Iterable<Doc> }[] {
    return [...this.stores.values()].map((s) => ({ name: s.name, docs: [...s.all()].map((r) => r.doc) }));
  }

  private replay(ops: LogOp[]): void {
    for (const op of ops) {
      const store = this.ensureStore(op.c);
      if (op.t === 'put') store.apply([{ key: encodeKey(op.doc._id), after: op.doc }]);
      else if (op.t === 'del') store.apply([{ key: encodeKey(op.id), after: null }]);
    }
  }

  /** A unique index declared after data was written may already be violated: refuse to start, like MongoDB refuses to build it. */
  private checkUniqueIndexes(): void {
    for (const store of this.stores.values()) {
      const docs = [...store.all()];
      if (docs.length === 0) continue;
      const probe = new CollectionStore(store.name, store.indexDecls);
      try {
        probe.validate(docs.map((r) => ({ key: r.key, after: r.doc })));
      } catch (e) {
        throw new Error(
          `stored data violates a unique index of collection ${store.name}: ${(e as Error).message}. Fix the data or reset the local database.`,
        );
      }
    }
  }

  private prepareNewDoc(input: Doc): Doc {
    if (!isPlainObject(input)) throw invalidParam('a document must be an object');
    const doc = cloneValue(input);
    if (doc._id === undefined) doc._id = newDocId();
    assertDocId(doc._id);
    assertStorable(doc);
    return withIdFirst(doc._id, doc);
  }

  /** Rejects malformed update data even when nothing matches, as the server parses it first. */
  private checkData(options: ModifyOptions): void {
    if (!isPlainObject(options.data)) throw invalidParam('update data must be an object');
    if (options.merge) this.toModifier(options.data);
    else if (hasOperatorKeys(options.data)) throw requestFailed('a replacement document must not contain update operators');
  }

  /** The new content of `doc` under an update or replacement, or null if nothing changes. */
  private applyData(doc: Doc, options: ModifyOptions): Doc | null {
    if (!isPlainObject(options.data)) throw invalidParam('update data must be an object');
    let after: Doc;
    if (!options.merge) {
      if (hasOperatorKeys(options.data)) throw requestFailed('a replacement document must not contain update operators');
      after = withIdFirst(doc._id, cloneValue(options.data));
    } else {
      return this.mergeAll([doc], options.data, { _id: doc._id })[0];
    }
    assertStorable(after);
    return encodeKey(after) === encodeKey(doc) ? null : after;
  }

  /**
   * Applies update operators to every document in one pass (one compiled condition, not one
   * per document), with `query` as the condition so positional `$` paths resolve. Returns the
   * new content of each document, or null where nothing changed.
   */
  private mergeAll(docs: Doc[], data: Doc, query: Doc | undefined): (Doc | null)[] {
    const modifier = this.toModifier(data);
    for (const doc of docs) assertUpdateTypes(doc, modifier);
    if (docs.length === 0) return [];
    const afters = docs.map((doc) => cloneValue(doc));
    updateMany(afters, (query ?? {}) as Doc, modifier, { cloneMode: 'deep' }, MINGO_OPTIONS);
    return afters.map((after, i) => {
      const before = docs[i];
      if (encodeKey(after._id) !== encodeKey(before._id)) {
        throw requestFailed("performing an update on the path '_id' would modify the immutable field '_id'");
      }
      assertStorable(after);
      return encodeKey(after) === encodeKey(before) ? null : after;
    });
  }

  private toModifier(data: Doc): Record<string, Record<string, unknown>> {
    const keys = Object.keys(data);
    if (keys.length === 0) throw requestFailed('update data must not be empty');
    const ops = keys.filter((k) => k.startsWith('$'));
    if (ops.length === 0) return { $set: data };
    if (ops.length !== keys.length) throw requestFailed('update data mixes operators and plain fields');
    for (const k of ops) if (!isPlainObject(data[k])) throw requestFailed(`the argument of ${k} must be an object`);
    return data as Record<string, Record<string, unknown>>;
  }

  private upsertDoc(options: ModifyOptions): Doc {
    const base = upsertBase(options.query);
    let doc: Doc;
    if (!options.merge) {
      if (hasOperatorKeys(options.data)) throw requestFailed('a replacement document must not contain update operators');
      doc = { ...cloneValue(options.data) };
      if (base._id !== undefined) doc._id = base._id;
    } else {
      doc = base;
      applyUpdate(doc, this.toModifier(options.data), undefined, undefined, { cloneMode: 'deep' });
    }
    return this.prepareNewDoc(doc);
  }

  private txnView(txn: Transaction, store: CollectionStore, key: string): Doc | null {
    txn.touched.add(Transaction.touchKey(store.name, key));
    if (txn.hasBufferedWrite(store.name, key)) return txn.bufferedWrite(store.name, key) ?? null;
    return store.get(key)?.doc ?? null;
  }

  /** Checks unique indexes as if the transaction committed now with `extra` added. */
  private validateInTxn(txn: Transaction, store: CollectionStore, extra: Change[]): void {
    const pending = new Map(txn.writes.get(store.name) ?? []);
    for (const c of extra) pending.set(c.key, c.after);
    store.validate([...pending].map(([key, after]) => ({ key, after })));
  }

  /** Validate everything, log one line, then apply: a failure leaves memory and disk untouched. */
  private commitChanges(batches: { store: CollectionStore; changes: Change[] }[], outside = true): void {
    for (const b of batches) b.store.validate(b.changes);
    const ops: LogOp[] = [];
    for (const b of batches) {
      for (const c of b.changes) {
        if (c.after) ops.push({ t: 'put', c: b.store.name, doc: c.after });
        else {
          const existing = b.store.get(c.key);
          if (existing) ops.push({ t: 'del', c: b.store.name, id: existing.doc._id });
        }
      }
    }
    this.persistence?.append(ops);
    for (const b of batches) b.store.apply(b.changes);
    if (outside) for (const b of batches) this.txns.noteOutsideWrite(b.store.name, b.changes.map((c) => c.key));
    if (this.persistence?.needsCompaction) {
      try {
        this.persistence.compact(this.snapshotCollections());
      } catch (e) {
        // The write itself is already durable in the log; compaction is retried on the next write.
        console.error('[db] compaction failed:', e);
      }
    }
  }
}

function normalizeLimit(limit: number | undefined): number {
  if (limit === undefined || limit === null || limit === 0) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw invalidParam(`invalid limit ${String(limit)}`);
  return Math.min(limit, MAX_LIMIT);
}
