/**
 * Writes a small .xlsx workbook: plain tables, a bold frozen header row, column widths and a
 * date-time format. What the exports (read and unread lists) need, nothing more.
 *
 * Text goes in the shared-string table rather than inline (`t="inlineStr"`): Excel, WPS and
 * LibreOffice read both, but Apple's previewer and Numbers show inline strings as empty cells,
 * and `wx.openDocument` on an iPhone is that previewer.
 *
 * The output is deterministic (see zip-writer.ts): the same sheets give the same bytes.
 */
import { writeZip } from './zip-writer';

/** A cell: text, a number, an instant (shown as Asia/Shanghai wall time), or empty (`null`). */
export type XlsxCell = string | number | Date | null;

export interface XlsxSheet {
  /** The tab's name; made valid for Excel (see `sheetNames`). */
  name: string;
  /** Rows of cells; the first row is the header (bold, frozen). Rows may differ in length. */
  rows: readonly (readonly XlsxCell[])[];
  /** Width of each column in characters (a CJK character is about 2); missing or not positive means the default. */
  columnWidths?: readonly (number | undefined)[];
}

/** Excel's limits for a worksheet and a cell. */
export const XLSX_LIMITS = { rows: 1_048_576, columns: 16_384, cellChars: 32_767, sheetNameChars: 31 } as const;

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

const STYLE_HEADER = 1;
const STYLE_DATE = 2;
const STYLE_HEADER_DATE = 3;

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991: a fixed offset is exact for every date an export holds. */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const MS_PER_DAY = 86_400_000;
/** Days from Excel's epoch (serial 0 = 1899-12-30, which absorbs its 1900 leap-year bug) to 1970-01-01. */
const EXCEL_UNIX_EPOCH_DAYS = 25_569;

/** Characters XML 1.0 cannot carry at all (not even as references): C0 controls but tab and line feed, U+FFFE, U+FFFF, lone surrogates. */
const XML_FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** A literal `_xHHHH_` would be decoded by Excel as an escaped character; escaping its underscore keeps the text as typed. */
const OOXML_ESCAPE_LOOKALIKE = /_(?=x[0-9A-Fa-f]{4}_)/g;
const XML_SPECIAL = /[&<>"]/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Cheap pre-checks: most cells are plain text that needs none of the rewriting below. */
const NEEDS_ESCAPE = /[&<>"_]/;
const NEEDS_CLEANING = /[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]/;
const EDGE_SPACE = /^\s|\s$/;

function escapeXml(text: string): string {
  return text.replace(XML_SPECIAL, (c) => XML_ENTITIES[c]);
}

/** Text as a cell holds it: one kind of line break, nothing XML forbids, within Excel's cell limit. */
export function cellText(value: string): string {
  let text = NEEDS_CLEANING.test(value) ? value.replace(/\r\n?/g, '\n').replace(XML_FORBIDDEN, '') : value;
  if (text.length > XLSX_LIMITS.cellChars) {
    let end = XLSX_LIMITS.cellChars;
    // Never cut a surrogate pair in half: that would leave a lone surrogate.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    text = text.slice(0, end);
  }
  return text;
}

/** Spreadsheet column letters for a 0-based index: 0 → A, 27 → AB. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** Excel's serial day number of an instant, in Asia/Shanghai wall time; null for an invalid Date. */
export function excelSerial(instant: Date): number | null {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return null;
  return (ms + SHANGHAI_OFFSET_MS) / MS_PER_DAY + EXCEL_UNIX_EPOCH_DAYS;
}

const SHEET_NAME_FORBIDDEN = /[[\]:*?/\\\x00-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function truncateName(name: string, max: number): string {
  if (name.length <= max) return name;
  const last = name.charCodeAt(max - 1);
  return name.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Tab names Excel accepts for the given names, in order: `[]:*?/\` and control characters
 * become `_`, apostrophes are dropped from both ends, at most 31 characters, a blank name
 * becomes `Sheet<n>`, the reserved `History` gets a suffix, and names that are equal ignoring
 * case are numbered (`名单 (2)`), as Excel requires them distinct.
 */
export function sheetNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((raw, index) => {
    let base = raw.replace(SHEET_NAME_FORBIDDEN, '_').replace(/^'+|'+$/g, '');
    base = truncateName(base, XLSX_LIMITS.sheetNameChars).replace(/'+$/, '');
    if (base.trim() === '') base = `Sheet${index + 1}`;
    if (base.toLowerCase() === 'history') base = `${base}_`;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) {
      const suffix = ` (${n})`;
      name = truncateName(base, XLSX_LIMITS.sheetNameChars - suffix.length) + suffix;
    }
    taken.add(name.toLowerCase());
    return name;
  });
}

/** The workbook's shared strings: each distinct text once, cells refer to it by index. */
class SharedStrings {
  private readonly index = new Map<string, number>();
  private readonly parts: string[] = [];
  count = 0;

  /** The index of a cell's text (already through `cellText`), adding it when new. */
  add(text: string): number {
    this.count++;
    let at = this.index.get(text);
    if (at === undefined) {
      at = this.parts.length;
      this.index.set(text, at);
      const escaped = NEEDS_ESCAPE.test(text) ? escapeXml(text.replace(OOXML_ESCAPE_LOOKALIKE, '_x005F_')) : text;
      // Without xml:space, spaces at either end may be dropped by the reader.
      const preserve = EDGE_SPACE.test(text) ? ' xml:space="preserve"' : '';
      this.parts.push(`<si><t${preserve}>${escaped}</t></si>`);
    }
    return at;
  }

  xml(): string {
    return `${XML_DECL}<sst xmlns="${NS_MAIN}" count="${this.count}" uniqueCount="${this.parts.length}">${this.parts.join('')}</sst>`;
  }
}

function sheetXml(sheet: XlsxSheet, strings: SharedStrings): string {
  const rows = sheet.rows;
  if (rows.length > XLSX_LIMITS.rows) throw new RangeError(`a worksheet holds at most ${XLSX_LIMITS.rows} rows`);
  let width = 0;
  for (const row of rows) width = Math.max(width, row.length);
  if (width > XLSX_LIMITS.columns) throw new RangeError(`a worksheet holds at most ${XLSX_LIMITS.columns} columns`);
  const letters = Array.from({ length: width }, (_, i) => columnLetters(i));

  // Row strings joined once at the end: one flat string instead of a deep rope of concatenations.
  const body: string[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const line = r + 1;
    const header = r === 0;
    let cells = '';
    for (let c = 0; c < row.length; c++) {
      const value = row[c];
      if (value === null || value === undefined) continue;
      const ref = letters[c] + line;
      if (typeof value === 'number' && Number.isFinite(value)) {
        cells += header ? `<c r="${ref}" s="${STYLE_HEADER}"><v>${value}</v></c>` : `<c r="${ref}"><v>${value}</v></c>`;
      } else if (value instanceof Date) {
        const serial = excelSerial(value);
        if (serial === null) continue;
        cells += `<c r="${ref}" s="${header ? STYLE_HEADER_DATE : STYLE_DATE}"><v>${serial}</v></c>`;
      } else {
        // NaN and the infinities have no cell form; their text is the honest rendering.
        const text = cellText(String(value));
        if (text === '') continue;
        const style = header ? ` s="${STYLE_HEADER}"` : '';
        cells += `<c r="${ref}"${style} t="s"><v>${strings.add(text)}</v></c>`;
      }
    }
    if (cells !== '') body.push(`<row r="${line}">${cells}</row>`);
  }

  const dimension = width === 0 || rows.length === 0 ? 'A1' : `A1:${letters[width - 1]}${rows.length}`;
  // The pane keeps the header row in view while scrolling.
  const views =
    rows.length > 0
      ? '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
      : '<sheetViews><sheetView workbookViewId="0"/></sheetViews>';
  let cols = '';
  (sheet.columnWidths ?? []).forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || i >= XLSX_LIMITS.columns) return;
    const clamped = Math.min(w, 255);
    cols += `<col min="${i + 1}" max="${i + 1}" width="${clamped}" customWidth="1"/>`;
  });
  return (
    `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    `<dimension ref="${dimension}"/>${views}<sheetFormatPr defaultRowHeight="15"/>` +
    (cols === '' ? '' : `<cols>${cols}</cols>`) +
    `<sheetData>${body.join('')}</sheetData></worksheet>`
  );
}

const STYLES_XML =
  `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">` +
  '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>' +
  '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="4">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
  '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' +
  '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>' +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const ROOT_RELS_XML =
  `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
  `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

/** The .xlsx file's bytes. At least one sheet; each sheet's first row is its header. */
export function writeXlsx(sheets: readonly XlsxSheet[]): Uint8Array {
  if (sheets.length === 0) throw new RangeError('a workbook needs at least one sheet');
  const names = sheetNames(sheets.map((s) => s.name));
  const strings = new SharedStrings();
  const encoder = new TextEncoder();
  const sheetParts = sheets.map((sheet, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: encoder.encode(sheetXml(sheet, strings)) }));

  const contentTypes =
    `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
    sheetParts.map((p) => `<Override PartName="/${p.name}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' +
    '</Types>';
  const workbook =
    `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
    '<bookViews><workbookView activeTab="0"/></bookViews><sheets>' +
    names.map((name, i) => `<sheet name="${escapeXml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
    '</sheets></workbook>';
  const n = sheets.length;
  const workbookRels =
    `${XML_DECL}<Relationships xmlns="${NS_PKG_REL}">` +
    sheetParts.map((p, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
    `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
    `<Relationship Id="rId${n + 2}" Type="${NS_REL}/sharedStrings" Target="sharedStrings.xml"/>` +
    '</Relationships>';

  return writeZip([
    { name: '[Content_Types].xml', data: encoder.encode(contentTypes) },
    { name: '_rels/.rels', data: encoder.encode(ROOT_RELS_XML) },
    { name: 'xl/workbook.xml', data: encoder.encode(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', data: encoder.encode(workbookRels) },
    { name: 'xl/styles.xml', data: encoder.encode(STYLES_XML) },
    { name: 'xl/sharedStrings.xml', data: encoder.encode(strings.xml()) },
    ...sheetParts,
  ]);
}
