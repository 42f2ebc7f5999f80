/**
 * CSV as spreadsheet apps write it: RFC 4180 quoting, any line end, and the encodings Excel
 * actually produces — UTF-8 with or without BOM, "Unicode text" (UTF-16LE with BOM, tab
 * separated), and on Chinese Windows the ANSI code page, GBK, decoded here as GB18030 (its
 * superset).
 */

export type CsvErrorCode = 'ENCODING' | 'FORMAT';

/** A CSV problem; the message is Chinese and meant for the user. */
export class CsvError extends Error {
  constructor(readonly code: CsvErrorCode, message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export type CsvDelimiter = ',' | '\t' | ';';

/** Records of the file: `rows[i]` is the i+1-th record (what a spreadsheet app shows as row i+1). */
export function readCsv(data: Uint8Array): string[][] {
  const text = decodeCsvText(data);
  return parseCsv(text, detectDelimiter(text));
}

const UNREADABLE = '无法识别文件编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”格式或 .xlsx 格式';

/** The file's text. BOMs are honoured and removed; without one, UTF-8 if valid, else GB18030. */
export function decodeCsvText(data: Uint8Array): string {
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return decodeStrict('utf-8', data);
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return decodeStrict('utf-16le', data);
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) return decodeStrict('utf-16be', data);

  // UTF-16 without a BOM is valid UTF-8 full of NULs; no text file has NULs, so read them as
  // the zero high bytes of UTF-16 code units, on the side they fall.
  const probe = Math.min(data.length, 4096);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < probe; i++) {
    if (data[i] === 0) {
      if (i % 2 === 0) evenNuls++;
      else oddNuls++;
    }
  }
  if (evenNuls + oddNuls > 0) return decodeStrict(oddNuls >= evenNuls ? 'utf-16le' : 'utf-16be', data);

  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    // Not UTF-8: Excel on Chinese Windows saves "CSV (comma delimited)" in GBK.
  }
  return decodeStrict('gb18030', data);
}

function decodeStrict(encoding: string, data: Uint8Array): string {
  try {
    // The decoders drop a leading BOM themselves (ignoreBOM defaults to false).
    return new TextDecoder(encoding, { fatal: true }).decode(data);
  } catch {
    // Invalid bytes for the encoding, or a Node build without the ICU data for it.
    throw new CsvError('ENCODING', UNREADABLE);
  }
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The delimiter of the header line — the first line with anything besides delimiters, quotes
 * and spaces: whichever of `,` `\t` `;` occurs most there outside quotes (comma on a tie or
 * when none occurs, i.e. a one-column file).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = lineStart;
    let meaningful = false;
    let inQuotes = false;
    let commas = 0;
    let tabs = 0;
    let semicolons = 0;
    for (; lineEnd < text.length; lineEnd++) {
      const code = text.charCodeAt(lineEnd);
      if (code === QUOTE) {
        inQuotes = !inQuotes;
        continue;
      }
      if (!inQuotes && (code === LF || code === CR)) break;
      if (inQuotes) {
        meaningful = true;
        continue;
      }
      if (code === 0x2c) commas++;
      else if (code === 0x09) tabs++;
      else if (code === 0x3b) semicolons++;
      else if (!/\s/.test(text[lineEnd])) meaningful = true;
    }
    if (meaningful) {
      if (tabs > commas && tabs >= semicolons) return '\t';
      if (semicolons > commas && semicolons > tabs) return ';';
      return ',';
    }
    lineStart = lineEnd + 1;
  }
  return ',';
}

/**
 * RFC 4180 records. Lenient where spreadsheet apps are: a quote inside an unquoted field is
 * literal, text after a closing quote is kept, the last line may lack its line end; a quote
 * left open to the end of the file is refused, because it would silently swallow every
 * following row into one cell.
 */
export function parseCsv(text: string, delimiter: CsvDelimiter = ','): string[][] {
  const rows: string[][] = [];
  const length = text.length;
  if (length === 0) return rows;
  const delimiterCode = delimiter.charCodeAt(0);
  const endOfField = (from: number): number => {
    let at = from;
    while (at < length) {
      const code = text.charCodeAt(at);
      if (code === delimiterCode || code === LF || code === CR) break;
      at++;
    }
    return at;
  };

  let row: string[] = [];
  let at = 0;
  for (;;) {
    let field: string;
    if (at < length && text.charCodeAt(at) === QUOTE) {
      let value = '';
      let segment = at + 1;
      for (;;) {
        const quote = text.indexOf('"', segment);
        if (quote < 0) {
          throw new CsvError('FORMAT', `第 ${rows.length + 1} 行有未闭合的引号，请检查文件内容或在 Excel 中重新另存`);
        }
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(segment, quote + 1); // `""` is one literal quote
          segment = quote + 2;
          continue;
        }
        value += text.slice(segment, quote);
        at = quote + 1;
        break;
      }
      const end = endOfField(at);
      field = value + text.slice(at, end);
      // Keep line breaks inside a cell uniform whatever the file's line ends.
      if (field.indexOf('\r') >= 0) field = field.replace(/\r\n?/g, '\n');
      at = end;
    } else {
      const end = endOfField(at);
      field = text.slice(at, end);
      at = end;
    }
    row.push(field);
    if (at >= length) {
      rows.push(row);
      return rows;
    }
    const code = text.charCodeAt(at);
    if (code === delimiterCode) {
      at++;
      continue;
    }
    at += code === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
    rows.push(row);
    row = [];
    if (at >= length) return rows; // a final line end does not start another record
  }
}
