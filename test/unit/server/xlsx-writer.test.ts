/**
 * The .xlsx writer, read back by the project's own reader (what the roster import accepts) and
 * by exceljs (an independent implementation), and the ZIP checked by Info-ZIP's `unzip -t`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbook } from 'exceljs';
import { cellText, columnLetters, excelSerial, sheetNames, writeXlsx, type XlsxCell, type XlsxSheet } from '../../../server/core/xlsx-writer';
import { crc32, writeZip } from '../../../server/core/zip-writer';
import { readFirstSheet } from '../../../server/org/roster-file/xlsx';
import { ZipReader } from '../../../server/org/roster-file/zip';

const text = (bytes: Uint8Array | null): string => new TextDecoder().decode(bytes ?? new Uint8Array());

async function excel(data: Uint8Array): Promise<Workbook> {
  const workbook = new Workbook();
  await workbook.xlsx.load(Buffer.from(data) as unknown as ArrayBuffer);
  return workbook;
}

function hasUnzip(): boolean {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `unzip -t` when it is installed; otherwise every entry is read back through the central directory (CRC and size checked by hand). */
function expectValidZip(data: Uint8Array): void {
  if (hasUnzip()) {
    const dir = mkdtempSync(join(tmpdir(), 'xintong-xlsx-'));
    try {
      const file = join(dir, 'out.xlsx');
      writeFileSync(file, data);
      const report = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(report).toContain('No errors detected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const zip = new ZipReader(data);
  for (const name of zip.names()) expect(zip.read(name)).not.toBeNull();
}

const sheet = (rows: XlsxCell[][], extra: Partial<XlsxSheet> = {}): XlsxSheet => ({ name: '名单', rows, ...extra });

describe('writeZip', () => {
  test('CRC-32 is the standard one', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  test('stores what deflate cannot shrink, deflates the rest, and every entry reads back exactly', () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const repetitive = new TextEncoder().encode('<row r="1"/>'.repeat(2000));
    const data = writeZip([
      { name: 'empty.txt', data: new Uint8Array() },
      { name: 'random.bin', data: random },
      { name: 'dir/repetitive.xml', data: repetitive },
      { name: '中文/名单.txt', data: new TextEncoder().encode('张三') },
    ]);
    expectValidZip(data);
    const zip = new ZipReader(data);
    expect(zip.names()).toEqual(['empty.txt', 'random.bin', 'dir/repetitive.xml', '中文/名单.txt']);
    expect(zip.read('random.bin')).toEqual(random);
    expect(zip.read('dir/repetitive.xml')).toEqual(repetitive);
    expect(text(zip.read('中文/名单.txt'))).toBe('张三');
    expect(data.length).toBeLessThan(random.length + repetitive.length / 10);
  });

  test('refuses repeated or rooted names instead of writing a confusing archive', () => {
    expect(() => writeZip([{ name: 'a', data: new Uint8Array() }, { name: 'a', data: new Uint8Array() }])).toThrow(RangeError);
    expect(() => writeZip([{ name: '/a', data: new Uint8Array() }])).toThrow(RangeError);
  });
});

describe('writeXlsx', () => {
  test('the project\'s reader gets every cell back: Chinese, numbers, empty cells, ragged rows', () => {
    const data = writeXlsx([
      sheet(
        [
          ['姓名', '学号', '单位', '次数'],
          ['张三', '2024000001', '计算机学院/2024级/1班', 3],
          ['李四', null, '', 0],
          [],
          ['王五', '0012', null, -1.5, '多出来的一列'],
          [null, null, null, 1e21],
        ],
        { columnWidths: [10, 14, 30, 8] },
      ),
    ]);
    expectValidZip(data);
    expect(readFirstSheet(data)).toEqual([
      ['姓名', '学号', '单位', '次数'],
      ['张三', '2024000001', '计算机学院/2024级/1班', '3'],
      ['李四', '', '', '0'],
      [],
      ['王五', '0012', '', '-1.5', '多出来的一列'],
      ['', '', '', '1000000000000000000000'],
    ]);
  });

  test('XML specials, OOXML escape look-alikes, edge spaces and line breaks survive; forbidden characters are dropped', () => {
    const tricky = [
      `<&>"'`,
      '</t></si><si><t>injected',
      ']]>',
      '_x0041_ stays as typed, as does _x005F_x0041_',
      '  leading and trailing  ',
      '第一行\r\n第二行\r第三行\n第四行\t制表',
      'bell\u0007 nul\u0000 vt\u000b ff\u000c esc\u001b end',
      'lone \ud800 high, lone \udc00 low, noncharacters \ufffe\uffff, emoji 😀 kept',
    ];
    const data = writeXlsx([sheet([['内容'], ...tricky.map((t) => [t])])]);
    expectValidZip(data);
    expect(readFirstSheet(data).slice(1).map((row) => row[0])).toEqual([
      `<&>"'`,
      '</t></si><si><t>injected',
      ']]>',
      '_x0041_ stays as typed, as does _x005F_x0041_',
      '  leading and trailing  ',
      '第一行\n第二行\n第三行\n第四行\t制表',
      'bell nul vt ff esc end',
      'lone  high, lone  low, noncharacters , emoji 😀 kept',
    ]);
  });

  test('exceljs reads the same values, the bold frozen header, widths, the date format and valid sheet names', async () => {
    const readAt = new Date('2026-03-01T02:30:00Z'); // 10:30 in Shanghai
    const data = writeXlsx([
      sheet([['姓名', '阅读时间', '次数'], ['张三', readAt, 2], ['李四', null, 0]], { name: '已读/未读:2024级*?[1]', columnWidths: [12, undefined, 0, 8] }),
      sheet([['空白表']], { name: '   ' }),
    ]);
    const workbook = await excel(data);
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(['已读_未读_2024级___1_', 'Sheet2']);
    const ws = workbook.worksheets[0];
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, topLeftCell: 'A2' });
    expect([ws.getColumn(1).width, ws.getColumn(2).width, ws.getColumn(3).width]).toEqual([12, undefined, undefined]);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(1).getCell(3).font?.bold).toBe(true);
    expect(ws.getRow(2).getCell(1).font?.bold).toBeFalsy();
    expect(ws.getCell('A2').value).toBe('张三');
    expect(ws.getCell('C2').value).toBe(2);
    expect(ws.getCell('C3').value).toBe(0);
    expect(ws.getCell('B3').value).toBeNull();
    // exceljs reads serials as UTC wall time: what it shows is the Shanghai wall time.
    expect(ws.getCell('B2').value).toEqual(new Date('2026-03-01T10:30:00Z'));
    expect(ws.getCell('B2').numFmt).toBe('yyyy-mm-dd hh:mm');
  });

  test('instants become Shanghai serial days whatever the host zone; numbers that are not finite become text', () => {
    expect(excelSerial(new Date('1970-01-01T00:00:00Z'))).toBeCloseTo(25569 + 8 / 24, 10);
    expect(excelSerial(new Date('2026-03-01T16:00:00Z'))).toBe(46083); // midnight 2026-03-02 in Shanghai
    expect(excelSerial(new Date(Number.NaN))).toBeNull();
    const rows = readFirstSheet(writeXlsx([sheet([['值'], [Number.NaN], [Number.POSITIVE_INFINITY], [new Date(Number.NaN)], [-0]])]));
    expect(rows).toEqual([['值'], ['NaN'], ['Infinity'], [], ['0']]);
  });

  test('sheet names: forbidden characters, apostrophes at the ends, 31 characters, reserved and repeated names', () => {
    const long = '计'.repeat(40);
    expect(sheetNames(['a[b]c:d*e?f/g\\h', "'引号'", long, '', 'History', '名单', '名单', 'NAME', 'name', '😀'.repeat(20)])).toEqual([
      'a_b_c_d_e_f_g_h',
      '引号',
      '计'.repeat(31),
      'Sheet4',
      'History_',
      '名单',
      '名单 (2)',
      'NAME',
      'name (2)',
      // 31 UTF-16 units would cut the 16th emoji in half.
      '😀'.repeat(15),
    ]);
    expect(sheetNames([long, long]).map((n) => n.length)).toEqual([31, 31]);
    expect(sheetNames([long, long])[1]).toBe(`${'计'.repeat(27)} (2)`);
  });

  test('text longer than a cell holds is cut at Excel\'s limit without splitting a character', () => {
    expect(cellText('a'.repeat(40_000))).toHaveLength(32_767);
    const cut = cellText(`${'a'.repeat(32_766)}😀`);
    expect(cut).toBe('a'.repeat(32_766));
  });

  test('column letters', () => {
    expect([0, 25, 26, 27, 701, 702, 16_383].map(columnLetters)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA', 'XFD']);
  });

  test('the same sheets give the same bytes; different content gives different bytes', () => {
    const rows: XlsxCell[][] = [['姓名', '时间'], ['张三', new Date('2026-03-01T02:30:00Z')]];
    const first = writeXlsx([sheet(rows)]);
    const second = writeXlsx([sheet(rows.map((r) => [...r]))]);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(Buffer.from(writeXlsx([sheet([['姓名'], ['李四']])])).equals(Buffer.from(first))).toBe(false);
  });

  test('a workbook has the parts Excel requires and several sheets each in their place', () => {
    const data = writeXlsx([sheet([['甲'], ['共享']], { name: '一' }), sheet([['乙'], ['共享']], { name: '二' })]);
    const zip = new ZipReader(data);
    expect(zip.names()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
      'xl/worksheets/sheet1.xml',
      'xl/worksheets/sheet2.xml',
    ]);
    // Text repeated across sheets is stored once.
    expect(text(zip.read('xl/sharedStrings.xml'))).toContain('count="4" uniqueCount="3"');
    expect(text(zip.read('[Content_Types].xml'))).toContain('PartName="/xl/worksheets/sheet2.xml"');
    expect(() => writeXlsx([])).toThrow(RangeError);
  });

  test('an empty sheet is still a valid workbook', async () => {
    const data = writeXlsx([sheet([])]);
    expectValidZip(data);
    expect(readFirstSheet(data)).toEqual([]);
    expect((await excel(data)).worksheets[0].rowCount).toBe(0);
  });

  // Its speed is the benchmark's to measure (a shared CI machine made a timing bound here flaky).
  test('50,000 rows × 6 columns: every row back in place', () => {
    const rows: XlsxCell[][] = [['姓名', '学号', '单位', '阅读时间', '次数', '备注']];
    for (let i = 0; i < 50_000; i++) {
      rows.push([`学生${i}`, `2024${String(i).padStart(6, '0')}`, `计算机学院/2024级/${i % 100}班`, new Date(Date.UTC(2026, 2, 1, 2, i % 60)), i, i % 7 === 0 ? `备注 <${i}> & "引号"` : null]);
    }
    const data = writeXlsx([sheet(rows, { columnWidths: [10, 14, 28, 18, 8, 20] })]);
    expectValidZip(data);
    const back = readFirstSheet(data);
    expect(back).toHaveLength(50_001);
    expect(back[1].slice(0, 3)).toEqual(['学生0', '2024000000', '计算机学院/2024级/0班']);
    expect(back[50_000][0]).toBe('学生49999');
    expect(back[50_000][4]).toBe('49999');
    expect(back[49_988][5]).toBe('备注 <49987> & "引号"');
    expect(Number(back[2][3])).toBeCloseTo(excelSerial(new Date(Date.UTC(2026, 2, 1, 2, 1))) as number, 9);
  });
});
