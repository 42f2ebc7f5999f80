/**
 * A stand-in for CloudBase cloud storage. Functions reach it through the real wx-server-sdk
 * (the storage actions of the TCB endpoint, see cloud.ts), the mini-program through the local
 * HTTP routes (server.ts). Files live under `<dataDir>/storage/` or, without a data folder, in
 * memory.
 *
 * On disk every file is one object file named by the SHA-256 of its cloud path (cloud paths may
 * be long, contain Chinese, or be both a file `a` and a folder `a/`, none of which maps safely
 * onto a file system), holding a JSON header line and then the bytes. It is written to a temp
 * file and renamed into place, so a crash leaves either the old or the new file, never a mix.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, writeAll } from '../durable-fs';

export const LOCAL_STORAGE_ENV = 'local';
/** Shaped like a real bucket (`<name>-<appid>`), so code that parses file ids sees the real form. */
export const LOCAL_STORAGE_BUCKET = 'xintong-local-1300000000';
/** Every local file id starts with this: `cloud://<envId>.<bucket>/`. */
export const LOCAL_STORAGE_PREFIX = `cloud://${LOCAL_STORAGE_ENV}.${LOCAL_STORAGE_BUCKET}/`;
/** The project's upload limit for avatars and roster files. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_CLOUD_PATH_LENGTH = 1024;
/** How long an upload signature from getUploadMetadata stays valid. */
const UPLOAD_SIGNATURE_MS = 15 * 60 * 1000;
/**
 * Folders whose files only the functions read and hand out as signed temporary URLs: notice
 * attachments and exported lists are private to a notice's audience, proposal images to whoever
 * may see their proposal (and, until their check passed, to the proposer). In production, the
 * storage security rule of the README; avatars and everything else stay readable by every user.
 */
export const PRIVATE_PREFIXES: readonly string[] = ['notice-files/', 'notice-exports/', 'proposal-images/'];
/** The platform's default lifetime of a temporary URL of a private file: one day. */
export const DEFAULT_DOWNLOAD_MAX_AGE_SECONDS = 86_400;
/** No temporary URL outlives this, whatever max_age asks for. */
export const MAX_DOWNLOAD_MAX_AGE_SECONDS = 86_400;
const OBJECT_NAME = /^[0-9a-f]{64}$/;
const DOWNLOAD_SIGN = /^[0-9a-f]{64}$/;
const DOWNLOAD_EXPIRY = /^\d{1,12}$/;
/** An object file's header line is at most this long (a 1024-char path escaped, plus fields). */
const HEADER_READ_BYTES = 16 * 1024;

export type StorageErrorCode = 'INVALID_PATH' | 'TOO_LARGE';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredFileInfo {
  cloudPath: string;
  fileID: string;
  contentType: string;
  size: number;
  updatedAt: string;
}

export interface StoredFile {
  info: StoredFileInfo;
  content: Buffer;
}

export interface UploadSignature {
  authorization: string;
  token: string;
  cosFileId: string;
  expiresAt: number;
}

export type UploadCheck = 'ok' | 'expired' | 'mismatch';

/** The query of a temporary URL: `sign` (HMAC of path and expiry), `t` (expiry, Unix seconds). */
export interface DownloadSignature {
  sign: string;
  t: number;
}

/** A plain read of a private file has no signature: `missing`, as COS answers it AccessDenied. */
export type DownloadCheck = 'ok' | 'expired' | 'mismatch' | 'missing';

export function isPrivatePath(cloudPath: string): boolean {
  return PRIVATE_PREFIXES.some((prefix) => cloudPath.startsWith(prefix));
}

/**
 * The lifetime a temporary URL gets for a requested `max_age` (seconds): the default when none
 * or a meaningless one is asked, whole seconds, at most the cap.
 */
export function downloadMaxAge(requested: unknown): number {
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < 1) return DEFAULT_DOWNLOAD_MAX_AGE_SECONDS;
  return Math.min(Math.floor(requested), MAX_DOWNLOAD_MAX_AGE_SECONDS);
}

/**
 * Why a cloud path is refused, or null when it is acceptable. CloudBase documents a narrow
 * character set ([0-9a-zA-Z], / ! - _ . , * and Chinese); this accepts more, but refuses what
 * would escape a folder or could not travel unchanged in a download URL: the SDK runs the URL
 * through encodeURI, which leaves `%`, `?` and `#` alone, so those would change the path.
 */
export function cloudPathProblem(cloudPath: unknown): string | null {
  if (typeof cloudPath !== 'string' || cloudPath.length === 0) return 'cloudPath must be a non-empty string';
  if (cloudPath.length > MAX_CLOUD_PATH_LENGTH) return `cloudPath is longer than ${MAX_CLOUD_PATH_LENGTH} characters`;
  if (cloudPath.startsWith('/')) return 'cloudPath must not start with /';
  if (cloudPath.endsWith('/')) return 'cloudPath must name a file, not a folder';
  if (/[\u0000-\u001f\u007f\\%?#]/.test(cloudPath)) return 'cloudPath contains a control character, a backslash, %, ? or #';
  for (const segment of cloudPath.split('/')) {
    if (segment === '') return 'cloudPath contains an empty segment (//)';
    if (segment === '.' || segment === '..') return 'cloudPath contains a . or .. segment';
  }
  return null;
}

export function fileIdOf(cloudPath: string): string {
  return `${LOCAL_STORAGE_PREFIX}${cloudPath}`;
}

/** The cloud path of a local file id; null for ids of another environment or malformed ones. */
export function cloudPathOf(fileId: unknown): string | null {
  if (typeof fileId !== 'string' || !fileId.startsWith(LOCAL_STORAGE_PREFIX)) return null;
  const cloudPath = fileId.slice(LOCAL_STORAGE_PREFIX.length);
  return cloudPathProblem(cloudPath) === null ? cloudPath : null;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  heic: 'image/heic',
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  pdf: 'application/pdf',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

/** What a file is served as when the uploader named no usable type: by extension, as COS does. */
export function contentTypeFor(cloudPath: string, declared?: string | null): string {
  // Must be safe as an HTTP header value and look like a media type; anything else is ignored.
  if (declared && declared.length <= 255 && /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;[\x20-\x7e]*)?$/.test(declared) && declared.toLowerCase() !== 'application/octet-stream') {
    return declared;
  }
  const ext = /\.([A-Za-z0-9]+)$/.exec(cloudPath)?.[1]?.toLowerCase();
  return (ext && CONTENT_TYPES[ext]) || 'application/octet-stream';
}

interface ObjectHeader {
  v: 1;
  cloudPath: string;
  contentType: string;
  size: number;
  updatedAt: string;
}

export interface StorageStandInOptions {
  /** Folder of the stored files; null keeps them in memory. */
  dir: string | null;
  /** fsync each write before it counts as done (default true). */
  fsync?: boolean;
  now?: () => Date;
}

export class StorageStandIn {
  private readonly index = new Map<string, StoredFileInfo>();
  /** In-memory mode only. */
  private readonly contents = new Map<string, Buffer>();
  private readonly signatures = new Map<string, { cloudPath: string; expiresAt: number }>();
  /** Random per start: a temporary URL from an earlier run is as dead as an expired one. */
  private readonly downloadKey = randomBytes(32);
  private readonly objectsDir: string | null;
  private readonly fsync: boolean;
  private readonly now: () => Date;

  constructor(options: StorageStandInOptions) {
    this.fsync = options.fsync ?? true;
    this.now = options.now ?? (() => new Date());
    this.objectsDir = options.dir ? path.join(options.dir, 'objects') : null;
    if (this.objectsDir) this.load(this.objectsDir);
  }

  /** Stores (or replaces) a file; throws StorageError for a bad path or a file over the limit. */
  put(cloudPath: string, content: Buffer, contentType?: string | null): StoredFileInfo {
    const problem = cloudPathProblem(cloudPath);
    if (problem) throw new StorageError('INVALID_PATH', problem);
    if (content.length > MAX_FILE_BYTES) throw new StorageError('TOO_LARGE', `file is larger than ${MAX_FILE_BYTES} bytes`);
    const info: StoredFileInfo = {
      cloudPath,
      fileID: fileIdOf(cloudPath),
      contentType: contentTypeFor(cloudPath, contentType),
      size: content.length,
      updatedAt: this.now().toISOString(),
    };
    if (this.objectsDir) {
      const header: ObjectHeader = { v: 1, cloudPath, contentType: info.contentType, size: info.size, updatedAt: info.updatedAt };
      const target = path.join(this.objectsDir, objectName(cloudPath));
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        const fd = fs.openSync(tmp, 'w');
        try {
          writeAll(fd, Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'));
          writeAll(fd, content);
          if (this.fsync) fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        fs.renameSync(tmp, target);
      } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw error;
      }
      if (this.fsync) fsyncDir(this.objectsDir);
    } else {
      // A copy: the caller's buffer may be a view into a larger one it goes on using.
      this.contents.set(cloudPath, Buffer.from(content));
    }
    this.index.set(cloudPath, info);
    return { ...info };
  }

  get(cloudPath: string): StoredFile | null {
    const info = this.index.get(cloudPath);
    if (!info) return null;
    if (!this.objectsDir) {
      const content = this.contents.get(cloudPath);
      return content ? { info: { ...info }, content: Buffer.from(content) } : null;
    }
    let raw: Buffer;
    try {
      raw = fs.readFileSync(path.join(this.objectsDir, objectName(cloudPath)));
    } catch {
      return null;
    }
    const parsed = parseObject(raw);
    if (!parsed || parsed.header.cloudPath !== cloudPath) return null;
    return { info: { ...info }, content: parsed.content };
  }

  has(cloudPath: string): boolean {
    return this.index.has(cloudPath);
  }

  info(cloudPath: string): StoredFileInfo | null {
    const info = this.index.get(cloudPath);
    return info ? { ...info } : null;
  }

  /** Whether there was a file to remove. */
  remove(cloudPath: string): boolean {
    if (!this.index.has(cloudPath)) return false;
    if (this.objectsDir) {
      fs.rmSync(path.join(this.objectsDir, objectName(cloudPath)), { force: true });
      if (this.fsync) fsyncDir(this.objectsDir);
    } else {
      this.contents.delete(cloudPath);
    }
    this.index.delete(cloudPath);
    return true;
  }

  /** Files whose cloud path starts with `prefix`, by path. */
  list(prefix = ''): StoredFileInfo[] {
    return [...this.index.values()]
      .filter((info) => info.cloudPath.startsWith(prefix))
      .sort((a, b) => (a.cloudPath < b.cloudPath ? -1 : a.cloudPath > b.cloudPath ? 1 : 0))
      .map((info) => ({ ...info }));
  }

  /** What getUploadMetadata hands out: a time-limited permission to PUT this one path. */
  signUpload(cloudPath: string): UploadSignature {
    const problem = cloudPathProblem(cloudPath);
    if (problem) throw new StorageError('INVALID_PATH', problem);
    const now = this.now().getTime();
    for (const [key, entry] of this.signatures) if (entry.expiresAt <= now) this.signatures.delete(key);
    const authorization = `q-sign-algorithm=local&q-signature=${randomBytes(20).toString('hex')}`;
    const expiresAt = now + UPLOAD_SIGNATURE_MS;
    this.signatures.set(authorization, { cloudPath, expiresAt });
    return { authorization, token: randomUUID(), cosFileId: randomBytes(24).toString('base64'), expiresAt };
  }

  checkUpload(cloudPath: string, authorization: string | undefined): UploadCheck {
    const entry = authorization ? this.signatures.get(authorization) : undefined;
    if (!entry || entry.cloudPath !== cloudPath) return 'mismatch';
    return entry.expiresAt > this.now().getTime() ? 'ok' : 'expired';
  }

  /** The signature of a temporary URL for `cloudPath`, valid `maxAgeSeconds` from now. */
  signDownload(cloudPath: string, maxAgeSeconds: number): DownloadSignature {
    const t = Math.floor(this.now().getTime() / 1000) + maxAgeSeconds;
    return { sign: this.downloadMac(cloudPath, t), t };
  }

  /** Whether a request for `cloudPath` with this `sign` and `t` (query values as sent) may read it. */
  checkDownload(cloudPath: string, sign: string | null, t: string | null): DownloadCheck {
    if (sign === null && t === null) return 'missing';
    if (sign === null || t === null || !DOWNLOAD_SIGN.test(sign) || !DOWNLOAD_EXPIRY.test(t)) return 'mismatch';
    const expiry = Number(t);
    if (!timingSafeEqual(Buffer.from(sign, 'hex'), Buffer.from(this.downloadMac(cloudPath, expiry), 'hex'))) return 'mismatch';
    return this.now().getTime() < expiry * 1000 ? 'ok' : 'expired';
  }

  private downloadMac(cloudPath: string, t: number): string {
    // The path and the expiry both signed, so neither can be swapped for another's.
    return createHmac('sha256', this.downloadKey).update(`${t}\n${cloudPath}`, 'utf8').digest('hex');
  }

  private load(objectsDir: string): void {
    fs.mkdirSync(objectsDir, { recursive: true });
    for (const name of fs.readdirSync(objectsDir)) {
      const file = path.join(objectsDir, name);
      // Left by a write that a crash interrupted before its rename: never visible, drop it.
      if (name.endsWith('.tmp')) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!OBJECT_NAME.test(name)) continue;
      const header = readHeader(file);
      // Not something put() writes; left in place for a human to look at, but never served.
      if (!header || objectName(header.cloudPath) !== name) continue;
      this.index.set(header.cloudPath, {
        cloudPath: header.cloudPath,
        fileID: fileIdOf(header.cloudPath),
        contentType: header.contentType,
        size: header.size,
        updatedAt: header.updatedAt,
      });
    }
  }
}

function objectName(cloudPath: string): string {
  return createHash('sha256').update(cloudPath, 'utf8').digest('hex');
}

function parseHeader(text: string): ObjectHeader | null {
  try {
    const header = JSON.parse(text) as Partial<ObjectHeader>;
    if (header.v !== 1 || typeof header.cloudPath !== 'string' || typeof header.contentType !== 'string') return null;
    if (typeof header.size !== 'number' || typeof header.updatedAt !== 'string') return null;
    return header as ObjectHeader;
  } catch {
    return null;
  }
}

function parseObject(raw: Buffer): { header: ObjectHeader; content: Buffer } | null {
  const newline = raw.indexOf(0x0a);
  if (newline < 0) return null;
  const header = parseHeader(raw.subarray(0, newline).toString('utf8'));
  const content = raw.subarray(newline + 1);
  if (!header || content.length !== header.size) return null;
  return { header, content };
}

function readHeader(file: string): ObjectHeader | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    const newline = buffer.subarray(0, read).indexOf(0x0a);
    if (newline < 0) return null;
    const header = parseHeader(buffer.subarray(0, newline).toString('utf8'));
    // A file whose length disagrees with its header was not written by put(): do not serve it.
    if (!header || fs.fstatSync(fd).size !== newline + 1 + header.size) return null;
    return header;
  } finally {
    fs.closeSync(fd);
  }
}
