/**
 * `wxacode.getUnlimited`: the local stand-in checks scene, page and width as the platform does
 * and answers a real PNG; the openapi port reaches it over HTTP locally and calls
 * `cloud.openapi.wxacode.getUnlimited` in production. Room codes and photos are public files.
 */
import { inflateSync } from 'node:zlib';
import { join } from 'node:path';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { isPrivatePath } from '../../local-cloud/src/stand-ins/storage';
import { WxacodeStandIn, drawCode, miniprogramPages, type RecordedWxacode } from '../../local-cloud/src/stand-ins/wxacode';
import { OpenApiAdapter, wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { OpenApiError, type WechatOpenApiPort } from '../../server/ports/wechat-openapi.port';
import { roomScene } from '../../typings/room-rules';
import { ROOT, startTestCloud } from '../helpers/local-cloud';

const PAGES = miniprogramPages(join(ROOT, 'miniprogram', 'app.json'));
const AT = new Date('2026-03-02T01:30:00.000Z');

/** The chunks of a PNG, checking its signature. */
function pngChunks(png: Uint8Array): Map<string, Buffer[]> {
  const bytes = Buffer.from(png);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks = new Map<string, Buffer[]>();
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    chunks.set(type, [...(chunks.get(type) ?? []), bytes.subarray(at + 8, at + 8 + length)]);
    at += 12 + length;
  }
  return chunks;
}

/** Width, height and the decoded palette indices of a stand-in code. */
function decode(png: Uint8Array): { width: number; height: number; pixels: Buffer; comment: string } {
  const chunks = pngChunks(png);
  const header = chunks.get('IHDR')?.[0] as Buffer;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const pixels = inflateSync(Buffer.concat(chunks.get('IDAT') ?? []));
  return { width, height, pixels, comment: (chunks.get('tEXt')?.[0] ?? Buffer.alloc(0)).toString('latin1') };
}

describe('the stand-in', () => {
  const standIn = (): WxacodeStandIn => new WxacodeStandIn(() => PAGES, () => AT);

  test('the mini-program\'s pages are read from app.json, subpackage pages under their root, the main page first', () => {
    expect(PAGES[0]).toBe('pages/notices/index');
    expect(PAGES).toEqual(expect.arrayContaining(['pages/room/index', 'packages/admin/pages/room-codes/index']));
  });

  test('a room\'s code is a PNG of the asked width showing a pattern of its scene, recorded with the request', () => {
    const codes = standIn();
    const reply = codes.getUnlimited({ scene: roomScene('room-1'), page: 'pages/room/index', width: 300 });
    expect(reply).toMatchObject({ errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok', contentType: 'image/png' });
    const { width, height, pixels, comment } = decode(reply.buffer as Buffer);
    expect([width, height]).toEqual([300, 300]);
    // One filter byte and one palette index per pixel in each row; ink, white and the orange mark.
    expect(pixels.length).toBe(300 * 301);
    expect(new Set(pixels.filter((_, i) => i % 301 !== 0))).toEqual(new Set([0, 1, 2]));
    expect(comment).toBe('Comment\0xintong local stand-in wxacode scene=r=room-1 page=pages/room/index');
    expect(codes.calls).toEqual<RecordedWxacode[]>([
      { scene: 'r=room-1', page: 'pages/room/index', checkPath: true, envVersion: 'release', width: 300, at: AT.toISOString(), errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok' },
    ]);
  });

  test('the same scene gives the same bytes; another scene another pattern', () => {
    const one = drawCode('r=room-1', 'pages/room/index', 280);
    expect(drawCode('r=room-1', 'pages/room/index', 280)).toEqual(one);
    const other = decode(drawCode('r=room-2', 'pages/room/index', 280)).pixels;
    expect(other.equals(decode(one).pixels)).toBe(false);
  });

  test('the scene: 1 to 32 characters (40169), of the documented set only (40129)', () => {
    const codes = standIn();
    const errCode = (scene: unknown): number => codes.getUnlimited({ scene, page: 'pages/room/index' }).errCode;
    expect(errCode('x'.repeat(32))).toBe(0);
    expect(errCode("09azAZ!#$&'()*+,/:;=?@-._~")).toBe(0);
    expect(errCode('x'.repeat(33))).toBe(40169);
    expect(errCode('')).toBe(40169);
    expect(errCode(undefined)).toBe(40169);
    expect(errCode(12)).toBe(40169);
    expect(errCode('r=会议室')).toBe(40129);
    expect(errCode('r=a b')).toBe(40129);
    expect(errCode('r=a%20b')).toBe(40129);
    expect(codes.calls.filter((call) => call.errCode !== 0).map((call) => call.errMsg)).toEqual([
      ...Array(4).fill('invalid length for scene, or the data is not json string'),
      ...Array(3).fill('invalid scene'),
    ]);
  });

  test('the page: one of the mini-program\'s, without a leading / or a query (41030), unless checkPath is false', () => {
    const codes = standIn();
    const reply = (page: unknown, checkPath?: boolean) => codes.getUnlimited({ scene: 'r=1', page, checkPath });
    expect(reply('packages/admin/pages/room-codes/index').errCode).toBe(0);
    expect(reply('/pages/room/index')).toEqual({ errCode: 41030, errMsg: 'invalid page' });
    expect(reply('pages/room/index?r=1').errCode).toBe(41030);
    expect(reply('pages/nowhere/index').errCode).toBe(41030);
    expect(reply('pages/nowhere/index', false).errCode).toBe(0);
    expect(reply(undefined).errCode).toBe(0);
    // No page opens the main page.
    expect(codes.calls.at(-1)?.page).toBe('pages/notices/index');
    expect(codes.getUnlimited({ scene: 'r=1', page: 'pages/room/index', envVersion: 'beta' }).errCode).toBe(40097);
    expect(codes.getUnlimited({ scene: 'r=1', page: 'pages/room/index', envVersion: 'develop' }).errCode).toBe(0);
  });

  test('the width is 430 by default and held within 280 to 1280', () => {
    const codes = standIn();
    const widthOf = (width: unknown): number => decode(codes.getUnlimited({ scene: 'r=1', width }).buffer as Buffer).width;
    expect(widthOf(undefined)).toBe(430);
    expect(widthOf(100)).toBe(280);
    expect(widthOf(5000)).toBe(1280);
    expect(widthOf('600')).toBe(430);
    expect(codes.calls.map((call) => call.width)).toEqual([430, 280, 1280, 430]);
  });
});

describe('the port against the running stand-in', () => {
  let cloud: RunningLocalCloud;
  let openapi: WechatOpenApiPort;

  beforeAll(async () => {
    cloud = await startTestCloud({ clock: AT });
    openapi = wechatOpenApi({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: cloud.url });
  });

  afterAll(async () => {
    await cloud.close();
  });

  beforeEach(async () => {
    await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
  });

  test('a code comes back as the stand-in drew it, and is listed at /_local/openapi', async () => {
    const code = await openapi.getUnlimitedCode({ scene: 'r=room-7', page: 'pages/room/index', envVersion: 'develop', width: 280 });
    expect(code.contentType).toBe('image/png');
    expect(Buffer.from(code.buffer)).toEqual(drawCode('r=room-7', 'pages/room/index', 280));
    const listed = (await (await fetch(`${cloud.url}/_local/openapi`)).json()) as { wxacodes: RecordedWxacode[] };
    expect(listed.wxacodes).toEqual([
      { scene: 'r=room-7', page: 'pages/room/index', checkPath: true, envVersion: 'develop', width: 280, at: AT.toISOString(), errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok' },
    ]);
  });

  test('a refused request is OpenApiError with the platform\'s code, and is recorded too', async () => {
    await expect(openapi.getUnlimitedCode({ scene: 'r=会议室', page: 'pages/room/index' })).rejects.toMatchObject({ constructor: OpenApiError, errCode: 40129 });
    await expect(openapi.getUnlimitedCode({ scene: 'r=1', page: 'pages/gone/index' })).rejects.toMatchObject({ constructor: OpenApiError, errCode: 41030 });
    expect(cloud.cloud.openapi.wxacode.calls.map((call) => call.errCode)).toEqual([40129, 41030]);
  });

  test('DELETE /_local/openapi forgets the codes asked for', async () => {
    await openapi.getUnlimitedCode({ scene: 'r=1' });
    expect(cloud.cloud.openapi.wxacode.calls).toHaveLength(1);
    await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
    expect(cloud.cloud.openapi.wxacode.calls).toHaveLength(0);
  });

  test('room codes and photos are public files: stored and served without a signature', async () => {
    const code = await openapi.getUnlimitedCode({ scene: 'r=room-7', page: 'pages/room/index' });
    for (const [cloudPath, bytes, type] of [
      ['room-codes/room-7.png', Buffer.from(code.buffer), 'image/png'],
      ['room-photos/room-7/a1b2.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg'],
    ] as const) {
      expect(isPrivatePath(cloudPath)).toBe(false);
      cloud.cloud.storage.put(cloudPath, bytes, type);
      const response = await fetch(`${cloud.url}/storage/files/${cloudPath}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    }
  });
});

describe('the adapter', () => {
  test('sends scene, page, checkPath, envVersion and width, and reads a Buffer or base64 picture', async () => {
    const bodies: Array<[string, Record<string, unknown>]> = [];
    const picture = Buffer.from([1, 2, 3]);
    const replies = [
      { errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok', contentType: 'image/jpeg', buffer: picture },
      { errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok', contentType: 'image/png', buffer: picture.toString('base64') },
    ];
    const api = new OpenApiAdapter(async (name, body) => {
      bodies.push([name, body]);
      return replies[bodies.length - 1];
    });
    await expect(api.getUnlimitedCode({ scene: 'r=1', page: 'pages/room/index', checkPath: false, envVersion: 'trial', width: 600 })).resolves.toEqual({ contentType: 'image/jpeg', buffer: picture });
    const second = await api.getUnlimitedCode({ scene: 'r=2' });
    expect(second.contentType).toBe('image/png');
    expect(Buffer.from(second.buffer)).toEqual(picture);
    expect(bodies).toEqual([
      ['wxacode.getUnlimited', { scene: 'r=1', page: 'pages/room/index', checkPath: false, envVersion: 'trial', width: 600 }],
      ['wxacode.getUnlimited', { scene: 'r=2', page: undefined, checkPath: undefined, envVersion: undefined, width: undefined }],
    ]);
  });

  test('a success without a picture is an error, not an empty code', async () => {
    const api = new OpenApiAdapter(async () => ({ errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok' }));
    await expect(api.getUnlimitedCode({ scene: 'r=1' })).rejects.toThrow(/no picture/);
  });

  test('production calls cloud.openapi.wxacode.getUnlimited; its rejection with an errCode is OpenApiError', async () => {
    const bodies: unknown[] = [];
    let fail = false;
    let api: WechatOpenApiPort | undefined;
    let IsolatedOpenApiError: typeof OpenApiError | undefined;
    jest.isolateModules(() => {
      jest.doMock('wx-server-sdk', () => ({
        __esModule: true,
        default: {
          DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
          init: () => undefined,
          openapi: {
            wxacode: {
              getUnlimited: async (body: unknown) => {
                bodies.push(body);
                if (fail) throw Object.assign(new Error('openapi.wxacode.getUnlimited:fail invalid page'), { errCode: 41030, errMsg: 'openapi.wxacode.getUnlimited:fail invalid page rid: x' });
                return { contentType: 'image/jpeg', buffer: Buffer.from([9, 9]), errCode: 0, errMsg: 'openapi.wxacode.getUnlimited:ok' };
              },
            },
          },
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      api = (require('../../server/adapters/wechat-openapi.adapter') as typeof import('../../server/adapters/wechat-openapi.adapter')).wechatOpenApi({});
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      IsolatedOpenApiError = (require('../../server/ports/wechat-openapi.port') as typeof import('../../server/ports/wechat-openapi.port')).OpenApiError;
    });
    jest.dontMock('wx-server-sdk');
    const port = api as WechatOpenApiPort;
    await expect(port.getUnlimitedCode({ scene: 'r=1', page: 'pages/room/index', width: 430 })).resolves.toEqual({ contentType: 'image/jpeg', buffer: Buffer.from([9, 9]) });
    expect(bodies).toEqual([{ scene: 'r=1', page: 'pages/room/index', checkPath: undefined, envVersion: undefined, width: 430 }]);
    fail = true;
    await expect(port.getUnlimitedCode({ scene: 'r=1', page: 'pages/x/index' })).rejects.toMatchObject({ constructor: IsolatedOpenApiError, errCode: 41030 });
  });
});
