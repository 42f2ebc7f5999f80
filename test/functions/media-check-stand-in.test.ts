/**
 * `security.mediaCheckAsync`: the local stand-in answers with a trace id at once, refuses what
 * the platform refuses, then downloads the link, judges the bytes and pushes the verdict as the
 * `wxa_media_check` message to the function the 消息推送 routes name (`proposal`), with the
 * openid of the check and the push's own SOURCE. Held checks wait for a release, which may force
 * the verdict. Proposal images are private files: only a signed temporary link reads them.
 */
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_PUSH_SOURCE, messageRoute } from '../../local-cloud/src/message-push';
import { DEMO_APPID } from '../../local-cloud/src/seed';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { RecordedMediaCheck } from '../../local-cloud/src/stand-ins/media-check';
import { isPrivatePath } from '../../local-cloud/src/stand-ins/storage';
import { wechatOpenApi } from '../../server/adapters/wechat-openapi.adapter';
import { OpenApiError } from '../../server/ports/wechat-openapi.port';
import {
  ROOT,
  buildFixtureFunctions,
  type Caller,
  call,
  callData,
  demoCaller,
  holdMediaChecks,
  mediaChecks,
  releaseMediaChecks,
  startTestCloud,
  waitForMediaChecks,
} from '../helpers/local-cloud';

/**
 * A `proposal` function for the push to reach: the project's router with a `wxa_media_check`
 * message handler that answers what it was given and who it ran as.
 */
const RECEIVER = `
import cloud from 'wx-server-sdk';
import { createMain } from ${JSON.stringify(join(ROOT, 'server/core/router'))};
import { identityFromWxContext } from ${JSON.stringify(join(ROOT, 'server/core/identity'))};
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
export const main = createMain({
  name: 'proposal',
  readIdentity: () => identityFromWxContext(cloud.getWXContext()),
  actions: {},
  messages: { wxa_media_check: async (message, ctx) => ({ ok: true, data: { message, identity: ctx.identity } }) },
});
`;

function buildReceiver(): string {
  // Inside the project, so the bundle resolves wx-server-sdk from its node_modules.
  const out = join(ROOT, '.test-fixtures', `media-push-${process.pid}`);
  if (!existsSync(out)) process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const dir = join(out, 'proposal');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(out, 'receiver.ts'), RECEIVER);
  buildSync({ entryPoints: [join(out, 'receiver.ts')], outfile: join(dir, 'index.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node16', external: ['wx-server-sdk'], logLevel: 'error' });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ timeout: 5 }));
  return out;
}

interface Received {
  message: Record<string, unknown>;
  identity: { openid: string | null; appid: string | null; unionid: string | null; source: string | null };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const RISKY_PNG = Buffer.concat([PNG, Buffer.from('tEXt comment 违禁测试词', 'utf8')]);

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ functionsDir: buildReceiver() });
});

afterAll(async () => {
  await cloud.close();
});

beforeEach(async () => {
  await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
});

/** As the mini-program's wx.uploadFile sends it in local mode. */
async function upload(cloudPath: string, content: Buffer, to: RunningLocalCloud = cloud): Promise<string> {
  const form = new FormData();
  form.append('cloudPath', cloudPath);
  form.append('file', new Blob([new Uint8Array(content)], { type: 'image/png' }), cloudPath.split('/').pop());
  const response = await fetch(`${to.url}/storage/upload`, { method: 'POST', body: form });
  expect(response.status).toBe(200);
  return ((await response.json()) as { fileID: string }).fileID;
}

/** An uploaded proposal image and the temporary link a function would get for it. */
async function image(name: string, content: Buffer = PNG): Promise<string> {
  const cloudPath = `proposal-images/req-${name}-0001/${name}.png`;
  await upload(cloudPath, content);
  return cloud.cloud.storageDownloadUrl(cloudPath, 600);
}

const api = () => wechatOpenApi({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: cloud.url });

async function ask(body: Record<string, unknown>): Promise<{ errCode: number; errMsg: string; traceId?: string }> {
  const response = await fetch(`${cloud.url}/_local/openapi/security.mediaCheckAsync`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as { errCode: number; errMsg: string; traceId?: string };
}

function checkOf(checks: RecordedMediaCheck[], traceId: string): RecordedMediaCheck {
  const found = checks.find((check) => check.traceId === traceId);
  if (!found) throw new Error(`no check ${traceId}`);
  return found;
}

describe('the call', () => {
  test('answers as the cloud SDK does: ok with a fresh trace id in the platform\'s form, and records it', async () => {
    const url = await image('shape');
    await holdMediaChecks(cloud);
    const first = await ask({ version: 2, openid: 'o-alice', scene: 3, mediaType: 2, mediaUrl: url });
    const second = await api().checkImageAsync({ openid: 'o-alice', scene: 3, url });
    expect(first).toEqual({ errCode: 0, errMsg: 'openapi.security.mediaCheckAsync:ok', traceId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/) });
    expect(second.traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(second.traceId).not.toBe(first.traceId);
    expect(await mediaChecks(cloud)).toEqual([
      expect.objectContaining({ traceId: first.traceId, openid: 'o-alice', scene: 3, mediaType: 2, mediaUrl: url, errCode: 0, state: 'held', verdict: null }),
      expect.objectContaining({ traceId: second.traceId, state: 'held' }),
    ]);
  });

  test('is refused as the platform refuses it, recorded, and nothing is checked or pushed', async () => {
    const url = await image('refused');
    const good = { version: 2, openid: 'o-alice', scene: 3, mediaType: 2, mediaUrl: url };
    expect(await ask({ ...good, openid: undefined })).toEqual({ errCode: 40003, errMsg: 'invalid openid' });
    expect(await ask({ ...good, mediaType: 3 })).toMatchObject({ errCode: 47001, errMsg: expect.stringContaining('media_type') });
    expect(await ask({ ...good, mediaUrl: 'cloud://local.xintong-local-1300000000/proposal-images/a/b.png' })).toMatchObject({ errCode: 47001, errMsg: expect.stringContaining('http(s)') });
    expect(await ask({ ...good, mediaUrl: 'not a link' })).toMatchObject({ errCode: 47001 });
    expect(await ask({ ...good, scene: 9 })).toMatchObject({ errCode: 47001, errMsg: expect.stringContaining('scene') });
    expect(await ask({ ...good, version: 1 })).toMatchObject({ errCode: 47001, errMsg: expect.stringContaining('version') });
    await expect(api().checkImageAsync({ openid: 'o-alice', scene: 3, url: 'cloud://local/x.png' })).rejects.toMatchObject({ constructor: OpenApiError, errCode: 47001 });
    await waitForMediaChecks(cloud);
    const checks = await mediaChecks(cloud);
    expect(checks).toHaveLength(7);
    expect(checks.every((check) => check.state === 'refused' && check.traceId === null && check.errCode !== 0 && check.verdict === null)).toBe(true);
  });
});

describe('the verdict', () => {
  async function verdictFor(url: string): Promise<RecordedMediaCheck> {
    const { traceId } = await api().checkImageAsync({ openid: 'o-bob', scene: 3, url });
    await waitForMediaChecks(cloud);
    return checkOf(await mediaChecks(cloud), traceId);
  }

  test('a plain picture passes, and the push reaches the routed function as the platform sends it, as the checked person', async () => {
    const check = await verdictFor(await image('plain'));
    expect(check).toMatchObject({ state: 'delivered', verdict: 'pass', label: 100, forced: false, functionName: 'proposal', problem: null });
    const { message, identity } = (check.response as { ok: true; data: Received }).data;
    expect(message).toEqual({
      ToUserName: 'gh_local',
      FromUserName: 'o-bob',
      CreateTime: expect.any(Number),
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: DEMO_APPID,
      trace_id: check.traceId,
      version: 2,
      result: { suggest: 'pass', label: '100' },
      detail: [{ strategy: 'content_model', errcode: 0, suggest: 'pass', label: '100', prob: 90 }],
    });
    expect(Math.abs((message.CreateTime as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(identity).toEqual({ openid: 'o-bob', appid: DEMO_APPID, unionid: null, source: MESSAGE_PUSH_SOURCE });
  });

  test('bytes holding the risky word are risky', async () => {
    const check = await verdictFor(await image('risky', RISKY_PNG));
    expect(check).toMatchObject({ state: 'delivered', verdict: 'risky', label: 20002 });
    expect((check.response as { data: Received }).data.message.result).toEqual({ suggest: 'risky', label: '20002' });
  });

  test('a link the checker cannot download (unsigned private file, missing file) needs review', async () => {
    await upload('proposal-images/req-unsigned-0001/a.png', PNG);
    const unsigned = await verdictFor(`${cloud.url}/storage/files/proposal-images/req-unsigned-0001/a.png`);
    const missing = await verdictFor(cloud.cloud.storageDownloadUrl('proposal-images/req-missing-0001/gone.png'));
    for (const check of [unsigned, missing]) expect(check).toMatchObject({ state: 'delivered', verdict: 'review', label: 21000 });
  });

  test('a mini-program cannot send the push itself: its source is refused by the router', async () => {
    const message = { MsgType: 'event', Event: 'wxa_media_check', trace_id: 'x', FromUserName: 'o-bob', result: { suggest: 'pass', label: 100 } };
    const reply = await call<{ ok: boolean; error?: { code: string } }>(cloud, 'proposal', message, { openid: 'o-bob', appid: DEMO_APPID });
    expect(reply.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('hold and release', () => {
  test('held checks wait; a release with a trace id delivers that one with a forced verdict, a plain release judges the rest', async () => {
    const url = await image('held');
    await holdMediaChecks(cloud);
    const a = await api().checkImageAsync({ openid: 'o-carol', scene: 3, url });
    const b = await api().checkImageAsync({ openid: 'o-carol', scene: 3, url });
    await waitForMediaChecks(cloud);
    expect((await mediaChecks(cloud)).map((check) => check.state)).toEqual(['held', 'held']);

    const [forced] = await releaseMediaChecks(cloud, { traceId: a.traceId, verdict: 'risky' });
    // Resolved once the function answered: delivered, the forced verdict whatever the bytes.
    expect(forced).toMatchObject({ traceId: a.traceId, state: 'delivered', verdict: 'risky', forced: true });
    expect((forced.response as { data: Received }).data.message).toMatchObject({ trace_id: a.traceId, result: { suggest: 'risky' } });
    expect(checkOf(await mediaChecks(cloud), b.traceId).state).toBe('held');

    const rest = await releaseMediaChecks(cloud);
    expect(rest.map((check) => [check.traceId, check.state, check.verdict, check.forced])).toEqual([[b.traceId, 'delivered', 'pass', false]]);

    // Still holding: the next one waits too, until holding stops.
    const c = await api().checkImageAsync({ openid: 'o-carol', scene: 3, url });
    expect(checkOf(await mediaChecks(cloud), c.traceId).state).toBe('held');
    await holdMediaChecks(cloud, false);
    const d = await api().checkImageAsync({ openid: 'o-carol', scene: 3, url });
    await waitForMediaChecks(cloud);
    expect(checkOf(await mediaChecks(cloud), d.traceId).state).toBe('delivered');
    expect(checkOf(await mediaChecks(cloud), c.traceId).state).toBe('held');
  });

  test('the HTTP controls refuse malformed bodies and an unknown trace id; clearing the openapi record forgets held checks', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${cloud.url}/_local/openapi/media-checks/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('hold', { hold: 'yes' })).status).toBe(400);
    expect((await post('release', { verdict: 'maybe' })).status).toBe(400);
    expect((await post('release', { traceId: 7 })).status).toBe(400);
    expect((await post('release', { traceId: 'aaaaaaaa-bbbbbbbb-cccccccc' })).status).toBe(404);
    expect((await fetch(`${cloud.url}/_local/openapi/media-checks/other`)).status).toBe(404);

    await holdMediaChecks(cloud);
    await api().checkImageAsync({ openid: 'o-dan', scene: 3, url: await image('cleared') });
    const listed = (await (await fetch(`${cloud.url}/_local/openapi`)).json()) as { mediaChecks: RecordedMediaCheck[] };
    expect(listed.mediaChecks).toHaveLength(1);
    expect(await (await fetch(`${cloud.url}/_local/openapi/media-checks`)).json()).toMatchObject({ hold: true, inFlight: 0 });
    await fetch(`${cloud.url}/_local/openapi`, { method: 'DELETE' });
    expect(await (await fetch(`${cloud.url}/_local/openapi/media-checks`)).json()).toEqual({ hold: false, inFlight: 0, checks: [] });
    expect(await releaseMediaChecks(cloud)).toEqual([]);
  });
});

describe('routes and private images', () => {
  test('wxa_media_check is routed to the proposal function; nothing else is routed', () => {
    expect(messageRoute('event', 'wxa_media_check')).toBe('proposal');
    expect(messageRoute('event', 'other')).toBeNull();
    expect(messageRoute('text', undefined)).toBeNull();
  });

  test('proposal images are private: a plain link is refused, the signed temporary link reads them', async () => {
    expect(isPrivatePath('proposal-images/req-1/a.png')).toBe(true);
    expect(isPrivatePath('avatars/u1/a.png')).toBe(false);
    const url = await image('private');
    const plain = await fetch(url.split('?')[0]);
    expect(plain.status).toBe(403);
    await plain.body?.cancel();
    const signed = await fetch(url);
    expect(signed.status).toBe(200);
    expect(Buffer.from(await signed.arrayBuffer()).equals(PNG)).toBe(true);
  });

  test('a verdict for a function that is not deployed stays undelivered, and the cloud carries on', async () => {
    const bare = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }] });
    try {
      const bareApi = wechatOpenApi({ XINTONG_RUNTIME: 'local', XINTONG_LOCAL_CLOUD_URL: bare.url });
      const { traceId } = await bareApi.checkImageAsync({ openid: 'o-erin', scene: 3, url: `${bare.url}/storage/files/avatars/none.png` });
      await waitForMediaChecks(bare);
      expect(checkOf(await mediaChecks(bare), traceId)).toMatchObject({ state: 'undelivered', verdict: 'review', functionName: 'proposal', problem: expect.stringContaining('not deployed') });
      expect((await call(bare, 'probe', { action: 'context' }, { openid: 'o-erin' })).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('with the proposal function', () => {
  let real: RunningLocalCloud;
  const admin = demoCaller('demo-admin');
  const member = demoCaller('demo-member-1');

  beforeAll(async () => {
    real = await startTestCloud();
  });

  afterAll(async () => {
    await real.close();
  });

  const proposal = <T>(caller: Caller, action: string, request: Record<string, unknown>): Promise<T> => callData<T>(real, 'proposal', caller, action, request);

  /** Submits a proposal with these images, uploaded as the mini-program does; answers its id. */
  async function submitWith(requestId: string, contents: Buffer[]): Promise<string> {
    const { id: categoryId } = await proposal<{ id: string }>(admin, 'categories.save', { details: { name: `类别${requestId.slice(-4)}`, description: '', active: true, handlerIds: [] } });
    const imageFileIds: string[] = [];
    for (const [i, content] of contents.entries()) imageFileIds.push(await upload(`proposal-images/${requestId}/${i}.png`, content, real));
    const view = await proposal<{ id: string }>(member, 'proposals.submit', { requestId, categoryId, title: '图片检查', content: '图片检查的提案', imageFileIds, anonymous: false });
    return view.id;
  }

  async function checksOf(proposalId: string): Promise<Array<string | undefined>> {
    return (await proposal<{ images: Array<{ check?: string }> }>(member, 'proposals.get', { proposalId })).images.map((image) => image.check);
  }

  test('the verdicts of a submission\'s images reach it: a plain one passes, a risky one is refused', async () => {
    const proposalId = await submitWith('media-real-0001', [PNG, RISKY_PNG]);
    await waitForMediaChecks(real);
    const checks = await mediaChecks(real);
    // Asked side by side: in either order.
    expect(checks.map((check) => [check.openid, check.scene, check.state, check.verdict]).sort()).toEqual([
      ['demo-member-1-openid', 3, 'delivered', 'pass'],
      ['demo-member-1-openid', 3, 'delivered', 'risky'],
    ]);
    expect(await checksOf(proposalId)).toEqual(['passed', 'refused']);
  });

  test('a held check keeps the image pending until its release', async () => {
    await holdMediaChecks(real);
    try {
      const proposalId = await submitWith('media-real-0002', [PNG]);
      expect(await checksOf(proposalId)).toEqual(['pending']);
      const [released] = await releaseMediaChecks(real, { verdict: 'review' });
      expect(released).toMatchObject({ state: 'delivered', verdict: 'review' });
      expect(await checksOf(proposalId)).toEqual(['refused']);
    } finally {
      await holdMediaChecks(real, false);
    }
  });
});
