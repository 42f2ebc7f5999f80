/**
 * Reads an uploaded roster (.xlsx or .csv) into rows keyed by the roster's columns.
 *
 * Pure: bytes and a file name in, rows or a `RosterFileError` with a Chinese message the admin
 * can act on out. What the rows mean (phone formats, unit paths, duplicates) is the import's
 * business, not this module's.
 */
import { CsvError, readCsv } from './csv';
import { XlsxError, readFirstSheet } from './xlsx';
import { looksLikeZip } from './zip';

export type RosterColumn = 'name' | 'number' | 'phone' | 'kind' | 'units' | 'title' | 'wecomUserId';

export interface RosterRow {
  /** 1-based row number as a spreadsheet app shows it (header row included). */
  line: number;
  /** Every column of the sheet's `columns` is a key; a cell left blank is `''`. */
  cells: Partial<Record<RosterColumn, string>>;
}

export interface RosterSheet {
  /** Recognised columns present in the header, in file order. */
  columns: RosterColumn[];
  rows: RosterRow[];
}

export type RosterFileErrorCode = 'FORMAT' | 'ENCODING' | 'COLUMNS' | 'EMPTY' | 'TOO_MANY_ROWS' | 'TOO_LARGE';

/** Why a file cannot be read; `message` is Chinese and shown to the admin as is. */
export class RosterFileError extends Error {
  constructor(readonly code: RosterFileErrorCode, message: string) {
    super(message);
    this.name = 'RosterFileError';
  }
}

export interface ParseRosterOptions {
  /** Most data rows accepted. Default 20,000. */
  maxRows?: number;
  /** Largest file accepted, in bytes. Default 10 MB. */
  maxBytes?: number;
}

/** Chinese column names for messages. */
export const ROSTER_COLUMN_LABELS: Readonly<Record<RosterColumn, string>> = {
  name: '姓名',
  number: '学号/工号',
  phone: '手机号',
  kind: '类型',
  units: '单位',
  title: '职务',
  wecomUserId: '企业微信账号',
};

const ALIASES: Readonly<Record<RosterColumn, readonly string[]>> = {
  name: ['姓名', '名字', 'name'],
  number: ['学号/工号', '学号', '工号', '编号', '学工号', 'number', 'id'],
  phone: ['手机号', '手机', '手机号码', '电话', '联系电话', 'phone', 'mobile'],
  kind: ['类型', '身份', '人员类型', 'kind', 'type'],
  units: ['单位', '所属单位', '单位路径', '班级', '部门', '院系', 'unit', 'units'],
  title: ['职务', 'title'],
  wecomUserId: ['企业微信账号', '企业微信', '企业微信userid', '企微账号', 'wecom', 'userid'],
};

const REQUIRED: readonly RosterColumn[] = ['name', 'number'];

/**
 * A header cell reduced to what identifies it: lower case, no spaces of any width, full-width
 * punctuation folded to ASCII, parenthesised notes (`手机号（必填）`, `单位(用/分隔)`) and the
 * asterisks templates put on required columns removed.
 */
export function normalizeHeader(text: string): string {
  let folded = text
    .replace(/[（［【[]/g, '(')
    .replace(/[）］】\]]/g, ')')
    .replace(/／/g, '/')
    .replace(/[*＊]/g, '')
    .replace(/[\s\u200b-\u200d\u2060\ufeff]/g, '')
    .toLowerCase();
  // Innermost groups first, so nested notes go too.
  for (let previous = ''; previous !== folded; ) {
    previous = folded;
    folded = folded.replace(/\([^()]*\)/g, '');
  }
  return folded;
}

const COLUMN_BY_HEADER: ReadonlyMap<string, RosterColumn> = new Map(
  (Object.keys(ALIASES) as RosterColumn[]).flatMap((column) =>
    ALIASES[column].map((alias) => [normalizeHeader(alias), column] as [string, RosterColumn]),
  ),
);

/** The column a header cell names, or null for a column the roster does not use. */
export function recognizeHeader(text: string): RosterColumn | null {
  return COLUMN_BY_HEADER.get(normalizeHeader(text)) ?? null;
}

const EDGE_SPACE = /^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$/g;

/** A cell without the spaces around it: ASCII, no-break (U+00A0), ideographic (U+3000) and zero-width. */
export function cleanCell(text: string): string {
  return text.replace(EDGE_SPACE, '');
}

type FileFormat = 'csv' | 'xlsx';

const XLS_MESSAGE = '不支持 .xls 格式（或加了密码的 Excel 文件），请在 Excel 中另存为 .xlsx 或 .csv';

function isOle2(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xd0 && data[1] === 0xcf && data[2] === 0x11 && data[3] === 0xe0;
}

/**
 * The content decides where it is unambiguous (a renamed file still reads right): a ZIP is an
 * .xlsx, an OLE2 compound file is a legacy .xls (or a password-protected workbook, which Excel
 * also stores as OLE2). Otherwise the extension decides.
 */
function detectFormat(data: Uint8Array, fileName: string): FileFormat {
  const dot = fileName.lastIndexOf('.');
  const extension = dot < 0 ? '' : fileName.slice(dot + 1).trim().toLowerCase();
  if (extension === 'xls' || isOle2(data)) throw new RosterFileError('FORMAT', XLS_MESSAGE);
  if (looksLikeZip(data)) return 'xlsx';
  if (extension === 'xlsx' || extension === 'xlsm') {
    throw new RosterFileError('FORMAT', '文件内容不是有效的 .xlsx 文件，请在 Excel 中重新另存为 .xlsx 或 .csv');
  }
  if (extension === 'csv') return 'csv';
  throw new RosterFileError('FORMAT', '仅支持 .xlsx 和 .csv 格式的文件，请在 Excel 中另存为 .xlsx 或 .csv');
}

function readTable(data: Uint8Array, format: FileFormat): ReadonlyArray<readonly string[]> {
  try {
    return format === 'xlsx' ? readFirstSheet(data) : readCsv(data);
  } catch (error) {
    if (error instanceof XlsxError || error instanceof CsvError) throw new RosterFileError(error.code, error.message);
    throw error;
  }
}

/** Spreadsheet column letters for a 0-based index: 0 → A, 27 → AB. */
function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function formatSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Reads a roster file. Throws `RosterFileError` for anything the admin must fix in the file. */
export function parseRosterFile(data: Uint8Array, fileName: string, options: ParseRosterOptions = {}): RosterSheet {
  const maxRows = options.maxRows ?? 20_000;
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  if (data.length > maxBytes) {
    throw new RosterFileError('TOO_LARGE', `文件过大（超过 ${formatSize(maxBytes)}），请删除多余内容或分成多个文件导入`);
  }
  if (data.length === 0) throw new RosterFileError('EMPTY', '文件是空的，请检查后重新选择');

  const table = readTable(data, detectFormat(data, fileName));

  const headerIndex = table.findIndex((row) => row.some((cell) => cleanCell(cell) !== ''));
  if (headerIndex < 0) throw new RosterFileError('EMPTY', '文件中没有内容，请检查后重新选择');
  const header = table[headerIndex];
  const headerLine = headerIndex + 1;

  const columns: RosterColumn[] = [];
  const positions: number[] = [];
  for (let index = 0; index < header.length; index++) {
    const column = recognizeHeader(header[index]);
    if (column === null) continue;
    const earlier = columns.indexOf(column);
    if (earlier >= 0) {
      throw new RosterFileError(
        'COLUMNS',
        `表头中“${ROSTER_COLUMN_LABELS[column]}”列出现了两次（第 ${headerLine} 行的 ${columnLetters(positions[earlier])} 列和 ${columnLetters(index)} 列），请只保留一列`,
      );
    }
    columns.push(column);
    positions.push(index);
  }
  const missing = REQUIRED.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    const names = missing.map((column) => `“${ROSTER_COLUMN_LABELS[column]}”`).join('、');
    throw new RosterFileError(
      'COLUMNS',
      `缺少必填列：${names}。表头（第 ${headerLine} 行）需要包含“姓名”和“学号/工号”列`,
    );
  }

  const rows: RosterRow[] = [];
  for (let index = headerIndex + 1; index < table.length; index++) {
    const source = table[index];
    const cells: Partial<Record<RosterColumn, string>> = {};
    let anyValue = false;
    for (let k = 0; k < columns.length; k++) {
      const value = cleanCell(source[positions[k]] ?? '');
      cells[columns[k]] = value;
      if (value !== '') anyValue = true;
    }
    // A blank row (or one with notes only in unrecognised columns) is spacing, not a member.
    if (!anyValue) continue;
    if (rows.length >= maxRows) {
      throw new RosterFileError('TOO_MANY_ROWS', `数据行数超过上限（${maxRows} 行），请分成多个文件导入`);
    }
    rows.push({ line: index + 1, cells });
  }
  if (rows.length === 0) throw new RosterFileError('EMPTY', `表头（第 ${headerLine} 行）下面没有数据行`);
  return { columns, rows };
}
