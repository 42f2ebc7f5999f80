import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFunctionConfig } from '../../../local-cloud/src/functions/registry';

function withConfig(config: unknown, check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'xintong-config-'));
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a function\'s config.json', () => {
  test('timeout defaults to the platform\'s 3 s; openapi permissions and a trigger are read', () => {
    withConfig({ permissions: { openapi: ['subscribeMessage.send'] }, triggers: [{ name: 'sweep', type: 'timer', config: '0 */5 * * * * *' }] }, (dir) => {
      expect(readFunctionConfig(dir)).toEqual({ timeout: 3, openapi: ['subscribeMessage.send'], triggers: [{ name: 'sweep', type: 'timer', config: '0 */5 * * * * *' }] });
    });
  });

  test('more than one timer trigger is refused, as the platform takes one', () => {
    const trigger = { type: 'timer', config: '0 0 * * * * *' };
    withConfig({ triggers: [{ name: 'a', ...trigger }, { name: 'b', ...trigger }] }, (dir) => {
      expect(() => readFunctionConfig(dir)).toThrow('at most one timer trigger');
    });
  });

  test('a trigger without a cron config is refused', () => {
    withConfig({ triggers: [{ name: 'a', type: 'timer' }] }, (dir) => {
      expect(() => readFunctionConfig(dir)).toThrow('cron config');
    });
  });
});
