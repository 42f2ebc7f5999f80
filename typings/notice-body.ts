/**
 * The one markup a notice body has, read the same way by the functions (excerpts, content
 * checks) and the mini-program (rendering): paragraphs are separated by blank lines, a single
 * line break stays a line break, and `**text**` is emphasis. Nothing else is markup, so a body
 * can never carry a link, a tag or a style. A pure module: the mini-program build copies it into
 * the package, the functions bundle it.
 */

export interface BodySegment {
  text: string;
  strong: boolean;
}

/** One paragraph: its lines, each a run of plain and emphasised segments. */
export type BodyParagraph = BodySegment[][];

const EMPHASIS = /\*\*([^*\n]+?)\*\*/g;

function segmentsOf(line: string): BodySegment[] {
  const segments: BodySegment[] = [];
  let last = 0;
  for (const match of line.matchAll(EMPHASIS)) {
    const start = match.index ?? 0;
    if (start > last) segments.push({ text: line.slice(last, start), strong: false });
    segments.push({ text: match[1], strong: true });
    last = start + match[0].length;
  }
  if (last < line.length) segments.push({ text: line.slice(last), strong: false });
  return segments.length > 0 ? segments : [{ text: '', strong: false }];
}

/** Normalised line ends, trailing spaces removed, at most one blank line between paragraphs. */
export function normaliseBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u3000]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parseBody(body: string): BodyParagraph[] {
  const text = normaliseBody(body);
  if (!text) return [];
  return text.split(/\n\n/).map((paragraph) => paragraph.split('\n').map(segmentsOf));
}

/** The body as plain text: emphasis marks removed, paragraphs and lines kept. */
export function plainBody(body: string): string {
  return normaliseBody(body).replace(EMPHASIS, '$1');
}

/** The first `max` characters of the plain body on one line, with … when cut. */
export function bodyExcerpt(body: string, max = 60): string {
  const flat = plainBody(body).replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max).join('')}…`;
}
