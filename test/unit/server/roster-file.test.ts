import { deflateRawSync } from 'node:zlib';
import { Workbook } from 'exceljs';
import { parseRosterFile, RosterFileError, type RosterFileErrorCode } from '../../../server/org/roster-file';
import { readFirstSheet } from '../../../server/org/roster-file/xlsx';
import { ZipReader } from '../../../server/org/roster-file/zip';

// ---------------------------------------------------------------------------------------------
// Fixtures.

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

async function excelFile(build: (workbook: Workbook) => void): Promise<Uint8Array> {
  const workbook = new Workbook();
  build(workbook);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface ZipInput {
  name: string;
  data: string | Uint8Array;
  /** 8 (deflate, the default) or 0 (stored). */
  method?: 0 | 8;
  /** Write sizes in a data descriptor after the data, zeros in the local header (streaming writers). */
  dataDescriptor?: boolean;
  /** Lie about the uncompressed size in the central directory. */
  declaredSize?: number;
  flags?: number;
}

/** A tiny ZIP writer, so fixtures can hold exactly the bytes a test needs. */
function zip(inputs: ZipInput[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const input of inputs) {
    const raw = typeof input.data === 'string' ? utf8(input.data) : input.data;
    const method = input.method ?? 8;
    const body = method === 8 ? deflateRawSync(raw) : Buffer.from(raw);
    const name = Buffer.from(input.name, 'utf8');
    const flags = (input.flags ?? 0) | (input.dataDescriptor ? 0x8 : 0) | 0x800;
    const crc = crc32(raw);
    const size = input.declaredSize ?? raw.length;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(input.dataDescriptor ? 0 : crc, 14);
    local.writeUInt32LE(input.dataDescriptor ? 0 : body.length, 18);
    local.writeUInt32LE(input.dataDescriptor ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    const parts = [local, name, body];
    if (input.dataDescriptor) {
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(body.length, 8);
      descriptor.writeUInt32LE(size, 12);
      parts.push(descriptor);
    }
    const localRecord = Buffer.concat(parts);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, name]));
    locals.push(localRecord);
    offset += localRecord.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(inputs.length, 8);
  end.writeUInt16LE(inputs.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A hand-written .xlsx: the sheets listed in workbook order, stored under the given part names. */
function handXlsx(options: {
  sheets: { part: string; xml: string; state?: string }[];
  sharedStrings?: string;
  dataDescriptor?: boolean;
  workbook?: boolean;
}): Uint8Array {
  const entries: ZipInput[] = [];
  if (options.workbook !== false) {
    const sheetsXml = options.sheets
      .map((sheet, i) => `<sheet name="S${i + 1}" sheetId="${i + 1}"${sheet.state ? ` state="${sheet.state}"` : ''} r:id="rId${i + 1}"/>`)
      .join('');
    entries.push({
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${NS} xmlns:r="${REL_NS}"><sheets>${sheetsXml}</sheets></workbook>`,
    });
    const rels = options.sheets
      .map((sheet, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="${sheet.part.replace(/^xl\//, '')}"/>`)
      .join('');
    const sst = options.sharedStrings ? `<Relationship Id="rIdS" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` : '';
    entries.push({
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}${sst}</Relationships>`,
    });
  }
  for (const sheet of options.sheets) entries.push({ name: sheet.part, data: sheet.xml });
  if (options.sharedStrings) entries.push({ name: 'xl/sharedStrings.xml', data: options.sharedStrings });
  return zip(entries.map((entry) => ({ ...entry, dataDescriptor: options.dataDescriptor })));
}

const sheetXml = (rows: string): string => `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`;

function expectRosterError(run: () => unknown, code: RosterFileErrorCode, message?: RegExp): RosterFileError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RosterFileError);
  const error = caught as RosterFileError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(/[\u4e00-\u9fff]/); // user-facing, so Chinese
  if (message) expect(error.message).toMatch(message);
  return error;
}

// ---------------------------------------------------------------------------------------------
// XLSX written by a real library.

describe('xlsx files written by exceljs', () => {
  test('a 10,000-row roster reads completely, phones stored as numbers come back in full digits', async () => {
    const data = await excelFile((workbook) => {
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['姓名', '学号', '手机号（必填）', '单位', '备注']);
      for (let i = 0; i < 10_000; i++) {
        sheet.addRow([`学生${i}`, `2024${String(i).padStart(5, '0')}`, 13800000000 + i, `计算机学院/2024级/${i % 30}班`, i % 2 ? '走读' : '']);
      }
    });
    const started = Date.now();
    const result = parseRosterFile(data, '名单.XLSX');
    const elapsed = Date.now() - started;

    expect(result.columns).toEqual(['name', 'number', 'phone', 'units']);
    expect(result.rows).toHaveLength(10_000);
    expect(result.rows[0]).toEqual({
      line: 2,
      cells: { name: '学生0', number: '202400000', phone: '13800000000', units: '计算机学院/2024级/0班' },
    });
    expect(result.rows[9_999]).toEqual({
      line: 10_001,
      cells: { name: '学生9999', number: '202409999', phone: '13800009999', units: '计算机学院/2024级/9班' },
    });
    // Linear parsing: a generous bound that a quadratic scanner over ~1 MB of XML would blow.
    expect(elapsed).toBeLessThan(5_000);
  });

  test('rich-text shared strings read as their joined runs', async () => {
    const data = await excelFile((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow([{ richText: [{ text: '姓' }, { font: { bold: true }, text: '名' }] }, '学号']);
      sheet.addRow([{ richText: [{ text: '张', font: { color: { argb: 'FFFF0000' } } }, { text: '三' }] }, '001']);
    });
    expect(parseRosterFile(data, 'r.xlsx').rows).toEqual([{ line: 2, cells: { name: '张三', number: '001' } }]);
  });

  test('the sheet first in workbook order is read even when stored as sheet2.xml', async () => {
    const data = await excelFile((workbook) => {
      const stale = workbook.addWorksheet('旧名单');
      stale.addRow(['姓名', '学号']);
      stale.addRow(['不该读到', 424242]);
      const current = workbook.addWorksheet('新名单');
      current.addRow(['姓名', '学号']);
      current.addRow(['李四', '002']);
      // Moved to the front, as dragging its tab does in Excel (exceljs's typings omit orderNo).
      (current as unknown as { orderNo: number }).orderNo = 0;
    });
    // The fixture really has the other sheet as the first file, or this test would prove nothing.
    const first = new TextDecoder().decode(new ZipReader(data).read('xl/worksheets/sheet1.xml')!);
    expect(first).toContain('<v>424242</v>');
    expect(parseRosterFile(data, 'order.xlsx').rows).toEqual([{ line: 2, cells: { name: '李四', number: '002' } }]);
    expect(readFirstSheet(new Uint8Array(data))[1]).toEqual(['李四', '002']);
  });

  test('gaps: empty cells, blank rows and a header below a title keep true positions', async () => {
    const data = await excelFile((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.getCell('B3').value = ' 姓 名 ';
      sheet.getCell('D3').value = '工号';
      sheet.getCell('F3').value = 'Phone';
      sheet.getCell('B4').value = '王五';
      sheet.getCell('D4').value = 1001;
      sheet.getCell('D7').value = 1002; // rows 5 and 6 are blank
      sheet.getCell('G8').value = '只有备注'; // only an unrecognised column: not a member
      sheet.getCell('B9').value = '赵六';
      sheet.getCell('F9').value = 13900000000;
    });
    const result = parseRosterFile(data, 'gaps.xlsx');
    expect(result.columns).toEqual(['name', 'number', 'phone']);
    expect(result.rows).toEqual([
      { line: 4, cells: { name: '王五', number: '1001', phone: '' } },
      { line: 7, cells: { name: '', number: '1002', phone: '' } },
      { line: 9, cells: { name: '赵六', number: '', phone: '13900000000' } },
    ]);
  });

  test('Chinese headers with notes, full-width brackets, asterisks and English aliases are recognised', async () => {
    const data = await excelFile((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['*姓名', '学号/工号（必填）', '手机号码(选填)', '人员类型', '所属单位【用/分隔】', '职务', '企业微信 UserID', '说明']);
      sheet.addRow(['陈七', 'T01', '13700000000', '教师', '学校/教务处', '处长', 'chenqi', '无']);
    });
    const result = parseRosterFile(data, 'headers.xlsx');
    expect(result.columns).toEqual(['name', 'number', 'phone', 'kind', 'units', 'title', 'wecomUserId']);
    expect(result.rows[0].cells).toEqual({
      name: '陈七',
      number: 'T01',
      phone: '13700000000',
      kind: '教师',
      units: '学校/教务处',
      title: '处长',
      wecomUserId: 'chenqi',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// XLSX written by hand: what other writers emit.

describe('hand-written xlsx', () => {
  test('x:-prefixed tags, inline strings, phonetic runs, entities, rows and cells without r', () => {
    const sheet = `<?xml version="1.0" encoding="utf-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
  <x:row><x:c t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>学号</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>职务</x:t></x:is></x:c></x:row>
  <x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:t xml:space="preserve">A&amp;B </x:t></x:r><x:r><x:t>&lt;1&gt;</x:t></x:r><x:rPh sb="0" eb="1"><x:t>フリガナ</x:t></x:rPh></x:is></x:c><x:c t="inlineStr"><x:is><x:t>&quot;&apos;&#20013;&#x6587;</x:t></x:is></x:c></x:row>
  <x:row r="5"><x:c r="B5" t="s"><x:v>1</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`;
    const sharedStrings = `<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:r><x:t>山田</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>太郎</x:t></x:r><x:rPh sb="0" eb="2"><x:t>ヤマダタロウ</x:t></x:rPh><x:phoneticPr fontId="1"/></x:si><x:si><x:t xml:space="preserve">  2号  </x:t><x:rPh sb="0" eb="1"><x:t>ニ</x:t></x:rPh></x:si></x:sst>`;
    const data = handXlsx({ sheets: [{ part: 'xl/worksheets/sheet1.xml', xml: sheet }], sharedStrings });

    expect(readFirstSheet(data)).toEqual([
      ['姓名', '学号', '职务'],
      ['山田太郎', 'A&B <1>', `"'中文`],
      [],
      [],
      ['', '  2号  '],
    ]);
    expect(parseRosterFile(data, 'sdk.xlsx').rows).toEqual([
      { line: 2, cells: { name: '山田太郎', number: 'A&B <1>', title: `"'中文` } },
      { line: 5, cells: { name: '', number: '2号', title: '' } },
    ]);
  });

  test('cell types: numbers without exponent or noise, booleans, errors, formula strings, line-break escapes', () => {
    const sheet = sheetXml(
      `<row r="1"><c r="A1" t="inlineStr"><is><t>v</t></is></c></row>` +
        `<row r="2"><c r="A2"><v>13800000000</v></c><c r="B2"><v>1.38E10</v></c><c r="C2"><v>2.5</v></c><c r="D2"><v>0.30000000000000004</v></c>` +
        `<c r="E2"><v>-7</v></c><c r="F2"><v>1.5E-7</v></c><c r="G2"><v>13800000000.000002</v></c></row>` +
        `<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><f>1/0</f><v>#DIV/0!</v></c>` +
        `<c r="D3" t="str"><f>A1&amp;"x"</f><v>vx</v></c><c r="E3" t="s"><v>0</v></c><c r="F3" s="4"/><c r="G3"><f>SUM(A2:B2)</f><v>27600000000</v></c></row>` +
        `<row r="4"><c r="AB4" t="inlineStr"><is><t>far</t></is></c></row><!-- <row r="5"><c r="A5"><v>9</v></c></row> -->` +
        `<row r="6" note='a>b'><c r="A6" t="inlineStr"><is><t><![CDATA[x<y&amp;]]></t></is></c></row>`,
    );
    const sharedStrings = `<sst ${NS}><si><t>第一行_x000D_\r\n第二行_x005F_x000D_</t></si></sst>`;
    const rows = readFirstSheet(handXlsx({ sheets: [{ part: 'xl/worksheets/sheet1.xml', xml: sheet }], sharedStrings }));
    expect(rows[1]).toEqual(['13800000000', '13800000000', '2.5', '0.3', '-7', '0.00000015', '13800000000']);
    expect(rows[2]).toEqual(['TRUE', 'FALSE', '', 'vx', '第一行\r\n第二行_x000D_', '', '27600000000']);
    expect(rows[3]).toHaveLength(28); // AB is column 28
    expect(rows[3][27]).toBe('far');
    // Comments are skipped, `>` inside an attribute value does not end the tag, CDATA is literal text.
    expect(rows[4]).toEqual([]);
    expect(rows[5]).toEqual(['x<y&amp;']);
  });

  test('entries with data descriptors and stored entries read from central-directory sizes', () => {
    const xml = sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>学号</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2"><v>7</v></c></row>`);
    const streamed = handXlsx({ sheets: [{ part: 'xl/worksheets/sheet1.xml', xml }], dataDescriptor: true });
    expect(parseRosterFile(streamed, 'stream.xlsx').rows).toEqual([{ line: 2, cells: { name: '甲', number: '7' } }]);
    const stored = zip([{ name: 'xl/worksheets/sheet1.xml', data: xml, method: 0 }]);
    expect(parseRosterFile(stored, 'stored.xlsx').rows).toEqual([{ line: 2, cells: { name: '甲', number: '7' } }]);
  });

  test('a hidden first sheet is passed over for the first visible one; without a workbook, sheet1.xml is read', () => {
    const hidden = sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>选项</t></is></c></row>`);
    const visible = sheetXml(`<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>学号</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>乙</t></is></c><c r="B2"><v>8</v></c></row>`);
    const data = handXlsx({
      sheets: [
        { part: 'xl/worksheets/sheet1.xml', xml: hidden, state: 'hidden' },
        { part: 'xl/worksheets/sheet2.xml', xml: visible },
      ],
    });
    expect(parseRosterFile(data, 'h.xlsx').rows[0].cells.name).toBe('乙');

    const bare = handXlsx({ sheets: [{ part: 'xl/worksheets/sheet1.xml', xml: visible }], workbook: false });
    expect(parseRosterFile(bare, 'bare.xlsx').rows[0].cells.name).toBe('乙');
  });

  test('a cell far to the right on every row cannot exhaust memory', () => {
    const rows = Array.from({ length: 300 }, (_, i) => `<row r="${i + 1}"><c r="XFD${i + 1}"><v>1</v></c></row>`).join('');
    const data = handXlsx({ sheets: [{ part: 'xl/worksheets/sheet1.xml', xml: sheetXml(rows) }] });
    expect(() => readFirstSheet(data, { maxCells: 1_000_000 })).toThrow(/过多/);
    // 300 rows × 16,384 columns is over the default 3,000,000-cell budget.
    expectRosterError(() => parseRosterFile(data, 'wide.xlsx'), 'TOO_LARGE', /过多/);
  });
});

// ---------------------------------------------------------------------------------------------
// ZIP defences.

describe('zip archives that must be refused', () => {
  test('a highly compressed huge entry (zip bomb) is refused before it is inflated', () => {
    const bomb = zip([{ name: 'xl/worksheets/sheet1.xml', data: new Uint8Array(60 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(100 * 1024); // ~1000:1
    expectRosterError(() => parseRosterFile(bomb, 'bomb.xlsx'), 'FORMAT', /压缩/);
  });

  test('an entry whose header understates its size stops at the declared size', () => {
    const liar = zip([{ name: 'xl/worksheets/sheet1.xml', data: new Uint8Array(5 * 1024 * 1024), declaredSize: 1000 }]);
    expectRosterError(() => parseRosterFile(liar, 'liar.xlsx'), 'FORMAT');
  });

  test('declared contents beyond the 200 MB total are refused as too large', () => {
    const huge = zip([{ name: 'xl/worksheets/sheet1.xml', data: utf8('<worksheet/>'), declaredSize: 300 * 1024 * 1024 }]);
    expectRosterError(() => parseRosterFile(huge, 'huge.xlsx'), 'TOO_LARGE', /解压/);
  });

  test('encrypted entries, zip64 and corrupt archives are format errors', () => {
    const encrypted = zip([{ name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>', flags: 0x1 }]);
    expectRosterError(() => parseRosterFile(encrypted, 'e.xlsx'), 'FORMAT', /密码/);

    const zip64 = zip([{ name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>' }]);
    new DataView(zip64.buffer).setUint32(zip64.length - 6, 0xffffffff, true); // central directory offset
    expectRosterError(() => parseRosterFile(zip64, 'z.xlsx'), 'FORMAT', /ZIP64/);

    expectRosterError(() => parseRosterFile(hex('504b0304 00000000 0000'), 'c.xlsx'), 'FORMAT', /损坏/);
    expectRosterError(() => parseRosterFile(zip([{ name: 'a.txt', data: 'x' }]), 'noSheet.xlsx'), 'FORMAT', /工作表/);
  });
});

// ---------------------------------------------------------------------------------------------
// CSV.

describe('csv files', () => {
  test('UTF-8 with BOM: the BOM is not part of the first header', () => {
    const data = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('姓名,学号\n张三,001\n')]);
    expect(parseRosterFile(data, 'a.csv')).toEqual({ columns: ['name', 'number'], rows: [{ line: 2, cells: { name: '张三', number: '001' } }] });
  });

  test('GBK bytes (Excel on Chinese Windows) decode as GB18030', () => {
    // "姓名,学号\r\n张三,001\r\n" in GBK.
    const data = hex('d0d5c3fb 2c d1a7bac5 0d0a d5c5c8fd 2c 303031 0d0a');
    expect(parseRosterFile(data, 'gbk.csv').rows).toEqual([{ line: 2, cells: { name: '张三', number: '001' } }]);
  });

  test('UTF-16LE with BOM and tabs (Excel "Unicode text")', () => {
    const text = '姓名\t学号\t手机\r\n李四\t002\t13800000000\r\n';
    const data = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    expect(parseRosterFile(data, 'u16.csv').rows).toEqual([{ line: 2, cells: { name: '李四', number: '002', phone: '13800000000' } }]);
    const bigEndian = Buffer.from(text, 'utf16le').swap16();
    expect(parseRosterFile(new Uint8Array([0xfe, 0xff, ...bigEndian]), 'u16be.csv').rows[0].cells.name).toBe('李四');
  });

  test('bytes valid in neither UTF-8 nor GB18030 are an encoding error', () => {
    expectRosterError(() => parseRosterFile(new Uint8Array([...utf8('姓名,学号\n'), 0xff, 0xff]), 'bad.csv'), 'ENCODING', /UTF-8/);
  });

  test('quoted fields carry commas, line breaks and escaped quotes; later lines stay numbered by record', () => {
    const text = '姓名,学号,职务\r\n"王, 五","003","说""你好""\r\n第二行"\r\n赵六,004,\r\n';
    expect(parseRosterFile(utf8(text), 'q.csv').rows).toEqual([
      { line: 2, cells: { name: '王, 五', number: '003', title: '说"你好"\n第二行' } },
      { line: 3, cells: { name: '赵六', number: '004', title: '' } },
    ]);
  });

  test('an unterminated quote is refused, not allowed to swallow the rest of the file', () => {
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n"张三,001\n李四,002\n'), 'u.csv'), 'FORMAT', /第 2 行.*引号/);
  });

  test('tab and semicolon delimiters are detected from the header line', () => {
    expect(parseRosterFile(utf8('姓名\t学号\t单位\n张三\t001\t一班, 二组\n'), 't.csv').rows[0].cells).toEqual({
      name: '张三',
      number: '001',
      units: '一班, 二组',
    });
    expect(parseRosterFile(utf8('\n;;\nname;number\n"A;B";1\n'), 's.csv').rows).toEqual([{ line: 4, cells: { name: 'A;B', number: '1' } }]);
  });

  test('CRLF, LF and lone CR line ends all separate rows, and a final line without an end is read', () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const data = utf8(['姓名,学号', '甲,1', '乙,2'].join(eol));
      expect(parseRosterFile(data, 'e.csv').rows.map((row) => [row.line, row.cells.name])).toEqual([
        [2, '甲'],
        [3, '乙'],
      ]);
    }
  });

  test('blank and whitespace rows are skipped but keep later line numbers true', () => {
    const text = '\n,,\n姓名,学号,备注\n\n甲,1,\n , ,只有备注\n\u3000,\u00a0\u200b,\n乙,2,\n';
    const result = parseRosterFile(utf8(text), 'b.csv');
    expect(result.rows).toEqual([
      { line: 5, cells: { name: '甲', number: '1' } },
      { line: 8, cells: { name: '乙', number: '2' } },
    ]);
  });

  test('cells are trimmed of ASCII, no-break, ideographic and zero-width spaces; short rows give empty strings', () => {
    const text = '姓名,学号,手机,企业微信\n\u3000甲\u00a0, \u200b01\u200b \n';
    expect(parseRosterFile(utf8(text), 't.csv').rows[0].cells).toEqual({ name: '甲', number: '01', phone: '', wecomUserId: '' });
  });
});

// ---------------------------------------------------------------------------------------------
// Header and file-level errors.

describe('refusals', () => {
  test('a recognised column appearing twice is a columns error naming both places', () => {
    expectRosterError(() => parseRosterFile(utf8('姓名,学号,工号\n甲,1,2\n'), 'd.csv'), 'COLUMNS', /学号\/工号.*B 列和 C 列/);
  });

  test('missing required columns are named', () => {
    expectRosterError(() => parseRosterFile(utf8('姓名,手机\n甲,13800000000\n'), 'm.csv'), 'COLUMNS', /缺少必填列：“学号\/工号”。/);
    const both = expectRosterError(() => parseRosterFile(utf8('2024 级名单\n甲,1\n'), 'm.csv'), 'COLUMNS');
    expect(both.message).toMatch(/“姓名”、“学号\/工号”/);
  });

  test('.xls files and OLE2 content under any name are refused with a save-as hint', () => {
    const ole2 = hex('d0cf11e0 a1b11ae1 0000000000000000');
    expectRosterError(() => parseRosterFile(ole2, '名单.xls'), 'FORMAT', /不支持 \.xls 格式.*另存为 \.xlsx 或 \.csv/);
    expectRosterError(() => parseRosterFile(ole2, '名单.xlsx'), 'FORMAT', /\.xls/);
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n甲,1\n'), '名单.XLS'), 'FORMAT', /\.xls/);
  });

  test('the content decides for a renamed workbook; unknown extensions and fake .xlsx are refused', async () => {
    const data = await excelFile((workbook) => workbook.addWorksheet('S').addRows([['姓名', '学号'], ['甲', 1]]));
    expect(parseRosterFile(data, '名单.csv').rows[0].cells).toEqual({ name: '甲', number: '1' });
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n甲,1\n'), '名单.txt'), 'FORMAT', /\.xlsx 和 \.csv/);
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n甲,1\n'), '名单.xlsx'), 'FORMAT', /不是有效的 \.xlsx/);
  });

  test('more data rows than maxRows is refused; exactly maxRows is accepted', () => {
    const text = (n: number): Uint8Array => utf8(['姓名,学号', ...Array.from({ length: n }, (_, i) => `人${i},${i}`), ''].join('\n'));
    expect(parseRosterFile(text(5), 'ok.csv', { maxRows: 5 }).rows).toHaveLength(5);
    expectRosterError(() => parseRosterFile(text(6), 'many.csv', { maxRows: 5 }), 'TOO_MANY_ROWS', /5 行/);
    // The default is 20,000.
    expect(parseRosterFile(text(20_000), 'ok.csv').rows).toHaveLength(20_000);
    expectRosterError(() => parseRosterFile(text(20_001), 'many.csv'), 'TOO_MANY_ROWS', /20000/);
  });

  test('files over maxBytes are refused before parsing', () => {
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n甲,1\n'), 'big.csv', { maxBytes: 10 }), 'TOO_LARGE');
    expectRosterError(() => parseRosterFile(new Uint8Array(10 * 1024 * 1024 + 1), 'big.csv'), 'TOO_LARGE', /10 MB/);
  });

  test('empty files, blank files and a header without data rows are empty errors', () => {
    expectRosterError(() => parseRosterFile(new Uint8Array(0), 'e.csv'), 'EMPTY');
    expectRosterError(() => parseRosterFile(utf8('\r\n , \r\n'), 'e.csv'), 'EMPTY', /没有内容/);
    expectRosterError(() => parseRosterFile(utf8('姓名,学号\n,\n'), 'e.csv'), 'EMPTY', /没有数据行/);
  });
});
