/** Whole function calls over HTTP, as the mini-program's local transport makes them. */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { measure, type Measurement } from '../harness';

export async function functionScenario(cloud: RunningLocalCloud): Promise<Measurement[]> {
  const counter = () => cloud.cloud.dbRequestsTotal;
  const row = await measure('functions', {
    operation: 'login.whoami over HTTP (warm instance)',
    size: '1 caller',
    calls: 200,
    warmup: 10,
    run: async () => {
      const response = await fetch(`${cloud.url}/functions/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-WX-OPENID': 'bench-openid', 'X-WX-APPID': 'wx-bench' },
        body: JSON.stringify({ action: 'whoami' }),
      });
      const body = (await response.json()) as { ok: boolean };
      if (!body.ok) throw new Error('whoami failed during the benchmark');
    },
  }, counter);
  return [row];
}
