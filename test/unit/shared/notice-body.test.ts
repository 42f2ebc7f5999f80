import { bodyExcerpt, normaliseBody, parseBody, plainBody } from '../../../typings/notice-body';

describe('notice body markup', () => {
  it('splits paragraphs on blank lines and keeps single line breaks inside one', () => {
    const paragraphs = parseBody('第一段\n第二行\n\n\n\n第二段');
    expect(paragraphs).toHaveLength(2);
    expect(paragraphs[0].map((line) => line.map((s) => s.text).join(''))).toEqual(['第一段', '第二行']);
    expect(paragraphs[1][0]).toEqual([{ text: '第二段', strong: false }]);
  });

  it('reads **text** as emphasis and leaves lone or unclosed stars as text', () => {
    expect(parseBody('请于**周五前**提交，*注意* 和 **未闭合')[0][0]).toEqual([
      { text: '请于', strong: false },
      { text: '周五前', strong: true },
      { text: '提交，*注意* 和 **未闭合', strong: false },
    ]);
  });

  it('never lets emphasis cross a line', () => {
    const lines = parseBody('**第一行\n第二行**')[0];
    expect(lines.flat().every((segment) => !segment.strong)).toBe(true);
  });

  it('normalises Windows line ends and trailing spaces', () => {
    expect(normaliseBody('  a  \r\nb\u3000\r\n\r\n\r\nc  ')).toBe('a\nb\n\nc');
  });

  it('makes an excerpt without marks, on one line, cut by characters with an ellipsis', () => {
    expect(plainBody('**重要**通知')).toBe('重要通知');
    expect(bodyExcerpt('**重要**\n\n请  查收', 60)).toBe('重要 请 查收');
    expect(bodyExcerpt('😀'.repeat(10), 4)).toBe('😀😀😀😀…');
  });

  it('has nothing for an empty body', () => {
    expect(parseBody(' \n \n')).toEqual([]);
  });
});
