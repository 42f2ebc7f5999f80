/**
 * Sign-in and the shared guard at a realistic size: 10,000 accounts with an openid and a
 * UNIONID each, 300 of them holding roles, called over HTTP as the mini-program calls them.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { identityId } from '../../server/db/collections';
import { invokeAction, measure, type Measurement } from '../harness';

const ACCOUNTS = 10_000;
const APPID = 'wx-bench';

function caller(i: number): Record<string, string> {
  return { 'X-WX-OPENID': `bench-o-${i}`, 'X-WX-APPID': APPID, 'X-WX-UNIONID': `bench-u-${i}` };
}

async function invoke(cloud: RunningLocalCloud, action: string, headers: Record<string, string>, request: Record<string, unknown> = {}): Promise<void> {
  await invokeAction(cloud, 'login', headers, action, request);
}

function populate(cloud: RunningLocalCloud): void {
  const now = new Date();
  const users = [];
  const identities = [];
  for (let i = 0; i < ACCOUNTS; i += 1) {
    const id = `bench-user-${String(i).padStart(5, '0')}`;
    const roles = i < 100 ? ['publisher'] : i < 300 ? ['observer'] : [];
    users.push({ _id: id, nickname: `用户${i}`, avatarFileId: null, roles, member: null, wecom: null, profileEditedAt: null, createdAt: now, updatedAt: now });
    identities.push(
      { _id: identityId('wx-openid', `${APPID}:bench-o-${i}`), kind: 'wx-openid', key: `${APPID}:bench-o-${i}`, userId: id, createdAt: now },
      { _id: identityId('wx-unionid', `bench-u-${i}`), kind: 'wx-unionid', key: `bench-u-${i}`, userId: id, createdAt: now },
    );
  }
  cloud.cloud.engine.insertDocuments('users', users);
  cloud.cloud.engine.insertDocuments('identities', identities);
}

export async function accountsScenario(cloud: RunningLocalCloud): Promise<Measurement[]> {
  populate(cloud);
  const counter = () => cloud.cloud.dbRequestsTotal;
  const size = `${ACCOUNTS.toLocaleString('en')} accounts`;
  const admin = { 'X-WX-OPENID': 'demo-admin-openid', 'X-WX-APPID': 'wx-demo-appid', 'X-WX-UNIONID': 'demo-admin-unionid' };
  const rows: Measurement[] = [];
  rows.push(
    await measure('accounts', {
      operation: 'login.login, first login (new person)',
      size,
      calls: 200,
      warmup: 10,
      run: (i) => invoke(cloud, 'login', { 'X-WX-OPENID': `bench-new-${i}`, 'X-WX-APPID': APPID, 'X-WX-UNIONID': `bench-new-u-${i}` }),
    }, counter),
  );
  rows.push(
    await measure('accounts', {
      operation: 'login.login, returning person',
      size,
      calls: 300,
      warmup: 10,
      run: (i) => invoke(cloud, 'login', caller((i * 37) % ACCOUNTS)),
    }, counter),
  );
  rows.push(
    await measure('accounts', {
      operation: 'profile.get (any guarded call)',
      size,
      calls: 300,
      warmup: 10,
      run: (i) => invoke(cloud, 'profile.get', caller((i * 53) % ACCOUNTS)),
    }, counter),
  );
  rows.push(
    await measure('accounts', {
      operation: 'roles.list, first page of 50 (admin)',
      size: `${size}, 300 role holders`,
      calls: 100,
      warmup: 5,
      run: () => invoke(cloud, 'roles.list', admin),
    }, counter),
  );
  return rows;
}
