/**
 * A burst of first calls on a fresh local cloud as `npm start` runs it (demo data, one warm
 * instance per function, the default limits): 100 new people at once each sign in and bind
 * themselves by phone, while another process keeps a core busy. Every call must answer ok:
 * instances start at a bounded pace and calls wait for the next free one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { LoginResponse, MemberDetail, Result } from '../../typings';
import { type Caller, type CallResult, call, issuePhoneCode, startTestCloud } from '../helpers/local-cloud';

const PEOPLE = 100;
const ADMIN: Caller = { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' };
const CLASS_ID = 'u_demo_math2301';

let cloud: RunningLocalCloud;
let spinner: ChildProcess | undefined;

function phoneOf(i: number): string {
  return `+86137${String(i).padStart(8, '0')}`;
}

beforeAll(async () => {
  cloud = await startTestCloud({ prewarm: true });
  for (let i = 0; i < PEOPLE; i += 1) {
    const member = { name: `突发成员${i}`, number: `B${String(i).padStart(4, '0')}`, phone: phoneOf(i), kind: 'student', title: null, wecomUserId: null, unitIds: [CLASS_ID] };
    const reply = await call<Result<MemberDetail>>(cloud, 'org', { action: 'members.create', member }, ADMIN);
    if (!reply.body.ok) throw new Error(`creating roster member ${i}: ${JSON.stringify(reply.body)}`);
  }
}, 60_000);

afterAll(async () => {
  spinner?.kill('SIGKILL');
  await cloud?.close();
});

/** A process that keeps one core busy until it is killed. */
function startSpinner(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("spinning\\n"); for (;;) {}'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', () => resolve(child));
  });
}

test(`${PEOPLE} new people at once sign in and bind by phone, every call ok, under CPU load`, async () => {
  spinner = await startSpinner();
  const journeys = await Promise.all(
    Array.from({ length: PEOPLE }, async (_, i) => {
      const me: Caller = { openid: `burst-person-${i}`, appid: 'wx-demo-appid' };
      const login = await call<Result<LoginResponse>>(cloud, 'login', { action: 'login' }, me);
      const code = await issuePhoneCode(cloud, phoneOf(i));
      const bind = await call<Result<{ member: { id: string; name: string } }>>(cloud, 'org', { action: 'bind.phone', code }, me);
      return { login, bind };
    }),
  );
  spinner.kill('SIGKILL');
  const failures = (reply: CallResult<Result<unknown>>) => reply.status !== 200 || !reply.body.ok;
  const failed = journeys.flatMap(({ login, bind }, i) => [
    ...(failures(login) ? [`login ${i}: ${login.status} ${JSON.stringify(login.body)}`] : []),
    ...(failures(bind) ? [`bind ${i}: ${bind.status} ${JSON.stringify(bind.body)}`] : []),
  ]);
  expect(failed).toEqual([]);
  // Each person got their own roster member, on their own new account.
  const accounts = new Set(journeys.map(({ login }) => (login.body as { data: LoginResponse }).data.account.id));
  expect(accounts.size).toBe(PEOPLE);
  journeys.forEach(({ bind }, i) => expect(bind.body).toMatchObject({ ok: true, data: { member: { name: `突发成员${i}` } } }));
  const members = cloud.cloud.engine.dump('members').filter((doc) => String(doc.number).startsWith('B'));
  expect(new Set(members.map((doc) => doc.userId)).size).toBe(PEOPLE);
  // Nothing crashed or was turned away on the way, nested calls included.
  expect(cloud.cloud.invocations.recent(1000).filter((record) => record.outcome === 'CRASH' || record.outcome === 'BUSY')).toEqual([]);
}, 60_000);
