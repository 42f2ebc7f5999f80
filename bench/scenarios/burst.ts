/**
 * Bursts of first calls on a fresh local cloud as `npm start` runs it (demo data, one warm
 * instance per function): N new people sign in at the same moment. Unlike the other rows,
 * latency here includes waiting for an instance, which is what a burst is about.
 */
import { startLocalCloud } from '../../local-cloud/src/server';
import { type Measurement, percentile, round } from '../harness';

const SIZES = [16, 40];


async function signIn(url: string, openid: string): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${url}/functions/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-WX-OPENID': openid, 'X-WX-APPID': 'wx-bench-burst' },
    body: JSON.stringify({ action: 'login' }),
  });
  const body = (await response.json()) as { ok?: boolean };
  if (response.status !== 200 || body.ok !== true) throw new Error(`a sign-in of the burst failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function burstScenario(root: string): Promise<Measurement[]> {
  const rows: Measurement[] = [];
  for (const size of SIZES) {
    const cloud = await startLocalCloud({ rootDir: root, dataDir: null, port: 0, timers: false, prewarm: true, logInvocations: false, log: () => undefined });
    try {
      // As after `npm start` has printed its banner: the prewarmed instance is ready.
      await signIn(cloud.url, 'bench-burst-warm');
      const before = cloud.cloud.dbRequestsTotal;
      const durations = await Promise.all(Array.from({ length: size }, (_, i) => signIn(cloud.url, `bench-burst-${size}-${i}`)));
      durations.sort((a, b) => a - b);
      rows.push({
        scenario: 'burst',
        operation: `login.login, ${size} new people at the same moment (fresh local cloud)`,
        size: `${size} callers`,
        calls: size,
        medianMs: round(percentile(durations, 50)),
        p95Ms: round(percentile(durations, 95)),
        dbRequestsPerCall: round((cloud.cloud.dbRequestsTotal - before) / size),
      });
    } finally {
      await cloud.close();
    }
  }
  return rows;
}
