/**
 * Which files a notice may carry, by name: read alike by the functions (which refuse anything
 * else) and the compose page (which offers and checks only these). A pure module: the
 * mini-program build copies it into the package, the functions bundle it.
 */
import type { AttachmentKind } from './notice';

/** Images come from the photo chooser; documents from the file chooser. */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'gif', 'webp'];
export const DOCUMENT_EXTENSIONS: readonly string[] = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx'];

const KIND_OF_EXTENSION: Readonly<Record<string, AttachmentKind>> = {
  pdf: 'pdf',
  doc: 'word',
  docx: 'word',
  xls: 'excel',
  xlsx: 'excel',
  ppt: 'powerpoint',
  pptx: 'powerpoint',
  ...Object.fromEntries(IMAGE_EXTENSIONS.map((extension) => [extension, 'image' as const])),
};

/** `报名表.XLSX` -> `xlsx`; '' without one. */
export function extensionOfName(name: string): string {
  const base = name.split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(base);
  return match ? match[1].toLowerCase() : '';
}

/** What a file is by its name; null for a kind that cannot be attached. */
export function attachmentKindOf(name: string): AttachmentKind | null {
  return KIND_OF_EXTENSION[extensionOfName(name)] ?? null;
}
