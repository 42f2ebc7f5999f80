import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TriggerDecl {
  name: string;
  type: 'timer';
  /** Seven fields: second minute hour day month weekday year. */
  config: string;
}

export interface FunctionConfig {
  /** Seconds; the platform's default is 3. */
  timeout: number;
  triggers: TriggerDecl[];
  openapi: string[];
}

export interface FunctionSpec {
  name: string;
  dir: string;
  /** The built bundle (`index.js`) that is deployed. */
  entry: string;
  config: FunctionConfig;
}

const DEFAULT_TIMEOUT_SECONDS = 3;

export function readFunctionConfig(dir: string): FunctionConfig {
  const file = join(dir, 'config.json');
  const raw = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const timeout = typeof raw.timeout === 'number' && raw.timeout > 0 ? raw.timeout : DEFAULT_TIMEOUT_SECONDS;
  const triggers = Array.isArray(raw.triggers) ? (raw.triggers as TriggerDecl[]) : [];
  const permissions = (raw.permissions ?? {}) as { openapi?: unknown };
  const openapi = Array.isArray(permissions.openapi) ? (permissions.openapi as string[]) : [];
  // The platform takes one timer trigger per function (its config.json documentation).
  if (triggers.length > 1) throw new Error(`${file}: a function may declare at most one timer trigger`);
  for (const trigger of triggers) {
    if (trigger.type !== 'timer' || typeof trigger.name !== 'string' || typeof trigger.config !== 'string') {
      throw new Error(`${file}: each trigger needs name, type "timer" and a cron config`);
    }
  }
  return { timeout, triggers, openapi };
}

/** Every folder of cloudfunctions/ with a built index.js is a deployable function. */
export function discoverFunctions(functionsRoot: string): FunctionSpec[] {
  return readdirSync(functionsRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(functionsRoot, entry.name, 'index.js')))
    .map((entry) => {
      const dir = join(functionsRoot, entry.name);
      return { name: entry.name, dir, entry: join(dir, 'index.js'), config: readFunctionConfig(dir) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
