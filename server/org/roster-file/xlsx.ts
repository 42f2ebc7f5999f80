/**
 * Reads the first worksheet of an .xlsx workbook into rows of strings.
 *
 * Only what a roster needs: cell values as the user sees them in the first sheet, no styles,
 * formulas or dates. The XML is read with a small linear tag scanner instead of an XML library
 * (the functions are bundled and every kilobyte is parsed on cold start). Element names are
 * matched by local name, because some writers (the .NET Open XML SDK) prefix every element
 * (`<x:row>`, `<x:c>`) while Excel uses a default namespace.
 */
import { ZipError, ZipReader, type ZipLimits } from './zip';

export type XlsxErrorCode = 'FORMAT' | 'TOO_LARGE';

/** An .xlsx problem; the message is Chinese and meant for the user. */
export class XlsxError extends Error {
  constructor(readonly code: XlsxErrorCode, message: string) {
    super(message);
    this.name = 'XlsxError';
  }
}

export interface XlsxOptions extends ZipLimits {
  /**
   * Most cells (counting the empty ones padding each row up to its last value) the result may
   * hold. A few KB of XML can put one value in column XFD of every row; without this cap that
   * would allocate 16,384 strings per row. Default 3,000,000.
   */
  maxCells?: number;
}

/**
 * The first worksheet as rows of cell strings: `rows[i][j]` is row i+1, column j+1 as the sheet
 * numbers them. Rows end at their last non-empty cell; rows with no values are empty arrays
 * (gap rows share one array: treat the result as read-only); the list ends at the last row with
 * a value.
 */
export function readFirstSheet(data: Uint8Array, options: XlsxOptions = {}): ReadonlyArray<readonly string[]> {
  try {
    return readWorkbook(new ZipReader(data, options), options);
  } catch (error) {
    // One error type for callers, whichever layer found the problem.
    if (error instanceof ZipError) throw new XlsxError(error.code, error.message);
    throw error;
  }
}

function readWorkbook(zip: ZipReader, options: XlsxOptions): ReadonlyArray<readonly string[]> {
  const workbookPath = officeDocumentPath(zip);
  const workbookRels = readRelationships(zip, workbookPath);
  const sheetPath = firstSheetPath(zip, workbookPath, workbookRels);
  const sheetXml = sheetPath === null ? null : readText(zip, sheetPath);
  if (sheetXml === null) throw new XlsxError('FORMAT', '文件中找不到工作表，请在 Excel 中重新另存为 .xlsx 或 .csv');

  const sharedStringsRel = workbookRels.find((rel) => rel.type.endsWith('/sharedStrings'));
  const sharedStringsPath = sharedStringsRel ? sharedStringsRel.target : resolvePart(workbookPath, 'sharedStrings.xml');
  const sharedStringsXml = readText(zip, sharedStringsPath);
  const sharedStrings = sharedStringsXml === null ? [] : parseSharedStrings(sharedStringsXml);

  return parseSheet(sheetXml, sharedStrings, options.maxCells ?? 3_000_000);
}

// ---------------------------------------------------------------------------------------------
// Package structure: which part is the workbook, which is its first sheet.

interface Relationship {
  id: string;
  type: string;
  /** Part path inside the package, resolved against the source part; no leading slash. */
  target: string;
}

function officeDocumentPath(zip: ZipReader): string {
  // The package root relationships name the workbook part; every writer seen uses
  // xl/workbook.xml, which is also the fallback when the relationships are missing.
  const rootRels = readRelationships(zip, '');
  const office = rootRels.find((rel) => rel.type.endsWith('/officeDocument'));
  if (office && zip.has(office.target)) return office.target;
  return 'xl/workbook.xml';
}

function firstSheetPath(zip: ZipReader, workbookPath: string, rels: Relationship[]): string | null {
  const workbookXml = readText(zip, workbookPath);
  if (workbookXml !== null) {
    const byId = new Map(rels.map((rel) => [rel.id, rel]));
    let firstVisible: string | null = null;
    let firstAny: string | null = null;
    const scanner = new XmlScanner(workbookXml);
    while (scanner.next()) {
      if (scanner.kind !== OPEN || scanner.name !== 'sheet') continue;
      const attrs = parseAttributes(scanner.attrs);
      // The relationship id is `r:id`, but the prefix is the writer's choice: take any prefixed `id`.
      let relId: string | undefined;
      for (const [key, value] of attrs) if (key.endsWith(':id')) relId = value;
      const rel = relId === undefined ? undefined : byId.get(relId);
      // Chart sheets and dialog sheets are also <sheet>s; only worksheets hold cells.
      if (!rel || !rel.type.endsWith('/worksheet') || !zip.has(rel.target)) continue;
      firstAny ??= rel.target;
      // The user sees the first visible tab; a hidden sheet first in order (lookup lists,
      // template instructions) is not what they meant to upload.
      const state = attrs.get('state');
      if (state !== 'hidden' && state !== 'veryHidden') {
        firstVisible = rel.target;
        break;
      }
    }
    const chosen = firstVisible ?? firstAny;
    if (chosen !== null) return chosen;
  }
  return zip.has('xl/worksheets/sheet1.xml') ? 'xl/worksheets/sheet1.xml' : null;
}

function relationshipsPathFor(partPath: string): string {
  const slash = partPath.lastIndexOf('/');
  const dir = slash < 0 ? '' : partPath.slice(0, slash + 1);
  const file = partPath.slice(slash + 1);
  return `${dir}_rels/${file}.rels`;
}

function readRelationships(zip: ZipReader, sourcePart: string): Relationship[] {
  const xml = readText(zip, relationshipsPathFor(sourcePart));
  if (xml === null) return [];
  const rels: Relationship[] = [];
  const scanner = new XmlScanner(xml);
  while (scanner.next()) {
    if (scanner.kind !== OPEN || scanner.name !== 'Relationship') continue;
    const attrs = parseAttributes(scanner.attrs);
    const id = attrs.get('Id');
    const target = attrs.get('Target');
    if (id === undefined || target === undefined || attrs.get('TargetMode') === 'External') continue;
    rels.push({ id, type: attrs.get('Type') ?? '', target: resolvePart(sourcePart, target) });
  }
  return rels;
}

/** Resolves a relationship target against the part it belongs to (OPC part names, `/`-rooted or relative). */
function resolvePart(sourcePart: string, target: string): string {
  const slash = sourcePart.lastIndexOf('/');
  const base = target.startsWith('/') ? [] : sourcePart.slice(0, Math.max(slash, 0)).split('/').filter(Boolean);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') base.pop();
    else base.push(segment);
  }
  return base.join('/');
}

function readText(zip: ZipReader, path: string): string | null {
  const bytes = zip.read(path);
  if (bytes === null) return null;
  // Parts are UTF-8 in practice; the XML spec also allows UTF-16 with a BOM.
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

// ---------------------------------------------------------------------------------------------
// Shared strings and cells.

/** Shared strings in index order: the `<t>` text of each `<si>`, rich-text runs joined, phonetic runs left out. */
export function parseSharedStrings(xml: string): string[] {
  const strings: string[] = [];
  const scanner = new XmlScanner(xml);
  const text = new TextCollector(scanner);
  let inItem = false;
  while (scanner.next()) {
    if (scanner.kind === OPEN) {
      if (scanner.name === 'si') {
        if (scanner.selfClosing) strings.push('');
        else {
          inItem = true;
          text.reset();
        }
      } else if (inItem) text.open();
    } else if (scanner.kind === CLOSE) {
      if (scanner.name === 'si' && inItem) {
        strings.push(text.value());
        inItem = false;
      } else if (inItem) text.close();
    } else if (inItem) text.text();
  }
  return strings;
}

/**
 * Collects the string of an `<si>` or `<is>` element: the text of its `<t>` children, direct or
 * inside `<r>` runs, but not inside `<rPh>` (the phonetic guide Japanese Excel adds above kanji,
 * which is not part of the cell's value).
 */
class TextCollector {
  private parts: string[] = [];
  private inT = false;
  private phoneticDepth = 0;

  constructor(private readonly scanner: XmlScanner) {}

  reset(): void {
    this.parts = [];
    this.inT = false;
    this.phoneticDepth = 0;
  }

  open(): void {
    const { name, selfClosing } = this.scanner;
    if (selfClosing) return;
    if (name === 'rPh') this.phoneticDepth++;
    else if (name === 't' && this.phoneticDepth === 0) this.inT = true;
  }

  close(): void {
    const { name } = this.scanner;
    if (name === 'rPh' && this.phoneticDepth > 0) this.phoneticDepth--;
    else if (name === 't') this.inT = false;
  }

  text(): void {
    if (this.inT) this.parts.push(this.scanner.textValue());
  }

  hasText(): boolean {
    return this.parts.length > 0;
  }

  value(): string {
    return decodeOoxmlEscapes(this.parts.join(''));
  }
}

const MAX_ROW_INDEX = 1_048_575; // Excel's last row, 0-based
const MAX_COLUMN_INDEX = 16_383; // column XFD, 0-based
const NO_ROWS: readonly string[] = Object.freeze([]) as readonly string[];

function parseSheet(xml: string, sharedStrings: readonly string[], maxCells: number): ReadonlyArray<readonly string[]> {
  const rows: (string[] | undefined)[] = [];
  let lastRowWithValue = -1;
  let cellBudget = maxCells;

  const scanner = new XmlScanner(xml);
  const inline = new TextCollector(scanner);
  let inSheetData = false;
  let rowIndex = -1;
  let nextColumn = 0;
  // The cell being read.
  let inCell = false;
  let cellColumn = 0;
  let cellType = '';
  let inValue = false;
  let inInline = false;
  let valueParts: string[] = [];

  const store = (column: number, value: string): void => {
    if (value === '') return;
    let row = rows[rowIndex];
    if (!row) {
      row = [];
      rows[rowIndex] = row;
    }
    if (column >= row.length) {
      cellBudget -= column + 1 - row.length;
      if (cellBudget < 0) throw new XlsxError('TOO_LARGE', '工作表内容过多，请删除多余的行列后重试');
      while (row.length < column) row.push('');
      row.push(value);
    } else {
      row[column] = value;
    }
    if (rowIndex > lastRowWithValue) lastRowWithValue = rowIndex;
  };

  while (scanner.next()) {
    const kind = scanner.kind;
    if (kind === TEXT) {
      if (inValue) valueParts.push(scanner.textValue());
      else if (inInline) inline.text();
      continue;
    }
    const name = scanner.name;
    if (!inSheetData) {
      if (kind === OPEN && name === 'sheetData' && !scanner.selfClosing) inSheetData = true;
      continue;
    }
    if (kind === OPEN) {
      if (inCell) {
        if (inInline) inline.open();
        else if (name === 'v' && !scanner.selfClosing) {
          inValue = true;
        } else if (name === 'is' && !scanner.selfClosing) {
          inInline = true;
          inline.reset();
        }
      } else if (name === 'c') {
        const attrs = parseAttributes(scanner.attrs);
        const ref = attrs.get('r');
        const column = ref === undefined ? -1 : columnOfReference(ref);
        cellColumn = column >= 0 ? column : nextColumn;
        if (cellColumn > MAX_COLUMN_INDEX) throw new XlsxError('FORMAT', '工作表的列数超出 Excel 的范围，文件可能已损坏');
        nextColumn = cellColumn + 1;
        cellType = attrs.get('t') ?? 'n';
        if (rowIndex < 0) rowIndex = 0; // a cell outside any <row>: malformed, read it as row 1
        if (!scanner.selfClosing) {
          inCell = true;
          valueParts = [];
          inline.reset();
        }
      } else if (name === 'row') {
        const r = parseAttributes(scanner.attrs).get('r');
        const parsed = r === undefined ? NaN : Number(r);
        // Rows without `r` follow the previous row.
        rowIndex = Number.isInteger(parsed) && parsed >= 1 ? parsed - 1 : rowIndex + 1;
        if (rowIndex > MAX_ROW_INDEX) throw new XlsxError('FORMAT', '工作表的行数超出 Excel 的范围，文件可能已损坏');
        nextColumn = 0;
      }
    } else if (kind === CLOSE) {
      if (inCell) {
        if (name === 'c') {
          store(cellColumn, cellValue(cellType, valueParts.join(''), inline, sharedStrings));
          inCell = false;
          inValue = false;
          inInline = false;
        } else if (inValue && name === 'v') inValue = false;
        else if (inInline) {
          if (name === 'is') inInline = false;
          else inline.close();
        }
      } else if (name === 'sheetData') {
        inSheetData = false;
      }
    }
  }

  const result: (readonly string[])[] = new Array(lastRowWithValue + 1);
  for (let i = 0; i <= lastRowWithValue; i++) result[i] = rows[i] ?? NO_ROWS;
  return result;
}

function cellValue(type: string, raw: string, inline: TextCollector, sharedStrings: readonly string[]): string {
  switch (type) {
    case 's': {
      const index = Number(raw.trim());
      return Number.isInteger(index) && index >= 0 && index < sharedStrings.length ? sharedStrings[index] : '';
    }
    case 'inlineStr':
      return inline.value();
    case 'str':
      return decodeOoxmlEscapes(raw);
    case 'b':
      return raw.trim() === '1' ? 'TRUE' : raw.trim() === '0' ? 'FALSE' : raw.trim();
    case 'e':
      // #N/A, #REF! and the like: a broken formula is not a value the user meant to import.
      return '';
    case 'd':
      return raw.trim();
    default:
      // Some writers put an <is> in a cell without declaring t="inlineStr".
      if (raw.trim() === '' && inline.hasText()) return inline.value();
      return formatNumber(raw.trim());
  }
}

/**
 * A numeric cell as text the user would recognise: integers in full digits (a phone number
 * stored as a number is `<v>13800000000</v>` or, from some writers, `<v>1.38E10</v>`), other
 * numbers rounded to the 15 significant digits Excel displays, so binary noise such as
 * 0.30000000000000004 reads 0.3; never exponent notation.
 */
export function formatNumber(raw: string): string {
  if (raw === '') return '';
  let n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  if (!Number.isInteger(n)) n = Number(n.toPrecision(15));
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return expandExponent(String(n));
}

/** `1.5e-7` → `0.00000015`, `1e+21` → `1000000000000000000000`; plain numbers pass through. */
function expandExponent(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = '', exponentText] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** 0-based column of a cell reference such as `C7` or `AB12`; -1 when it is not one. */
export function columnOfReference(ref: string): number {
  let column = 0;
  let letters = 0;
  for (let i = 0; i < ref.length; i++) {
    const code = ref.charCodeAt(i) | 0x20; // ASCII lower case
    if (code < 0x61 || code > 0x7a) break;
    column = column * 26 + (code - 0x60);
    letters++;
    if (letters > 3) return -1;
  }
  return letters === 0 ? -1 : column - 1;
}

/**
 * OOXML escapes characters XML cannot carry as `_xHHHH_` (Excel writes a line break typed
 * with Alt+Enter on Windows as `_x000D_` followed by a newline), and a literal `_x` as `_x005F_x`.
 */
function decodeOoxmlEscapes(text: string): string {
  if (text.indexOf('_x') < 0) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

// ---------------------------------------------------------------------------------------------
// The XML scanner.

const END = 0;
const OPEN = 1;
const CLOSE = 2;
const TEXT = 3;

/**
 * A pull scanner over XML text: tags, end tags and text runs, in one left-to-right pass
 * (linear: every character is looked at a bounded number of times). Comments, processing
 * instructions and DOCTYPE are skipped; CDATA sections are text. `name` is the local name
 * (prefix dropped); `attrs` is the raw attribute text for `parseAttributes`.
 */
export class XmlScanner {
  kind = END;
  name = '';
  attrs = '';
  selfClosing = false;
  private pos = 0;
  private textStart = 0;
  private textEnd = 0;
  private textIsCdata = false;

  constructor(private readonly xml: string) {}

  next(): boolean {
    const xml = this.xml;
    const length = xml.length;
    while (this.pos < length) {
      const start = this.pos;
      if (xml.charCodeAt(start) !== 0x3c /* < */) {
        const lt = xml.indexOf('<', start);
        const end = lt < 0 ? length : lt;
        this.pos = end;
        return this.setText(start, end, false);
      }
      const c1 = xml.charCodeAt(start + 1);
      if (c1 === 0x21 /* ! */) {
        if (xml.startsWith('<!--', start)) {
          this.pos = this.skipPast('-->', start + 4);
          continue;
        }
        if (xml.startsWith('<![CDATA[', start)) {
          const close = xml.indexOf(']]>', start + 9);
          const end = close < 0 ? length : close;
          this.pos = close < 0 ? length : close + 3;
          return this.setText(start + 9, end, true);
        }
        // <!DOCTYPE ...>: .xlsx parts have none; skip it without honouring its declarations.
        this.pos = this.tagEnd(start + 2) + 1;
        continue;
      }
      if (c1 === 0x3f /* ? */) {
        this.pos = this.skipPast('?>', start + 2);
        continue;
      }
      if (c1 === 0x2f /* / */) {
        const gt = xml.indexOf('>', start + 2);
        const end = gt < 0 ? length : gt;
        this.pos = end + 1;
        this.kind = CLOSE;
        this.name = localName(xml.slice(start + 2, end).trim());
        this.attrs = '';
        this.selfClosing = false;
        return true;
      }
      const gt = this.tagEnd(start + 1);
      this.pos = gt + 1;
      let inner = xml.slice(start + 1, Math.min(gt, length));
      this.selfClosing = inner.endsWith('/');
      if (this.selfClosing) inner = inner.slice(0, -1);
      let nameEnd = 0;
      while (nameEnd < inner.length && !isXmlSpace(inner.charCodeAt(nameEnd))) nameEnd++;
      this.kind = OPEN;
      this.name = localName(inner.slice(0, nameEnd));
      this.attrs = inner.slice(nameEnd);
      return true;
    }
    this.kind = END;
    return false;
  }

  /** The current text run with entities decoded and line ends normalised as an XML parser would. */
  textValue(): string {
    const raw = this.xml.slice(this.textStart, this.textEnd);
    if (this.textIsCdata) return raw.replace(/\r\n?/g, '\n');
    return decodeEntities(raw.indexOf('\r') < 0 ? raw : raw.replace(/\r\n?/g, '\n'));
  }

  private setText(start: number, end: number, cdata: boolean): boolean {
    this.kind = TEXT;
    this.textStart = start;
    this.textEnd = end;
    this.textIsCdata = cdata;
    return true;
  }

  private skipPast(terminator: string, from: number): number {
    const at = this.xml.indexOf(terminator, from);
    return at < 0 ? this.xml.length : at + terminator.length;
  }

  /** Index of the `>` closing a tag, skipping `>` inside quoted attribute values (XML allows it there). */
  private tagEnd(from: number): number {
    const xml = this.xml;
    let quote = 0;
    for (let i = from; i < xml.length; i++) {
      const code = xml.charCodeAt(i);
      if (quote !== 0) {
        if (code === quote) quote = 0;
      } else if (code === 0x22 || code === 0x27) {
        quote = code;
      } else if (code === 0x3e) {
        return i;
      }
    }
    return xml.length;
  }
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Attributes by qualified name (prefixes kept: `r:id` and `id` are different attributes), values decoded. */
export function parseAttributes(raw: string): Map<string, string> {
  const attrs = new Map<string, string>();
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(raw); match; match = ATTRIBUTE.exec(raw)) {
    const value = match[2] ?? match[3] ?? '';
    attrs.set(match[1], decodeEntities(value));
  }
  return attrs;
}

const ENTITY = /&(?:#[xX]([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(ENTITY, (whole, hex: string | undefined, decimal: string | undefined, named: string | undefined) => {
    if (named !== undefined) return NAMED_ENTITIES[named];
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(decimal as string, 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
