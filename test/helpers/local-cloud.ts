/**
 * Starts the local cloud for a test file: in memory, on a free port, with the built functions.
 * Function tests call functions over HTTP exactly as the mini-program's local transport does.
 */
import { buildSync } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_APPID, DEMO_PEOPLE } from '../../local-cloud/src/seed';
import { startLocalCloud, type RunningLocalCloud, type StartOptions } from '../../local-cloud/src/server';
import type { MediaVerdict, RecordedMediaCheck } from '../../local-cloud/src/stand-ins/media-check';

export const ROOT = resolve(__dirname, '..', '..');

export interface Caller {
  openid?: string;
  appid?: string;
  unionid?: string;
}

export interface CallResult<T = unknown> {
  status: number;
  body: T;
  invocationId: string;
  dbRequests: number;
}

export function requireBuilt(): void {
  if (!existsSync(join(ROOT, 'local-cloud', 'dist', 'worker.js'))) {
    throw new Error('the local cloud is not built: run `npm run build` (npm test does it first)');
  }
}

export async function startTestCloud(options: Partial<StartOptions> = {}): Promise<RunningLocalCloud> {
  requireBuilt();
  return startLocalCloud({
    rootDir: ROOT,
    dataDir: null,
    port: 0,
    timers: false,
    logInvocations: false,
    fsync: false,
    // Tests set up the notices they need; test/functions/seed-notices.test.ts covers the demo ones.
    demoNotices: false,
    // Likewise rooms; test/functions/seed-rooms.test.ts covers the demo ones.
    demoRooms: false,
    // And proposals: test/functions/seed-proposals.test.ts.
    demoProposals: false,
    // XINTONG_TEST_LOG=1 shows the functions' output (an INTERNAL's stack) while debugging a test.
    log: process.env.XINTONG_TEST_LOG ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined,
    ...options,
  });
}

/** A demo person (local-cloud/src/seed.ts) as the mini-program would call: their openid under the demo appid. */
export function demoCaller(userId: string): Caller {
  const person = DEMO_PEOPLE.find((p) => p.userId === userId);
  if (!person) throw new Error(`no demo person ${userId}`);
  return { openid: person.openid, appid: DEMO_APPID };
}

/**
 * Stops the time every function instance (those already running included) and the cloud's own
 * records see at `instant`; null lets the real time run again. Start a cloud at a fixed time
 * with `startTestCloud({ clock })`.
 */
export function setClock(cloud: RunningLocalCloud, instant: Date | string | null): void {
  cloud.setClock(typeof instant === 'string' ? new Date(instant) : instant);
}

export async function call<T = unknown>(cloud: RunningLocalCloud, name: string, event: Record<string, unknown>, caller: Caller = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (caller.openid) headers['X-WX-OPENID'] = caller.openid;
  if (caller.appid) headers['X-WX-APPID'] = caller.appid;
  if (caller.unionid) headers['X-WX-UNIONID'] = caller.unionid;
  const response = await fetch(`${cloud.url}/functions/${name}`, { method: 'POST', headers, body: JSON.stringify(event) });
  return {
    status: response.status,
    body: (await response.json()) as T,
    invocationId: response.headers.get('x-invocation-id') ?? '',
    dbRequests: Number(response.headers.get('x-db-requests') ?? NaN),
  };
}

/** Calls `action` of function `name` as `caller` and answers its data; a refusal or a failed call throws with what came back. */
export async function callData<T>(cloud: RunningLocalCloud, name: string, caller: Caller, action: string, request: Record<string, unknown> = {}): Promise<T> {
  const { status, body } = await call<{ ok: true; data: T } | { ok: false; error: unknown }>(cloud, name, { action, ...request }, caller);
  if (status !== 200 || !body.ok) throw new Error(`${name}.${action}: HTTP ${status} ${JSON.stringify(body)}`);
  return body.data;
}

/**
 * Resolves once `condition` holds, checking it again every `intervalMs`; fails with `what` after
 * `timeoutMs`. Tests wait for what they need to see instead of sleeping a fixed time.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, { timeoutMs = 20_000, intervalMs = 20 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether the probe fixture has recorded `mark` (its sleep action writes it before sleeping). */
export function probeMarked(cloud: RunningLocalCloud, mark: string): boolean {
  return cloud.cloud.engine.dump('probe').some((doc) => doc.mark === mark);
}

/** The code `<button open-type="getPhoneNumber">` would give a user whose bound phone is `phone` (E.164). */
export async function issuePhoneCode(cloud: RunningLocalCloud, phone: string): Promise<string> {
  const response = await fetch(`${cloud.url}/_local/openapi/phone-code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone }) });
  if (response.status !== 200) throw new Error(`issuing a phone code for ${phone}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}

async function mediaChecksControl<T>(cloud: RunningLocalCloud, path: string, body?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${cloud.url}/_local/openapi/media-checks${path}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'Content-Type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status !== 200) throw new Error(`media checks ${path || 'list'}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Makes the image checks asked from now on wait for releaseMediaChecks (false: run at once again). */
export async function holdMediaChecks(cloud: RunningLocalCloud, hold = true): Promise<void> {
  await mediaChecksControl(cloud, '/hold', { hold });
}

/**
 * Runs the held image checks (one, with `traceId`), with `verdict` or judged from the bytes;
 * resolves with their records once the routed function answered each verdict's push.
 */
export async function releaseMediaChecks(cloud: RunningLocalCloud, options: { traceId?: string; verdict?: MediaVerdict } = {}): Promise<RecordedMediaCheck[]> {
  return (await mediaChecksControl<{ released: RecordedMediaCheck[] }>(cloud, '/release', options)).released;
}

/** Every image check asked of the stand-in, in order, with its state and verdict. */
export async function mediaChecks(cloud: RunningLocalCloud): Promise<RecordedMediaCheck[]> {
  return (await mediaChecksControl<{ checks: RecordedMediaCheck[] }>(cloud, '')).checks;
}

/** Resolves once no image check is being downloaded, judged or pushed (held ones wait on). */
export async function waitForMediaChecks(cloud: RunningLocalCloud): Promise<void> {
  await waitFor(async () => (await mediaChecksControl<{ inFlight: number }>(cloud, '')).inFlight === 0, 'the image checks in flight');
}

/** Bundles the test-only fixture functions (test/fixtures/functions) into a temporary folder. */
export function buildFixtureFunctions(): string {
  const source = join(ROOT, 'test', 'fixtures', 'functions');
  // Inside the project, so the bundles resolve wx-server-sdk from its node_modules.
  const out = join(ROOT, '.test-fixtures', `functions-${process.pid}`);
  if (!existsSync(out)) process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  for (const name of readdirSync(source)) {
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    buildSync({
      entryPoints: [join(source, name, 'index.ts')],
      outfile: join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node16',
      external: ['wx-server-sdk'],
      logLevel: 'error',
      // As scripts/build.js bundles the real functions.
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
    });
    copyFileSync(join(source, name, 'config.json'), join(dir, 'config.json'));
  }
  return out;
}
