/**
 * Who an audience reaches: the active members placed in the chosen units or below them, plus
 * the chosen members, each once. Read in pages with range cursors, never as a whole roster.
 *
 * The units expand (from the tree snapshot) to a set of unit ids, queried in chunks of at most
 * CHUNK ids with `$in`. A member placed in several units of the set is reported in the first
 * chunk holding one of its units only, so chunks need no shared memory to stay duplicate-free.
 * Chosen members come last, minus those the units already reached.
 */
import { AppFailure } from '../core/result';
import type { MemberDoc } from './model';
import { ROOT_UNIT_ID } from './model';
import type { UnitTree } from './tree';
import type { OrgDeps } from './units';

export interface AudienceSpecInput {
  unitIds: readonly string[];
  memberIds: readonly string[];
}

/** What the notice and SMS features need of each recipient. */
export type AudienceRow = Pick<MemberDoc, '_id' | 'name' | 'number' | 'userId' | 'phone' | 'unitIds'>;

const CHUNK = 500;
export const AUDIENCE_PAGE_MAX = 1000;
const FIELDS = { _id: true, name: true, number: true, userId: true, phone: true, unitIds: true };

interface Plan {
  /** Null when the organisation itself is chosen: every active member. */
  chunks: string[][] | null;
  unitSet: ReadonlySet<string>;
  memberIds: string[];
}

function plan(snapshot: UnitTree, spec: AudienceSpecInput, chunkSize: number): Plan {
  for (const id of spec.unitIds) if (!snapshot.get(id)) throw new AppFailure('UNIT_NOT_FOUND', undefined, 'unitIds');
  const memberIds = [...new Set(spec.memberIds)].sort();
  if (spec.unitIds.includes(ROOT_UNIT_ID)) return { chunks: null, unitSet: new Set(), memberIds: [] };
  const unitSet = new Set<string>();
  for (const id of spec.unitIds) for (const sub of snapshot.subtreeIds(id)) unitSet.add(sub);
  const sorted = [...unitSet].sort();
  const chunks: string[][] = [];
  for (let i = 0; i < sorted.length; i += chunkSize) chunks.push(sorted.slice(i, i + chunkSize));
  return { chunks, unitSet, memberIds };
}

/** Cursor: `<phase>.<chunk>.<last member id>`; phase `u` for units, `m` for chosen members. */
interface Cursor {
  phase: 'u' | 'm';
  chunk: number;
  lastId: string;
}

function parseCursor(after: string | undefined): Cursor {
  if (!after) return { phase: 'u', chunk: 0, lastId: '' };
  const match = /^([um])\.(\d{1,6})\.(.*)$/.exec(after);
  if (!match) throw new AppFailure('INVALID_INPUT', '分页参数无效', 'after');
  return { phase: match[1] as 'u' | 'm', chunk: Number(match[2]), lastId: match[3] };
}

function firstChunkOf(member: AudienceRow, chunkIndex: Map<string, number>): number {
  let first = Number.POSITIVE_INFINITY;
  for (const id of member.unitIds) {
    const index = chunkIndex.get(id);
    if (index !== undefined && index < first) first = index;
  }
  return first;
}

type Fetch = (filter: Record<string, unknown>, limit: number) => Promise<AudienceRow[]>;

/** Reads by query: at most 1000 documents a request. */
function queryFetch(deps: OrgDeps): Fetch {
  const members = deps.db.collection('members');
  return async (filter, limit) => (await members.where(filter).orderBy('_id', 'asc').limit(limit).field(FIELDS).get()).data as AudienceRow[];
}

/**
 * Reads by aggregation, which returns up to 10,000 rows a request (platform facts): what a
 * publish fanning out to 50,000 people reads with, so reading costs one request per 5,000.
 */
function aggregateFetch(deps: OrgDeps): Fetch {
  const members = deps.db.collection('members');
  return async (filter, limit) =>
    (await members.aggregate().match(filter).sort({ _id: 1 }).limit(limit).project({ _id: 1, name: 1, number: 1, userId: 1, phone: 1, unitIds: 1 }).end()).list as AudienceRow[];
}

/** People per request when publishing reads an audience by aggregation. */
export const AUDIENCE_SCAN_MAX = 5000;

/** One page of an audience; `next` resumes after it. */
export function audiencePage(
  deps: OrgDeps,
  snapshot: UnitTree,
  spec: AudienceSpecInput,
  after: string | undefined,
  pageSize: number,
  /** Unit ids per `$in` query; smaller only in tests. */
  chunkSize = CHUNK,
): Promise<{ items: AudienceRow[]; next: string | null }> {
  return readAudience(queryFetch(deps), deps.db.command, snapshot, spec, after, Math.min(Math.max(1, pageSize), AUDIENCE_PAGE_MAX), chunkSize);
}

/** Like audiencePage, in pages of up to AUDIENCE_SCAN_MAX read by aggregation. */
export function audienceScan(
  deps: OrgDeps,
  snapshot: UnitTree,
  spec: AudienceSpecInput,
  after: string | undefined,
  pageSize = AUDIENCE_SCAN_MAX,
  chunkSize = CHUNK,
): Promise<{ items: AudienceRow[]; next: string | null }> {
  return readAudience(aggregateFetch(deps), deps.db.command, snapshot, spec, after, Math.min(Math.max(1, pageSize), AUDIENCE_SCAN_MAX), chunkSize);
}

async function readAudience(
  fetch: Fetch,
  _: OrgDeps['db']['command'],
  snapshot: UnitTree,
  spec: AudienceSpecInput,
  after: string | undefined,
  size: number,
  chunkSize: number,
): Promise<{ items: AudienceRow[]; next: string | null }> {
  const { chunks, unitSet, memberIds } = plan(snapshot, spec, chunkSize);
  let cursor = parseCursor(after);
  const items: AudienceRow[] = [];

  if (chunks === null) {
    // The whole organisation: every active member by id.
    const filter = cursor.lastId ? { active: true, _id: _.gt(cursor.lastId) } : { active: true };
    const rows = await fetch(filter, size);
    return { items: rows, next: rows.length === size ? `u.0.${rows[rows.length - 1]._id}` : null };
  }

  const chunkIndex = new Map<string, number>();
  chunks.forEach((chunk, index) => chunk.forEach((id) => chunkIndex.set(id, index)));

  while (cursor.phase === 'u' && cursor.chunk < chunks.length && items.length < size) {
    const filter: Record<string, unknown> = { unitIds: _.in(chunks[cursor.chunk]), active: true };
    if (cursor.lastId) filter._id = _.gt(cursor.lastId);
    const want = size - items.length;
    const rows = await fetch(filter, want);
    for (const row of rows) if (firstChunkOf(row, chunkIndex) === cursor.chunk) items.push(row);
    if (rows.length < want) cursor = { phase: 'u', chunk: cursor.chunk + 1, lastId: '' };
    else cursor = { ...cursor, lastId: rows[rows.length - 1]._id };
  }
  if (cursor.phase === 'u' && cursor.chunk >= chunks.length) cursor = { phase: 'm', chunk: 0, lastId: '' };

  while (cursor.phase === 'm' && items.length < size) {
    const pending = memberIds.filter((id) => id > cursor.lastId).slice(0, Math.min(CHUNK, size - items.length));
    if (pending.length === 0) return { items, next: null };
    const rows = await fetch({ _id: _.in(pending), active: true }, pending.length);
    for (const row of rows.sort((a, b) => (a._id < b._id ? -1 : 1))) {
      if (!row.unitIds.some((id) => unitSet.has(id))) items.push(row);
    }
    cursor = { phase: 'm', chunk: 0, lastId: pending[pending.length - 1] };
  }
  const done = cursor.phase === 'm' && !memberIds.some((id) => id > cursor.lastId);
  return { items, next: done ? null : `${cursor.phase}.${cursor.chunk}.${cursor.lastId}` };
}

/** How many active members an audience reaches, by counting queries where they suffice. */
export async function audienceCount(deps: OrgDeps, snapshot: UnitTree, spec: AudienceSpecInput, chunkSize = CHUNK): Promise<number> {
  const { chunks, unitSet, memberIds } = plan(snapshot, spec, chunkSize);
  const _ = deps.db.command;
  const members = deps.db.collection('members');
  if (chunks === null) return (await members.where({ active: true }).count()).total;
  let total = 0;
  if (chunks.length === 1) {
    total = (await members.where({ unitIds: _.in(chunks[0]), active: true }).count()).total;
  } else if (chunks.length > 1) {
    // Overlaps between chunks cannot be counted by a query: page through the units instead.
    let after: string | undefined;
    const unitsOnly = { unitIds: spec.unitIds, memberIds: [] };
    do {
      const page = await audiencePage(deps, snapshot, unitsOnly, after, AUDIENCE_PAGE_MAX, chunkSize);
      total += page.items.length;
      after = page.next ?? undefined;
    } while (after);
  }
  for (let i = 0; i < memberIds.length; i += CHUNK) {
    const ids = memberIds.slice(i, i + CHUNK);
    const { data } = await members.where({ _id: _.in(ids), active: true }).limit(ids.length).field({ _id: true, unitIds: true }).get();
    total += (data as AudienceRow[]).filter((row) => !row.unitIds.some((id) => unitSet.has(id))).length;
  }
  return total;
}
