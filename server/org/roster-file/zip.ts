/**
 * A minimal ZIP reader, enough for the parts of an .xlsx file.
 *
 * It reads the central directory (not the local headers' sizes), so entries written with a data
 * descriptor (general-purpose flag bit 3, sizes zero in the local header — what streaming writers
 * such as exceljs and many web exporters produce) read the same as any other. Only methods 0
 * (stored) and 8 (deflate) exist in real .xlsx files; zip64 and encryption are refused with a
 * clear message instead of being misread.
 *
 * Untrusted uploads can be zip bombs, so every entry is inflated with a hard output cap equal to
 * its declared size (a lying header cannot make it produce more), a per-entry compression ratio
 * cap applies to large entries, and the total inflated across one archive is bounded.
 */
import { inflateRawSync } from 'node:zlib';

export type ZipErrorCode = 'FORMAT' | 'TOO_LARGE';

/** A ZIP problem; the message is Chinese and meant for the user. */
export class ZipError extends Error {
  constructor(readonly code: ZipErrorCode, message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipLimits {
  /** Total bytes that may be inflated from one archive. Default 200 MB. */
  maxTotalBytes?: number;
  /** Largest uncompressed/compressed ratio allowed for an entry above `ratioFloorBytes`. Default 500. */
  maxRatio?: number;
  /** Entries smaller than this are not ratio-checked (tiny XML parts compress absurdly well). Default 1 MB. */
  ratioFloorBytes?: number;
}

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

const CORRUPT = '文件已损坏或不是有效的 .xlsx 文件，请在 Excel 中重新另存为 .xlsx 或 .csv';

export class ZipReader {
  private readonly entries = new Map<string, ZipEntry>();
  private readonly view: DataView;
  private inflatedTotal = 0;
  private readonly maxTotalBytes: number;
  private readonly maxRatio: number;
  private readonly ratioFloorBytes: number;

  constructor(private readonly data: Uint8Array, limits: ZipLimits = {}) {
    this.maxTotalBytes = limits.maxTotalBytes ?? 200 * 1024 * 1024;
    this.maxRatio = limits.maxRatio ?? 500;
    this.ratioFloorBytes = limits.ratioFloorBytes ?? 1024 * 1024;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.readCentralDirectory();
  }

  /** Entry names in central-directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's bytes, or null when the archive has no such entry. Names are case-sensitive. */
  read(name: string): Uint8Array | null {
    const entry = this.entries.get(name);
    if (!entry) return null;
    return this.extract(entry);
  }

  private u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  private u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  private findEndOfCentralDirectory(): number {
    const size = this.data.length;
    if (size < EOCD_SIZE) throw new ZipError('FORMAT', CORRUPT);
    // The record sits at the very end unless the archive has a comment (up to 64 KB) after it.
    const lowest = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
    for (let at = size - EOCD_SIZE; at >= lowest; at--) {
      if (this.u32(at) === SIG_EOCD && at + EOCD_SIZE + this.u16(at + 20) <= size) return at;
    }
    throw new ZipError('FORMAT', CORRUPT);
  }

  private readCentralDirectory(): void {
    const eocd = this.findEndOfCentralDirectory();
    const entryCount = this.u16(eocd + 10);
    const directorySize = this.u32(eocd + 12);
    const directoryOffset = this.u32(eocd + 16);
    const hasZip64Locator = eocd >= 20 && this.u32(eocd - 20) === SIG_ZIP64_LOCATOR;
    if (hasZip64Locator || entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      throw new ZipError('FORMAT', '不支持 ZIP64 格式的文件，请在 Excel 中重新另存为 .xlsx 或 .csv');
    }
    if (directoryOffset + directorySize > eocd) throw new ZipError('FORMAT', CORRUPT);

    let at = directoryOffset;
    for (let i = 0; i < entryCount; i++) {
      if (at + 46 > eocd || this.u32(at) !== SIG_CENTRAL) throw new ZipError('FORMAT', CORRUPT);
      const flags = this.u16(at + 8);
      const method = this.u16(at + 10);
      const compressedSize = this.u32(at + 20);
      const uncompressedSize = this.u32(at + 24);
      const nameLength = this.u16(at + 28);
      const extraLength = this.u16(at + 30);
      const commentLength = this.u16(at + 32);
      const localHeaderOffset = this.u32(at + 42);
      const nameEnd = at + 46 + nameLength;
      if (nameEnd > eocd) throw new ZipError('FORMAT', CORRUPT);
      // Part names in an .xlsx are ASCII; UTF-8 decoding is right for flag bit 11 and harmless otherwise.
      const name = new TextDecoder('utf-8').decode(this.data.subarray(at + 46, nameEnd));
      if (flags & 0x1) {
        throw new ZipError('FORMAT', '文件已加密（设置了密码），请在 Excel 中取消密码后另存为 .xlsx 或 .csv');
      }
      if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        throw new ZipError('FORMAT', '不支持 ZIP64 格式的文件，请在 Excel 中重新另存为 .xlsx 或 .csv');
      }
      // First occurrence wins; a duplicate name is malformed but not worth refusing the file for.
      if (!this.entries.has(name)) {
        this.entries.set(name, { name, method, compressedSize, uncompressedSize, localHeaderOffset });
      }
      at = nameEnd + extraLength + commentLength;
    }
  }

  private extract(entry: ZipEntry): Uint8Array {
    const header = entry.localHeaderOffset;
    if (header + 30 > this.data.length || this.u32(header) !== SIG_LOCAL) throw new ZipError('FORMAT', CORRUPT);
    // The local header's name/extra lengths can differ from the central directory's, so use its own.
    const start = header + 30 + this.u16(header + 26) + this.u16(header + 28);
    const end = start + entry.compressedSize;
    if (end > this.data.length) throw new ZipError('FORMAT', CORRUPT);

    const size = entry.uncompressedSize;
    if (this.inflatedTotal + size > this.maxTotalBytes) {
      throw new ZipError('TOO_LARGE', '文件解压后内容过大，请删除多余的工作表或内容后重试');
    }
    if (size > this.ratioFloorBytes && size > entry.compressedSize * this.maxRatio) {
      throw new ZipError('FORMAT', '文件压缩比异常，可能已损坏，请在 Excel 中重新另存为 .xlsx 或 .csv');
    }
    const compressed = this.data.subarray(start, end);

    let output: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== size) throw new ZipError('FORMAT', CORRUPT);
      output = compressed;
    } else if (entry.method === 8) {
      try {
        // maxOutputLength makes zlib stop at the declared size: an entry that claims to be small
        // but inflates to gigabytes fails here after `size + 1` bytes, not after exhausting memory.
        output = inflateRawSync(compressed, { maxOutputLength: Math.max(size, 1) });
      } catch {
        throw new ZipError('FORMAT', CORRUPT);
      }
      if (output.length !== size) throw new ZipError('FORMAT', CORRUPT);
    } else {
      throw new ZipError('FORMAT', `不支持的压缩方式（${entry.method}），请在 Excel 中重新另存为 .xlsx 或 .csv`);
    }
    this.inflatedTotal += size;
    return output;
  }
}

/** True when the bytes start like a ZIP archive (a local file header). */
export function looksLikeZip(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}
