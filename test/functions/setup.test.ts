/** The deploy helper against a local cloud whose database starts without any collection. */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { COLLECTIONS } from '../../server/db/collections';
import type { EnsureCollectionsResponse, Result } from '../../typings';
import { call, startTestCloud } from '../helpers/local-cloud';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  // An empty environment, as a fresh cloud environment is before the first deploy.
  cloud = await startTestCloud({ seed: false, declareCollections: false });
});

afterAll(async () => {
  await cloud.close();
});

test('creates every declared collection once, then reports them as existing', async () => {
  const names = COLLECTIONS.map((c) => c.name);
  expect(names.every((name) => !cloud.cloud.engine.hasCollection(name))).toBe(true);

  const first = await call<Result<EnsureCollectionsResponse>>(cloud, 'setup', { action: 'ensureCollections' });
  expect(first.body).toMatchObject({ ok: true, data: { created: names, existing: [] } });
  expect(names.every((name) => cloud.cloud.engine.hasCollection(name))).toBe(true);

  const again = await call<Result<EnsureCollectionsResponse>>(cloud, 'setup', { action: 'ensureCollections' });
  expect(again.body).toMatchObject({ ok: true, data: { created: [], existing: names } });
  const indexCount = COLLECTIONS.reduce((n, c) => n + c.indexes.length, 0);
  expect(again.body.ok && again.body.data.indexes).toHaveLength(indexCount);
});
