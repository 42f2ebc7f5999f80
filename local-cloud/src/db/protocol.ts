import { randomBytes } from 'crypto';
import { parseEjson, stringifyDoc } from './ejson-codec';
import type { DbEngine, Doc, SortSpec } from './engine';
import { DbError, invalidParam, requestFailed } from './errors';
import { isPlainObject } from './values';

/**
 * The `database.*` actions of the CloudBase admin API as @cloudbase/node-sdk 3.17 /
 * @cloudbase/database 1.4 send them (POST body `{...params, action, envName}`).
 *
 * Replies (always HTTP 200, JSON): success is `{requestId, ...}` with the payload the SDK reads
 * (mostly under `data`); failure is `{code, message, requestId}` — the SDK throws whenever a
 * reply has a truthy `code`, and wx-server-sdk turns the code into its numeric errCode.
 */
export const DATABASE_ACTIONS = [
  'database.getDocument',
  'database.insertDocument',
  'database.modifyDocument',
  'database.modifyAndReturnDoc',
  'database.removeDocument',
  'database.calculateDocument',
  'database.aggregateDocuments',
  'database.addCollection',
  'database.startTransaction',
  'database.commitTransaction',
  'database.abortTransaction',
] as const;

export function isDatabaseAction(action: string): boolean {
  return typeof action === 'string' && action.startsWith('database.');
}

function requestId(): string {
  return randomBytes(12).toString('hex');
}

export interface DatabaseRequestOptions {
  /** Aborted when the HTTP request goes away; cancels a startTransaction still waiting for the lock. */
  signal?: AbortSignal;
}

/** Never throws: every failure becomes the error reply shape the SDK understands. */
export async function handleDatabaseRequest(
  engine: DbEngine,
  body: Record<string, unknown>,
  options: DatabaseRequestOptions = {},
): Promise<unknown> {
  const id = requestId();
  try {
    const result = await dispatch(engine, body ?? {}, options);
    return { ...result, requestId: id };
  } catch (e) {
    if (e instanceof DbError) return { code: e.code, message: e.message, requestId: id };
    const message = e instanceof Error ? e.message : String(e);
    // System errors (disk full, I/O) carry an errno code; anything else is mingo rejecting a
    // bad operator or expression in the request.
    const kind = (e as NodeJS.ErrnoException | null)?.code ? 'InternalError' : 'InvalidParameter';
    return { code: 'DATABASE_REQUEST_FAILED', message: `[${kind}] ${message}`, requestId: id };
  }
}

type Reply = Record<string, unknown>;

async function dispatch(engine: DbEngine, body: Record<string, unknown>, options: DatabaseRequestOptions): Promise<Reply> {
  const action = body.action;
  switch (action) {
    case 'database.getDocument':
      return getDocument(engine, body);
    case 'database.insertDocument':
      return insertDocument(engine, body);
    case 'database.modifyDocument':
      return modifyDocument(engine, body, false);
    case 'database.modifyAndReturnDoc':
      return modifyDocument(engine, body, true);
    case 'database.removeDocument':
      return removeDocument(engine, body);
    case 'database.calculateDocument':
      return { data: { total: engine.count(collectionName(body), optionalDoc(engine, body, 'query')) } };
    case 'database.aggregateDocuments':
      return aggregateDocuments(engine, body);
    case 'database.addCollection':
      engine.createCollection(collectionName(body));
      return {};
    case 'database.startTransaction':
      return { transactionId: await engine.startTransaction(options.signal) };
    case 'database.commitTransaction':
      engine.commitTransaction(body.transactionId);
      return {};
    case 'database.abortTransaction':
      engine.abortTransaction(body.transactionId);
      return {};
    default:
      throw invalidParam(`unsupported database action ${String(action)}`);
  }
}

function collectionName(body: Record<string, unknown>): string {
  const name = body.collectionName;
  if (typeof name !== 'string' || name.length === 0) throw invalidParam('collectionName is required');
  return name;
}

/** A request field holding EJSON text (as the SDK sends it) or an already-parsed object. */
function optionalValue(engine: DbEngine, body: Record<string, unknown>, field: string): unknown {
  const raw = body[field];
  if (raw === undefined || raw === null || raw === '') return undefined;
  try {
    if (typeof raw === 'string') return parseEjson(raw, engine.now);
    return parseEjson(JSON.stringify(raw), engine.now);
  } catch (e) {
    throw invalidParam(`${field} is not valid EJSON: ${(e as Error).message}`);
  }
}

function optionalDoc(engine: DbEngine, body: Record<string, unknown>, field: string): Doc | undefined {
  const value = optionalValue(engine, body, field);
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw invalidParam(`${field} must be an object`);
  return value;
}

function requiredDoc(engine: DbEngine, body: Record<string, unknown>, field: string): Doc {
  const doc = optionalDoc(engine, body, field);
  if (!doc) throw invalidParam(`${field} is required`);
  return doc;
}

function optionalInt(body: Record<string, unknown>, field: string): number | undefined {
  const raw = body[field];
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidParam(`${field} must be an integer`);
  return n;
}

function sortSpec(engine: DbEngine, body: Record<string, unknown>): SortSpec | undefined {
  const order = optionalValue(engine, body, 'order');
  if (order === undefined) return undefined;
  // Older SDKs sent [{field, direction}]; the current one sends {field: 1 | -1}.
  const entries: [string, unknown][] = Array.isArray(order)
    ? order.map((o: { field?: string; direction?: string }) => [String(o.field), o.direction === 'desc' ? -1 : 1])
    : isPlainObject(order)
      ? Object.entries(order)
      : [];
  const spec: SortSpec = {};
  for (const [field, dir] of entries) {
    if (dir !== 1 && dir !== -1) throw invalidParam(`invalid sort direction for ${field}`);
    spec[field] = dir;
  }
  return spec;
}

/** Transactions allow only document-level operations, addressed as `{_id: <id>}`. */
function transactionDocId(body: Record<string, unknown>, query: Doc | undefined): unknown {
  const keys = query ? Object.keys(query) : [];
  if (body.queryType !== 'DOC' || !query || keys.length !== 1 || keys[0] !== '_id' || isPlainObject(query._id)) {
    throw requestFailed('only doc(id).get/set/update/remove and add are allowed inside a transaction');
  }
  return query._id;
}

function inTransaction(body: Record<string, unknown>): boolean {
  return body.transactionId !== undefined && body.transactionId !== null && body.transactionId !== '';
}

function getDocument(engine: DbEngine, body: Record<string, unknown>): Reply {
  const collection = collectionName(body);
  const query = optionalDoc(engine, body, 'query');
  const projection = optionalDoc(engine, body, 'projection');
  if (inTransaction(body)) {
    const doc = engine.txnGet(body.transactionId, collection, transactionDocId(body, query), projection);
    return { data: { list: doc ? [stringifyDoc(doc)] : [] } };
  }
  const offset = optionalInt(body, 'offset') ?? 0;
  const limit = optionalInt(body, 'limit');
  const docs = engine.findShared(collection, { query, order: sortSpec(engine, body), skip: offset, limit, projection });
  return { data: { list: docs.map(stringifyDoc), offset, limit: Math.min(limit || 100, 1000) } };
}

function insertDocument(engine: DbEngine, body: Record<string, unknown>): Reply {
  const collection = collectionName(body);
  const raw = Array.isArray(body.data) ? body.data : [body.data];
  if (raw.length === 0) throw invalidParam('data must not be empty');
  const docs = raw.map((item, i) => {
    const parsed = optionalValue(engine, { item }, 'item');
    if (!isPlainObject(parsed)) throw invalidParam(`data[${i}] must be an object`);
    return parsed;
  });
  const ids = inTransaction(body) ? engine.txnInsert(body.transactionId, collection, docs) : engine.insert(collection, docs);
  return { data: { insertedIds: ids } };
}

function modifyDocument(engine: DbEngine, body: Record<string, unknown>, returnDoc: boolean): Reply {
  const collection = collectionName(body);
  const query = optionalDoc(engine, body, 'query');
  const data = requiredDoc(engine, body, 'data');
  const merge = body.merge !== false;
  const upsert = body.upsert === true;
  const result = inTransaction(body)
    ? engine.txnModify(body.transactionId, collection, transactionDocId(body, query), { data, merge, upsert })
    : engine.modify(collection, { query, data, merge, upsert, multi: returnDoc ? false : body.multi === true });
  const reply: Record<string, unknown> = { updated: result.updated };
  if (result.upsertedId !== undefined) reply.upsert_id = result.upsertedId;
  if (returnDoc) reply.doc = result.doc ? stringifyDoc(result.doc) : null;
  return { data: reply };
}

function removeDocument(engine: DbEngine, body: Record<string, unknown>): Reply {
  const collection = collectionName(body);
  const query = optionalDoc(engine, body, 'query');
  const deleted = inTransaction(body)
    ? engine.txnRemove(body.transactionId, collection, transactionDocId(body, query))
    : engine.remove(collection, { query, multi: body.multi !== false });
  return { data: { deleted } };
}

function aggregateDocuments(engine: DbEngine, body: Record<string, unknown>): Reply {
  const collection = collectionName(body);
  if (!Array.isArray(body.stages)) throw invalidParam('stages must be an array');
  const pipeline = body.stages.map((stage: unknown, i: number) => {
    if (!isPlainObject(stage) || typeof stage.stageKey !== 'string') throw invalidParam(`stages[${i}] is invalid`);
    const value = optionalValue(engine, { value: stage.stageValue }, 'value');
    return { [stage.stageKey]: value };
  });
  const docs = engine.aggregate(collection, pipeline);
  return { data: { list: docs.map(stringifyDoc) } };
}
