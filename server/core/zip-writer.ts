/**
 * A minimal ZIP writer, enough for the parts of an .xlsx file the functions generate.
 *
 * Every entry carries the same fixed timestamp (1980-01-01 00:00, the earliest DOS time), so the
 * same entries always give the same bytes: tests can compare files, and a re-export of unchanged
 * data is byte-identical. Sizes and CRCs go in the local headers (no data descriptors), which
 * every reader accepts. No zip64: a generated export is far below 4 GB and 65,535 entries, and
 * an archive that would need it is refused rather than written wrong.
 */
import { deflateRawSync } from 'node:zlib';

export interface ZipFileEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  name: string;
  data: Uint8Array;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = 20; // MS-DOS attributes, spec 2.0
const FLAG_UTF8_NAME = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const MAX_U32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as ZIP uses it). Own table: node:zlib's crc32 is missing from the functions' Node 16 runtime. */
export function crc32(data: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

interface Prepared {
  name: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  body: Uint8Array;
  size: number;
  offset: number;
}

/** The fields the local header and the central directory record share, in the same order. */
function writeSharedFields(out: Buffer, offset: number, p: Prepared): number {
  let at = out.writeUInt16LE(VERSION_NEEDED, offset);
  at = out.writeUInt16LE(p.flags, at);
  at = out.writeUInt16LE(p.method, at);
  at = out.writeUInt16LE(DOS_TIME, at);
  at = out.writeUInt16LE(DOS_DATE, at);
  at = out.writeUInt32LE(p.crc, at);
  at = out.writeUInt32LE(p.body.length, at);
  at = out.writeUInt32LE(p.size, at);
  at = out.writeUInt16LE(p.name.length, at);
  return out.writeUInt16LE(0, at); // extra field length
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** The archive's bytes. Entries keep their order; a name may appear once. */
export function writeZip(entries: readonly ZipFileEntry[]): Uint8Array {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`a ZIP without zip64 holds at most ${MAX_ENTRIES} entries`);
  const seen = new Set<string>();
  const prepared: Prepared[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || seen.has(entry.name)) throw new RangeError(`bad or repeated ZIP entry name: ${entry.name}`);
    seen.add(entry.name);
    if (entry.data.length > MAX_U32) throw new RangeError('a ZIP without zip64 holds at most 4 GB');
    const deflated = deflateRawSync(entry.data);
    // Tiny parts can grow under deflate; stored is then both smaller and just as valid.
    const stored = deflated.length >= entry.data.length;
    const body = stored ? entry.data : deflated;
    const name = Buffer.from(entry.name, 'utf8');
    prepared.push({
      name,
      flags: isAscii(entry.name) ? 0 : FLAG_UTF8_NAME,
      method: stored ? METHOD_STORED : METHOD_DEFLATE,
      crc: crc32(entry.data),
      body,
      size: entry.data.length,
      offset,
    });
    offset += 30 + name.length + body.length;
  }
  const directoryOffset = offset;
  const directorySize = prepared.reduce((sum, p) => sum + 46 + p.name.length, 0);
  if (directoryOffset + directorySize > MAX_U32) throw new RangeError('a ZIP without zip64 holds at most 4 GB');

  const out = Buffer.alloc(directoryOffset + directorySize + 22);
  let at = 0;
  for (const p of prepared) {
    at = out.writeUInt32LE(SIG_LOCAL, at);
    at = writeSharedFields(out, at, p);
    out.set(p.name, at);
    at += p.name.length;
    out.set(p.body, at);
    at += p.body.length;
  }
  for (const p of prepared) {
    at = out.writeUInt32LE(SIG_CENTRAL, at);
    at = out.writeUInt16LE(VERSION_MADE_BY, at);
    at = writeSharedFields(out, at, p);
    at = out.writeUInt16LE(0, at); // comment
    at = out.writeUInt16LE(0, at); // disk number
    at = out.writeUInt16LE(0, at); // internal attributes
    at = out.writeUInt32LE(0, at); // external attributes
    at = out.writeUInt32LE(p.offset, at);
    out.set(p.name, at);
    at += p.name.length;
  }
  at = out.writeUInt32LE(SIG_EOCD, at);
  at = out.writeUInt16LE(0, at); // this disk
  at = out.writeUInt16LE(0, at); // disk with the directory
  at = out.writeUInt16LE(prepared.length, at);
  at = out.writeUInt16LE(prepared.length, at);
  at = out.writeUInt32LE(directorySize, at);
  at = out.writeUInt32LE(directoryOffset, at);
  out.writeUInt16LE(0, at); // comment length
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
