/**
 * `npm start`'s process: starts on a port, seeds the demo data once, keeps data across a
 * restart, and starts empty again with --reset.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, requireBuilt, waitFor } from '../helpers/local-cloud';

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

function start(dataDir: string, extra: string[] = []): Promise<Started> {
  requireBuilt();
  const child = spawn(process.execPath, [join(ROOT, 'local-cloud/bin/start.js'), '--port', '0', '--data-dir', dataDir, '--no-timers', ...extra], {
    cwd: ROOT,
    env: process.env,
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local cloud did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`local cloud exited with ${code}:\n${output}`)));
  });
}

function stop(started: Started): Promise<void> {
  return new Promise((resolve) => {
    started.child.removeAllListeners('exit');
    started.child.on('exit', () => resolve());
    started.child.kill('SIGTERM');
  });
}

async function users(url: string): Promise<Array<{ _id: string; nickname: string }>> {
  const response = await fetch(`${url}/_local/db/users`);
  return ((await response.json()) as { documents: Array<{ _id: string; nickname: string }> }).documents;
}

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'xintong-start-'));
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

test('first start seeds the demo people and prints how to call it', async () => {
  const started = await start(dataDir);
  try {
    expect(started.output()).toContain('demo-admin-openid');
    expect(started.output()).toContain('curl -s');
    expect((await users(started.url)).map((u) => u._id).sort()).toEqual(['demo-admin', 'demo-member-1', 'demo-member-2', 'demo-member-3']);
    // Each demo openid (under the demo appid) and unionid leads to its user.
    const identities = ((await (await fetch(`${started.url}/_local/db/identities`)).json()) as { documents: Array<{ _id: string; userId: string }> }).documents;
    expect(identities.find((d) => d._id === 'wx-openid:wx-demo-appid:demo-admin-openid')?.userId).toBe('demo-admin');
    expect(identities.find((d) => d._id === 'wx-unionid:demo-member-2-unionid')?.userId).toBe('demo-member-2');
    expect(identities).toHaveLength(8);
    const reply = await fetch(`${started.url}/functions/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid' },
      body: JSON.stringify({ action: 'whoami' }),
    });
    expect(await reply.json()).toEqual({ ok: true, data: { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: null } });
  } finally {
    await stop(started);
  }
}, 30_000);

test('data survives a restart and --reset starts from the demo data again', async () => {
  const first = await start(dataDir);
  try {
    // Change the data through the database endpoint as a function would.
    const body = { action: 'database.modifyDocument', collectionName: 'users', query: JSON.stringify({ _id: 'demo-member-1' }), data: JSON.stringify({ $set: { nickname: '张三丰' } }), multi: false, merge: true, upsert: false };
    const updated = await fetch(`${first.url}/tcb/test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(updated.status).toBe(200);
  } finally {
    await stop(first);
  }
  const second = await start(dataDir);
  try {
    expect(second.output()).not.toContain('demo data seeded');
    expect((await users(second.url)).find((u) => u._id === 'demo-member-1')?.nickname).toBe('张三丰');
  } finally {
    await stop(second);
  }
  const reset = await start(dataDir, ['--reset']);
  try {
    expect(reset.output()).toContain('demo data seeded');
    expect((await users(reset.url)).find((u) => u._id === 'demo-member-1')?.nickname).toBe('张三');
  } finally {
    await stop(reset);
  }
}, 60_000);

test('a bad option is refused with the usage text', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'local-cloud/bin/start.js'), '--port', 'abc'], { cwd: ROOT });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(2);
  expect(output).toContain('usage: npm start');
});

test('a kill in the middle of writing loses no committed batch and corrupts nothing', async () => {
  const crashDir = mkdtempSync(join(tmpdir(), 'xintong-crash-'));
  try {
    const first = await start(crashDir);
    let acknowledged = 0;
    const batch = (n: number) => ({
      action: 'database.insertDocument',
      collectionName: 'users',
      data: Array.from({ length: 500 }, (_, k) => JSON.stringify({ nickname: `批量${n}-${k}`, batch: n })),
    });
    const writer = (async () => {
      for (let n = 0; ; n += 1) {
        try {
          const response = await fetch(`${first.url}/tcb/test`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch(n)) });
          if (response.status !== 200) return;
          const reply = (await response.json()) as { data?: { insertedIds: string[] } };
          if (reply.data?.insertedIds.length === 500) acknowledged += 1;
        } catch {
          return;
        }
      }
    })();
    // Kill while the writer is busy: once a batch is acknowledged the next one is on its way.
    await waitFor(() => acknowledged > 0, 'the first acknowledged batch');
    first.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    await writer;
    expect(acknowledged).toBeGreaterThan(0);

    const second = await start(crashDir);
    try {
      const docs = (await users(second.url)) as Array<{ _id: string; batch?: number }>;
      const perBatch = new Map<number, number>();
      for (const doc of docs) if (doc.batch !== undefined) perBatch.set(doc.batch, (perBatch.get(doc.batch) ?? 0) + 1);
      // Every acknowledged batch is there, whole; a batch cut by the kill is entirely absent.
      expect(perBatch.size).toBeGreaterThanOrEqual(acknowledged);
      for (const count of perBatch.values()) expect(count).toBe(500);
      expect(docs.filter((d) => d._id.startsWith('demo-'))).toHaveLength(4);
    } finally {
      await stop(second);
    }
  } finally {
    rmSync(crashDir, { recursive: true, force: true });
  }
}, 60_000);

async function callLogin(url: string, openid: string, event: Record<string, unknown>): Promise<{ ok: boolean; data?: Record<string, unknown>; error?: { code: string } }> {
  const reply = await fetch(`${url}/functions/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-WX-OPENID': openid, 'X-WX-APPID': 'wx-demo-appid' },
    body: JSON.stringify(event),
  });
  return (await reply.json()) as { ok: boolean; data?: Record<string, unknown>; error?: { code: string } };
}

test('--no-demo starts without an admin and prints a bootstrap code that works once', async () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'xintong-nodemo-'));
  const started = await start(emptyDir, ['--no-demo']);
  try {
    expect(await users(started.url)).toEqual([]);
    const code = /bootstrap code: (\S+)/.exec(started.output())?.[1];
    expect(code).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await callLogin(started.url, 'o-first', { action: 'login' })).toMatchObject({ ok: true });
    expect(await callLogin(started.url, 'o-first', { action: 'roles.bootstrap', code: 'wrong-code-123456' })).toMatchObject({ ok: false, error: { code: 'BOOTSTRAP_CODE_INVALID' } });
    expect(await callLogin(started.url, 'o-first', { action: 'roles.bootstrap', code })).toMatchObject({ ok: true, data: { roles: ['member', 'admin'] } });
    await callLogin(started.url, 'o-second', { action: 'login' });
    expect(await callLogin(started.url, 'o-second', { action: 'roles.bootstrap', code })).toMatchObject({ ok: false, error: { code: 'BOOTSTRAP_CLOSED' } });
    // The WeCom stand-in answers the functions as WeCom would.
    const { code: wecomCode } = (await (await fetch(`${started.url}/_local/wecom/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: 'zhangsan' }) })).json()) as { code: string };
    expect(await callLogin(started.url, 'o-second', { action: 'wecomLogin', code: wecomCode })).toMatchObject({ ok: true, data: { account: { wecom: { corpId: 'ww-local-corp', userId: 'zhangsan' } } } });
  } finally {
    await stop(started);
    rmSync(emptyDir, { recursive: true, force: true });
  }
});

test('--clock freezes the time the functions and the cloud see', async () => {
  const clockDir = mkdtempSync(join(tmpdir(), 'xintong-clock-'));
  const started = await start(clockDir, ['--clock', '2025-03-03T09:30:00+08:00']);
  try {
    const instant = '2025-03-03T01:30:00.000Z';
    expect(started.output()).toContain(`clock:       frozen at ${instant}`);
    // Written by the cloud (demo data) and by a function (a first sign-in's new account).
    expect(await callLogin(started.url, 'o-clock', { action: 'login' })).toMatchObject({ ok: true });
    const documents = (await users(started.url)) as Array<{ _id: string; createdAt?: unknown }>;
    expect(documents.length).toBe(5);
    for (const doc of documents) expect(doc.createdAt).toBe(instant);
  } finally {
    await stop(started);
    rmSync(clockDir, { recursive: true, force: true });
  }
});

test('the first start makes the demo proposals and gives the proposal function the demo status template', async () => {
  const proposalDir = mkdtempSync(join(tmpdir(), 'xintong-proposals-'));
  const started = await start(proposalDir);
  try {
    expect(started.output()).toContain('demo proposals: 5 categories and 12 proposals made through the proposal function');
    const reply = await fetch(`${started.url}/functions/proposal`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-WX-OPENID': 'demo-member-1-openid', 'X-WX-APPID': 'wx-demo-appid' },
      body: JSON.stringify({ action: 'subscriptions.state' }),
    });
    expect(await reply.json()).toEqual({ ok: true, data: { templates: [expect.objectContaining({ id: 'demo-tmpl-proposal-status', purpose: 'proposal-status', credits: 0 })] } });
  } finally {
    await stop(started);
    rmSync(proposalDir, { recursive: true, force: true });
  }
}, 60_000);
