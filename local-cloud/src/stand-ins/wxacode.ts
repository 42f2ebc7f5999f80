/**
 * The stand-in for `wxacode.getUnlimited` (the unlimited mini-program code): it checks a request
 * as the platform documents and answers a real PNG. The picture is not a code WeChat can scan:
 * a square of modules derived from the scene (same scene, same bytes, so screenshots are
 * stable), three locating marks, and an orange disc in the middle saying it is the local
 * stand-in; the scene and page are in the PNG's text chunk for whoever inspects the file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../../server/core/zip-writer';

/** Documented: at most 32 visible characters. */
export const MAX_SCENE_LENGTH = 32;
/** Documented: digits, letters and these symbols; anything else must be encoded by the caller. */
const SCENE_CHARACTERS = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]*$/;
export const DEFAULT_CODE_WIDTH = 430;
export const MIN_CODE_WIDTH = 280;
export const MAX_CODE_WIDTH = 1280;
const ENV_VERSIONS = ['release', 'trial', 'develop'];
/** Modules on each side of the pattern. */
const MODULES = 25;

export interface WxacodeRequest {
  scene?: unknown;
  page?: unknown;
  checkPath?: unknown;
  envVersion?: unknown;
  width?: unknown;
}

/** One `wxacode.getUnlimited` call as the stand-in saw it, answered (errCode 0) or refused. */
export interface RecordedWxacode {
  scene: string;
  /** The page the code opens: the main page when none was given. */
  page: string;
  checkPath: boolean;
  envVersion: string;
  /** The side of the picture in px, after clamping. */
  width: number;
  at: string;
  errCode: number;
  errMsg: string;
}

export type WxacodeReply = { errCode: number; errMsg: string; contentType?: string; buffer?: Buffer };

/**
 * The pages of the mini-program in `appJsonPath` (main package and subpackages, as
 * `packages/admin/pages/x/index`), the main page first; empty when the file is missing.
 */
export function miniprogramPages(appJsonPath: string): string[] {
  if (!existsSync(appJsonPath)) return [];
  const app = JSON.parse(readFileSync(appJsonPath, 'utf8')) as {
    pages?: string[];
    subpackages?: Array<{ root: string; pages?: string[] }>;
    subPackages?: Array<{ root: string; pages?: string[] }>;
  };
  const packages = app.subpackages ?? app.subPackages ?? [];
  return [...(app.pages ?? []), ...packages.flatMap((pkg) => (pkg.pages ?? []).map((page) => `${pkg.root.replace(/\/+$/, '')}/${page}`))];
}

/**
 * The platform's checks, in its order. The codes are the ones the platform answers in
 * practice (community reports; the reference lists only 41030 and 45009): 40169 for an empty or
 * too long scene, 40129 for a character outside the documented set, 41030 for a page that is
 * not one of the published mini-program's (or starts with `/`, or carries a query).
 */
function requestProblem(request: WxacodeRequest, pages: readonly string[]): { errCode: number; errMsg: string } | null {
  const { scene, page, checkPath, envVersion } = request;
  if (typeof scene !== 'string' || scene.length === 0 || scene.length > MAX_SCENE_LENGTH) {
    return { errCode: 40169, errMsg: 'invalid length for scene, or the data is not json string' };
  }
  if (!SCENE_CHARACTERS.test(scene)) return { errCode: 40129, errMsg: 'invalid scene' };
  if (envVersion !== undefined && !ENV_VERSIONS.includes(envVersion as string)) return { errCode: 40097, errMsg: 'invalid args: env_version' };
  if (page !== undefined && page !== '') {
    if (typeof page !== 'string' || page.startsWith('/') || page.includes('?')) return { errCode: 41030, errMsg: 'invalid page' };
    if (checkPath !== false && !pages.includes(page)) return { errCode: 41030, errMsg: 'invalid page' };
  }
  return null;
}

/** The documented 280 to 1280 px, 430 by default; the stand-in clamps where the platform may refuse. */
export function codeWidth(width: unknown): number {
  if (typeof width !== 'number' || !Number.isFinite(width)) return DEFAULT_CODE_WIDTH;
  return Math.min(MAX_CODE_WIDTH, Math.max(MIN_CODE_WIDTH, Math.round(width)));
}

export class WxacodeStandIn {
  readonly calls: RecordedWxacode[] = [];

  constructor(
    /** The mini-program's pages (see miniprogramPages), the main page first. */
    private readonly pages: () => readonly string[],
    private readonly now: () => Date,
  ) {}

  clear(): void {
    this.calls.length = 0;
  }

  getUnlimited(request: WxacodeRequest): WxacodeReply {
    const pages = this.pages();
    const problem = requestProblem(request, pages);
    const page = typeof request.page === 'string' && request.page !== '' ? request.page : (pages[0] ?? '');
    const width = codeWidth(request.width);
    this.calls.push({
      scene: typeof request.scene === 'string' ? request.scene : '',
      page,
      checkPath: request.checkPath !== false,
      envVersion: typeof request.envVersion === 'string' ? request.envVersion : 'release',
      width,
      at: this.now().toISOString(),
      errCode: problem?.errCode ?? 0,
      errMsg: problem?.errMsg ?? 'openapi.wxacode.getUnlimited:ok',
    });
    if (problem) return problem;
    return { errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok', contentType: 'image/png', buffer: drawCode(request.scene as string, page, width) };
  }
}

/** `count` bits derived from the scene: SHA-256 of the scene and a counter, chained. */
function sceneBits(scene: string, count: number): boolean[] {
  const bits: boolean[] = [];
  for (let block = 0; bits.length < count; block += 1) {
    const digest = createHash('sha256').update(`${block}:${scene}`).digest();
    for (const byte of digest) for (let bit = 7; bit >= 0 && bits.length < count; bit -= 1) bits.push(((byte >> bit) & 1) === 1);
  }
  return bits;
}

/** Whether module (mx, my) is one of the three 7×7 locating marks' dark modules, or their light margin (false). */
function markModule(mx: number, my: number): boolean | null {
  for (const [ox, oy] of [
    [0, 0],
    [MODULES - 7, 0],
    [0, MODULES - 7],
  ]) {
    const x = mx - ox;
    const y = my - oy;
    if (x >= -1 && x <= 7 && y >= -1 && y <= 7) {
      if (x < 0 || x > 6 || y < 0 || y > 6) return false;
      const ring = Math.min(x, y, 6 - x, 6 - y);
      return ring !== 1;
    }
  }
  return null;
}

const WHITE = 0;
const INK = 1;
const ORANGE = 2;
const PALETTE = Buffer.from([0xff, 0xff, 0xff, 0x1f, 0x23, 0x28, 0xff, 0x97, 0x6a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A `width`-pixel square PNG (palette: white, ink, orange) standing in for the scene's code. */
export function drawCode(scene: string, page: string, width: number): Buffer {
  const bits = sceneBits(scene, MODULES * MODULES);
  const margin = Math.floor(width / 12);
  const module = (width - 2 * margin) / MODULES;
  const centre = width / 2;
  const disc = module * 4.2;
  const raw = Buffer.alloc(width * (width + 1));
  for (let y = 0; y < width; y += 1) {
    const row = y * (width + 1);
    // Filter type 0 (none) for every scanline.
    raw[row] = 0;
    for (let x = 0; x < width; x += 1) {
      let colour = WHITE;
      const dx = x + 0.5 - centre;
      const dy = y + 0.5 - centre;
      const r = Math.sqrt(dx * dx + dy * dy);
      if (r <= disc) {
        // An orange disc with a white ring inside: no real code has it, so no one mistakes this for one.
        colour = r > disc * 0.55 && r <= disc * 0.7 ? WHITE : ORANGE;
      } else if (r <= disc + module * 0.6) {
        colour = WHITE;
      } else {
        const mx = Math.floor((x - margin) / module);
        const my = Math.floor((y - margin) / module);
        if (mx >= 0 && mx < MODULES && my >= 0 && my < MODULES) {
          const mark = markModule(mx, my);
          colour = (mark ?? bits[my * MODULES + mx]) ? INK : WHITE;
        }
      }
      raw[row + 1 + x] = colour;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(width, 4);
  // Bit depth 8, colour type 3 (palette); compression, filter and interlace 0.
  header[8] = 8;
  header[9] = 3;
  const comment = Buffer.from(`Comment\0xintong local stand-in wxacode scene=${scene} page=${page}`, 'latin1');
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', PALETTE),
    chunk('tEXt', comment),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
