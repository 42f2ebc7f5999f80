import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { fsyncDir, writeAll } from '../durable-fs';
import { fromStorable, toStorable } from './ejson-codec';
import type { Doc } from './values';

/**
 * Files in the data directory:
 *   snapshot.jsonl   header line {format, generation, seq, collections}, one {c, d} line per
 *                    document, then {end, docs}; replaced only by rename, so always complete.
 *   wal-<gen>.log    mutations committed after that snapshot, one line each:
 *                    `<sha1 of payload> <payload JSON>\n`, payload {n, ops}.
 *   LOCK             pid of the process using the directory.
 * A snapshot of generation G holds everything in logs older than G; the live log is wal-G.
 * Compaction opens an empty wal-(G+1), writes snapshot G+1 to a temp file, fsyncs, renames it
 * over the old one, then switches to wal-(G+1) and deletes wal-G. A crash at any point leaves
 * either the old snapshot with its complete log (and maybe an empty newer log, dropped on
 * open) or the new snapshot with its empty log: both open correctly.
 */

export type LogOp =
  | { readonly t: 'create'; readonly c: string }
  | { readonly t: 'put'; readonly c: string; readonly doc: Doc }
  | { readonly t: 'del'; readonly c: string; readonly id: unknown };

export interface SnapshotCollection {
  readonly name: string;
  readonly docs: Iterable<Doc>;
}

export interface PersistenceOptions {
  readonly fsync: boolean;
  /** Compact once the live log grows past this many bytes. */
  readonly compactBytes: number;
}

const SNAPSHOT = 'snapshot.jsonl';
const SNAPSHOT_TMP = 'snapshot.jsonl.tmp';
const LOCK = 'LOCK';
const FORMAT = 'xintong-db-snapshot/1';
const LOG_RE = /^wal-(\d+)\.log$/;

function logName(generation: number): string {
  return `wal-${String(generation).padStart(6, '0')}.log`;
}

function checksum(payload: string): string {
  return createHash('sha1').update(payload).digest('hex');
}

type StoredOp = { t: 'create'; c: string } | { t: 'put'; c: string; d: unknown } | { t: 'del'; c: string; id: unknown };

function encodeOp(op: LogOp): StoredOp {
  switch (op.t) {
    case 'create':
      return { t: 'create', c: op.c };
    case 'put':
      return { t: 'put', c: op.c, d: toStorable(op.doc) };
    case 'del':
      return { t: 'del', c: op.c, id: toStorable({ v: op.id }) };
  }
}

function decodeOp(raw: StoredOp): LogOp {
  switch (raw.t) {
    case 'create':
      return { t: 'create', c: raw.c };
    case 'put':
      return { t: 'put', c: raw.c, doc: fromStorable(raw.d) as Doc };
    case 'del':
      return { t: 'del', c: raw.c, id: (fromStorable(raw.id) as { v: unknown }).v };
    default:
      throw new Error(`unknown log op ${JSON.stringify(raw)}`);
  }
}

export class Persistence {
  private fd: number;
  private logBytes: number;
  private seq: number;

  private constructor(
    readonly dir: string,
    private readonly opts: PersistenceOptions,
    private generation: number,
    seq: number,
    logBytes: number,
  ) {
    this.seq = seq;
    this.logBytes = logBytes;
    this.fd = fs.openSync(this.logPath, 'a');
    fsyncDir(dir);
  }

  private get logPath(): string {
    return path.join(this.dir, logName(this.generation));
  }

  /** Loads the snapshot and replays the log through `apply`, dropping a torn last line. */
  static open(dir: string, opts: PersistenceOptions, apply: (ops: LogOp[]) => void): Persistence {
    fs.mkdirSync(dir, { recursive: true });
    acquireLock(dir);
    try {
      fs.rmSync(path.join(dir, SNAPSHOT_TMP), { force: true });
      const { generation, seq: snapSeq } = loadSnapshot(dir, apply);
      const logs = fs
        .readdirSync(dir)
        .map((f) => LOG_RE.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ file: m[0], gen: Number(m[1]) }));
      // A compaction opens the next log before its snapshot is in place; a crash between the
      // two leaves that log empty, and it is simply dropped. A newer log with content is not
      // something compaction produces, so refuse rather than guess.
      for (const l of logs.filter((x) => x.gen > generation)) {
        const file = path.join(dir, l.file);
        if (fs.statSync(file).size > 0) throw new Error(`database in ${dir} is inconsistent: ${l.file} is newer than ${SNAPSHOT}`);
        fs.rmSync(file, { force: true });
      }
      const { seq, bytes } = replayLog(path.join(dir, logName(generation)), snapSeq, apply);
      for (const l of logs) if (l.gen < generation) fs.rmSync(path.join(dir, l.file), { force: true });
      return new Persistence(dir, opts, generation, seq, bytes);
    } catch (e) {
      releaseLock(dir);
      throw e;
    }
  }

  /** Appends one committed mutation as one line; durable before returning when fsync is on. */
  append(ops: readonly LogOp[]): void {
    if (ops.length === 0) return;
    const payload = JSON.stringify({ n: this.seq + 1, ops: ops.map(encodeOp) });
    const line = Buffer.from(`${checksum(payload)} ${payload}\n`, 'utf8');
    try {
      writeAll(this.fd, line);
      if (this.opts.fsync) fs.fdatasyncSync(this.fd);
    } catch (e) {
      // The caller reports this write as failed and leaves memory unchanged, so the line must
      // not survive either: a fragment left here would turn into mid-log corruption once
      // later lines are appended after it.
      try {
        fs.ftruncateSync(this.fd, this.logBytes);
      } catch {
        /* the torn tail is then cut off at the next open */
      }
      throw e;
    }
    this.seq += 1;
    this.logBytes += line.length;
  }

  get needsCompaction(): boolean {
    return this.logBytes >= this.opts.compactBytes;
  }

  get logSize(): number {
    return this.logBytes;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Writes a new snapshot of `collections` and starts an empty log (see the file comment). */
  compact(collections: readonly SnapshotCollection[]): void {
    const nextGen = this.generation + 1;
    const tmp = path.join(this.dir, SNAPSHOT_TMP);
    const nextLog = path.join(this.dir, logName(nextGen));
    // Open the next log first: if that fails nothing has changed, and appends keep going to the
    // live log, which the old snapshot still covers. An empty newer log is dropped on open.
    const nextFd = fs.openSync(nextLog, 'a');
    try {
      writeSnapshot(tmp, nextGen, this.seq, collections, this.opts.fsync);
      fs.renameSync(tmp, path.join(this.dir, SNAPSHOT));
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      fs.closeSync(nextFd);
      fs.rmSync(nextLog, { force: true });
      throw e;
    }
    fsyncDir(this.dir);
    const oldFd = this.fd;
    const oldLog = this.logPath;
    this.generation = nextGen;
    this.fd = nextFd;
    this.logBytes = 0;
    fs.closeSync(oldFd);
    fs.rmSync(oldLog, { force: true });
  }

  close(): void {
    if (this.fd >= 0) {
      if (this.opts.fsync) fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    releaseLock(this.dir);
  }
}

function acquireLock(dir: string): void {
  const lock = path.join(dir, LOCK);
  // Exclusive create, so two processes starting together cannot both take the directory.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = Number(fs.readFileSync(lock, 'utf8').trim());
    if (pid === process.pid) return;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new Error(`database directory ${dir} is in use by process ${pid} (delete ${lock} if that is stale)`);
    }
    // The holder is gone: a stale lock from a killed process.
    fs.rmSync(lock, { force: true });
  }
  throw new Error(`could not take the lock ${lock}`);
}

function releaseLock(dir: string): void {
  const lock = path.join(dir, LOCK);
  try {
    if (Number(fs.readFileSync(lock, 'utf8').trim()) === process.pid) fs.rmSync(lock, { force: true });
  } catch {
    /* already gone */
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function loadSnapshot(dir: string, apply: (ops: LogOp[]) => void): { generation: number; seq: number } {
  const file = path.join(dir, SNAPSHOT);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { generation: 1, seq: 0 };
    throw e;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = JSON.parse(lines[0] ?? '{}') as { format?: string; generation?: number; seq?: number; collections?: string[] };
  const trailer = JSON.parse(lines[lines.length - 1] ?? '{}') as { end?: boolean; docs?: number };
  if (header.format !== FORMAT || !trailer.end || trailer.docs !== lines.length - 2) {
    throw new Error(`${file} is not a complete ${FORMAT} snapshot`);
  }
  apply((header.collections ?? []).map((c) => ({ t: 'create', c })));
  const batch: LogOp[] = [];
  for (let i = 1; i < lines.length - 1; i++) {
    const row = JSON.parse(lines[i]) as { c: string; d: unknown };
    batch.push({ t: 'put', c: row.c, doc: fromStorable(row.d) as Doc });
    if (batch.length >= 1000) apply(batch.splice(0));
  }
  apply(batch);
  return { generation: header.generation ?? 1, seq: header.seq ?? 0 };
}

/**
 * Replays complete, checksum-valid lines. A bad or unterminated last line is what a crash in
 * the middle of an append leaves behind: it is cut off. A bad line followed by good ones is not
 * (appends are sequential), so that is reported instead of silently dropping later commits.
 */
function replayLog(file: string, seq: number, apply: (ops: LogOp[]) => void): { seq: number; bytes: number } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { seq, bytes: 0 };
    throw e;
  }
  let offset = 0;
  let lastSeq = seq;
  let lineNo = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    const end = nl === -1 ? buf.length : nl;
    const line = buf.subarray(offset, end).toString('utf8');
    lineNo += 1;
    const ops = nl === -1 ? null : parseLine(line);
    if (ops === null) {
      const rest = nl === -1 ? '' : buf.subarray(nl + 1).toString('utf8');
      if (rest.split('\n').some((l) => parseLine(l) !== null)) {
        throw new Error(`${file} is corrupt at line ${lineNo} (valid lines follow it); refusing to open`);
      }
      fs.truncateSync(file, offset);
      console.warn(`[db] dropped a torn last line (${buf.length - offset} bytes) from ${path.basename(file)}`);
      return { seq: lastSeq, bytes: offset };
    }
    apply(ops.ops);
    lastSeq = ops.n;
    offset = end + 1;
  }
  return { seq: lastSeq, bytes: buf.length };
}

function parseLine(line: string): { n: number; ops: LogOp[] } | null {
  const space = line.indexOf(' ');
  if (space <= 0) return null;
  const payload = line.slice(space + 1);
  if (checksum(payload) !== line.slice(0, space)) return null;
  try {
    const parsed = JSON.parse(payload) as { n: number; ops: StoredOp[] };
    return { n: parsed.n, ops: parsed.ops.map(decodeOp) };
  } catch {
    return null;
  }
}

function writeSnapshot(file: string, generation: number, seq: number, collections: readonly SnapshotCollection[], sync: boolean): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [];
    let chunkLen = 0;
    const flush = (): void => {
      if (chunk.length === 0) return;
      writeAll(fd, Buffer.from(chunk.join(''), 'utf8'));
      chunk = [];
      chunkLen = 0;
    };
    const push = (line: string): void => {
      chunk.push(line, '\n');
      chunkLen += line.length + 1;
      if (chunkLen > 1 << 20) flush();
    };
    push(JSON.stringify({ format: FORMAT, generation, seq, collections: collections.map((c) => c.name) }));
    let count = 0;
    for (const col of collections) {
      for (const doc of col.docs) {
        push(JSON.stringify({ c: col.name, d: toStorable(doc) }));
        count += 1;
      }
    }
    push(JSON.stringify({ end: true, docs: count }));
    flush();
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
