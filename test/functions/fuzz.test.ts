/**
 * Property-based fuzzing of every action of every function, through the real local cloud over
 * HTTP, as the demo admin, a demo member and nobody. Functions and their actions are read at
 * run time (the served functions from the health endpoint, each action's name, access and
 * schema from `main.actions` of the built bundle), so a new function or action is fuzzed
 * without editing this file.
 *
 * Every reply must be a Result whose error code is declared (never INTERNAL), or ok only for a
 * request its schema accepts; the server must keep answering; and no request may change the
 * database. Requests are valid-looking (unknown ids) or broken one way: a field of the wrong
 * type, missing, an extra field, huge or control-character strings, moderate nesting, arrays
 * for objects, out-of-range numbers, operator objects where ids belong.
 *
 * Reproduce a run with FUZZ_SEED=<seed printed below>; FUZZ_RUNS scales the runs per action.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import type { ActionInfo, FunctionMain } from '../../server/core/router';
import { hasUnsafeText } from '../../server/core/validation';
import { COLLECTIONS } from '../../server/db/collections';
import { ERROR_TEXTS } from '../../typings/error-texts';
import { type Caller, ROOT, startTestCloud } from '../helpers/local-cloud';
import { type Shape, shapeOf } from '../helpers/schema-shape';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_917);
/** Runs per action and caller that passes the guard; callers stopped earlier get fewer. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** ERROR_TEXTS is a Record<ErrorCode, string>: the compiler keeps its keys equal to the declared union. */
const DECLARED_CODES = new Set(Object.keys(ERROR_TEXTS));

const APPID = 'wx-demo-appid';
const CALLERS: Record<string, Caller> = {
  admin: { openid: 'demo-admin-openid', appid: APPID, unionid: 'demo-admin-unionid' },
  member: { openid: 'demo-member-1-openid', appid: APPID, unionid: 'demo-member-1-unionid' },
  nobody: {},
};

/**
 * Actions that write when given a valid request whatever its ids (there is no id to miss):
 * they are fuzzed only with requests their schema must refuse, and must refuse them all.
 */
const WRITES_WHEN_VALID: Record<string, string> = {
  'login.profile.update': 'a valid nickname is an edit of the caller’s own profile',
};

/**
 * Documents a refused or read-only request may legitimately write, each with the reason the
 * write is bookkeeping rather than a change of anyone's data.
 */
const BOOKKEEPING: { collection: string; idPrefix: string; why: string }[] = [
  {
    collection: 'settings',
    idPrefix: 'token:',
    why: 'the cached WeCom access token (server/adapters/db-token-store.ts): any call that asks WeCom, wecomLogin with a wrong code included, fetches and shares it',
  },
];

/** Ids that exist in no collection; valid-looking requests use them so no write can land. */
const UNKNOWN_ID = 'fuzz-unknown-id';

const CONTROL = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u007F', '\u0085', '\u009F', '\uFFFE', '\uFFFF', '\uD800', '\uDFFF'];
/** Strings a search or id handler might treat as syntax. */
const SYNTAX = ['.*', '[', '(', ')', '\\', '*', '+?', '$', '^$', '%', '_', "'", '"', '{}', '$where', '__proto__', 'constructor', 'toString', '<script>', '../..', ' '];

function nest(depth: number, array: boolean): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = array ? [value] : { a: value };
  return value;
}

const small = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 6 }));
const numbers = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const unsafeText = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...CONTROL), fc.string({ maxLength: 6 }))
  .map(([before, char, after]) => `${before}${char}${after}`);
// One huge string per request keeps the body under the platform's 100 KB limit.
const hugeText = fc.tuple(fc.constantFrom('x', '王', '😀', 'é'), fc.integer({ min: 300, max: 20_000 })).map(([char, n]) => char.repeat(n));
// Under the local cloud's own 100-level limit, so the function sees it.
const deep = fc.tuple(fc.integer({ min: 17, max: 90 }), fc.boolean()).map(([depth, array]) => nest(depth, array));
// Parsed, so `__proto__` is an own key as it is in a request body.
const operators = fc.constantFrom<unknown>({ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: '1' }, { _id: UNKNOWN_ID }, JSON.parse('{"__proto__":{"admin":true}}'));

/** A value of the wrong kind for nearly any field (or, rarely, of the right kind but hostile). */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  small,
  numbers,
  unsafeText,
  fc.constantFrom(...SYNTAX),
  fc.string({ unit: 'binary', maxLength: 12 }),
  operators,
  fc.array(small, { minLength: 1, maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), small, { maxKeys: 4 }),
  deep,
);
const hostileOrHuge = fc.oneof({ arbitrary: hostileValue, weight: 5 }, { arbitrary: hugeText, weight: 1 });
/** Text of the right type that a handler or the database might choke on. */
const hostileText = fc.oneof(
  { arbitrary: unsafeText, weight: 4 },
  { arbitrary: fc.constantFrom(...SYNTAX), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
  { arbitrary: hugeText, weight: 1 },
);

/** A request the schema should accept, with unknown ids, so any handler that writes fails to find its target. */
function validLooking(shape: Shape): fc.Arbitrary<unknown> {
  const inner = ((): fc.Arbitrary<unknown> => {
    switch (shape.kind) {
      case 'string': {
        const max = shape.maxLength ?? 64;
        return fc.constantFrom(UNKNOWN_ID, 'fz-0000', '王伟').map((text) => text.slice(0, max).padEnd(shape.minLength ?? 0, 'x'));
      }
      case 'enum':
        return fc.constantFrom(...(shape.values ?? [null]));
      case 'boolean':
        return fc.boolean();
      case 'number':
        return fc.integer({ min: 0, max: 10 });
      case 'array': {
        // Never empty: an empty id list is the one value that cannot miss.
        const max = Math.max(1, Math.min(2, shape.maxLength ?? 2));
        return fc.array(validLooking(shape.element!), { minLength: 1, maxLength: max });
      }
      case 'object':
        return objectOf(shape);
      default:
        return fc.constant(UNKNOWN_ID);
    }
  })();
  return shape.nullable ? fc.oneof(inner, fc.constant(null)) : inner;
}

function objectOf(shape: Shape): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(shape.fields ?? {});
  const parts = fields.map(([, field]) => (field.optional ? fc.option(validLooking(field), { nil: undefined }) : validLooking(field)));
  return fc.tuple(...parts).map((values) => {
    const out: Record<string, unknown> = {};
    fields.forEach(([name], i) => {
      if (values[i] !== undefined) out[name] = values[i];
    });
    return out;
  });
}

/** Paths to every field at any depth, for picking one to break. */
function allFieldPaths(shape: Shape, prefix: string[] = []): string[][] {
  return Object.entries(shape.fields ?? {}).flatMap(([name, field]) => [[...prefix, name], ...allFieldPaths(field, [...prefix, name])]);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown, remove = false): Record<string, unknown> {
  const copy = structuredClone(target);
  let cursor: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = cursor[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return copy;
    cursor = next as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (remove) delete cursor[last];
  else cursor[last] = value;
  return copy;
}

interface Sent {
  kind: string;
  /** The event as sent (JSON), or a non-object body. */
  body: unknown;
}

/**
 * Requests for one action. `onlyInvalid` leaves out the kinds that may be valid (valid-looking
 * ones and a missing optional field).
 */
function requests(functionName: string, action: ActionInfo, onlyInvalid: boolean): fc.Arbitrary<Sent> {
  const shape = shapeOf(action.input);
  const base = objectOf(shape);
  const paths = allFieldPaths(shape);
  const event = (kind: string, request: fc.Arbitrary<Record<string, unknown>>) => request.map((fields) => ({ kind, body: { ...fields, action: action.name } }));
  const kinds: { arbitrary: fc.Arbitrary<Sent>; weight: number }[] = [
    { weight: 2, arbitrary: event('extra field', fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), hostileOrHuge).map(([b, key, value]) => (key in b || key === 'action' || key === 'userInfo' ? { ...b, [`${key}_x`]: value } : { ...b, [key]: value }))) },
    { weight: 1, arbitrary: event('all fields hostile', fc.tuple(base, fc.array(hostileValue, { minLength: paths.length, maxLength: paths.length })).map(([b, values]) => paths.reduce((acc, path, i) => setPath(acc, path, values[i]), b))) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([{ action: action.name }], action.name, 42, null, []).map((body) => ({ kind: 'body not an object', body })) },
  ];
  if (paths.length > 0) {
    const path = fc.constantFrom(...paths);
    kinds.push({ weight: 6, arbitrary: event('wrong field', fc.tuple(base, path, hostileOrHuge).map(([b, p, value]) => setPath(b, p, value))) });
    const textPaths = paths.filter((p) => {
      const field = fieldAt(shape, p);
      return field?.kind === 'string' || field?.element?.kind === 'string';
    });
    if (textPaths.length > 0) {
      kinds.push({
        weight: 4,
        arbitrary: event(
          'hostile text',
          fc.tuple(base, fc.constantFrom(...textPaths), hostileText).map(([b, p, text]) => setPath(b, p, fieldAt(shape, p)?.kind === 'array' ? [text] : text)),
        ),
      });
    }
    const required = paths.filter((p) => !fieldAt(shape, p)?.optional);
    if (required.length > 0) kinds.push({ weight: 2, arbitrary: event('missing field', fc.tuple(base, fc.constantFrom(...required)).map(([b, p]) => setPath(b, p, undefined, true))) });
  }
  if (!onlyInvalid) {
    kinds.push({ weight: 3, arbitrary: event('valid-looking', base) });
    if (paths.length > 0) kinds.push({ weight: 1, arbitrary: event('missing field', fc.tuple(base, fc.constantFrom(...paths)).map(([b, p]) => setPath(b, p, undefined, true))) });
  }
  void functionName;
  const all = fc.oneof(...kinds);
  return onlyInvalid ? all.filter((sent) => !schemaAccepts(action, sent)) : all;
}

function schemaAccepts(action: ActionInfo, sent: Sent): boolean {
  if (typeof sent.body !== 'object' || sent.body === null || Array.isArray(sent.body)) return false;
  const { action: _name, ...fields } = JSON.parse(JSON.stringify(sent.body)) as Record<string, unknown>;
  return z.safeParse(action.input as z.core.$ZodType, fields).success;
}

function fieldAt(shape: Shape, path: string[]): Shape | undefined {
  let cursor: Shape | undefined = shape;
  for (const key of path) cursor = cursor?.fields?.[key];
  return cursor;
}

let cloud: RunningLocalCloud;
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startTestCloud({ log: (line: string) => logs.push(line) });
});

afterAll(async () => {
  await cloud?.close();
});

async function send(functionName: string, body: unknown, caller: Caller): Promise<{ status: number; reply: unknown }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (caller.openid) headers['X-WX-OPENID'] = caller.openid;
  if (caller.appid) headers['X-WX-APPID'] = caller.appid;
  if (caller.unionid) headers['X-WX-UNIONID'] = caller.unionid;
  const response = await fetch(`${cloud.url}/functions/${functionName}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  let reply: unknown = text;
  try {
    reply = JSON.parse(text);
  } catch {
    // Kept as text: the check below reports it as not a Result.
  }
  return { status: response.status, reply };
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { name } of COLLECTIONS) {
    const response = await fetch(`${cloud.url}/_local/db/${name}`);
    if (response.status === 404) {
      out[name] = 'absent';
      continue;
    }
    const { documents } = (await response.json()) as { documents: Record<string, unknown>[] };
    const ignored = BOOKKEEPING.filter((entry) => entry.collection === name).map((entry) => entry.idPrefix);
    out[name] = JSON.stringify(documents.filter((doc) => !ignored.some((prefix) => String(doc._id).startsWith(prefix))));
  }
  return out;
}

function changedCollections(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((name) => before[name] !== after[name]);
}

/** Long values shortened, so a finding reads in one line. */
function brief(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 20)}…(${v.length} chars)` : v)) ?? String(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/** Why a reply breaks the contract for this request, or null. */
function violation(action: ActionInfo, who: string, sent: Sent, status: number, reply: unknown): string | null {
  const isEvent = typeof sent.body === 'object' && sent.body !== null && !Array.isArray(sent.body);
  // The platform itself refuses a body that is not a JSON object, before any function runs.
  if (!isEvent) return status === 400 && typeof (reply as { errCode?: unknown })?.errCode === 'number' ? null : `HTTP ${status} for a body that is not an object`;
  if (status !== 200) return `HTTP ${status}`;
  const result = reply as { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown; field?: unknown } };
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') return 'not a Result';
  if (result.ok) {
    if (!schemaAccepts(action, sent)) return 'ok for a request its schema refuses';
    if (who === 'nobody' && action.access !== 'public') return 'ok without identity';
    return null;
  }
  const { code, message, field } = result.error ?? {};
  if (typeof code !== 'string' || !DECLARED_CODES.has(code)) return `undeclared code ${String(code)}`;
  if (code === 'INTERNAL') return 'INTERNAL';
  if (typeof message !== 'string' || message.length === 0 || hasUnsafeText(message) || message.length > 200) return 'message missing, unsafe or long';
  if (field !== undefined && (typeof field !== 'string' || field.length > 200 || hasUnsafeText(field))) return 'field unsafe or long';
  if (who === 'nobody' && action.access !== 'public' && code !== 'UNAUTHENTICATED') return `${code} without identity (expected UNAUTHENTICATED)`;
  if (who === 'member' && action.roles.length > 0 && !action.roles.includes('member') && code !== 'FORBIDDEN') {
    return `${code} for a member calling an action requiring ${action.roles.join('/')} (expected FORBIDDEN)`;
  }
  return null;
}

function describeFunctions(names: string[]): { name: string; actions: readonly ActionInfo[] }[] {
  return names.map((name) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- functions are discovered at run time
    const { main } = require(join(ROOT, 'cloudfunctions', name, 'index.js')) as { main: FunctionMain };
    if (!Array.isArray(main.actions)) throw new Error(`cloudfunctions/${name}: main.actions is missing (createMain exposes it)`);
    return { name, actions: main.actions };
  });
}

test('every action of every function answers malformed requests with a declared code and changes nothing', async () => {
  const started = Date.now();
  const health = (await (await fetch(`${cloud.url}/_local/health`)).json()) as { functions: string[] };
  const functions = describeFunctions(health.functions);
  expect(functions.length).toBeGreaterThan(0);
  console.log(`fuzz: seed ${SEED}, ${RUNS} runs per action and admitted caller (reproduce with FUZZ_SEED=${SEED})`);

  const findings: string[] = [];
  const codes = new Map<string, number>();
  let calls = 0;
  let index = 0;
  for (const fn of functions) {
    for (const action of fn.actions) {
      const id = `${fn.name}.${action.name}`;
      const onlyInvalid = Object.prototype.hasOwnProperty.call(WRITES_WHEN_VALID, id);
      const before = await snapshot();
      for (const [who, caller] of Object.entries(CALLERS)) {
        const admitted = action.access === 'public' || (who !== 'nobody' && (who === 'admin' || action.access === 'user' || action.roles.length === 0 || action.roles.includes('member')));
        index += 1;
        const details = await fc.check(
          fc.asyncProperty(requests(fn.name, action, onlyInvalid), async (sent) => {
            const { status, reply } = await send(fn.name, sent.body, caller);
            calls += 1;
            const result = reply as { ok?: boolean; error?: { code?: string }; errCode?: number };
            const code = result?.ok ? 'ok' : (result?.error?.code ?? `HTTP ${status} ${result?.errCode ?? ''}`.trim());
            codes.set(code, (codes.get(code) ?? 0) + 1);
            const problem = violation(action, who, sent, status, reply);
            if (problem) throw new Error(`${problem}: ${sent.kind} ${brief(sent.body)} → ${status} ${brief(reply)}`);
            if (onlyInvalid && (reply as { ok?: boolean }).ok) throw new Error(`accepted a request its schema must refuse: ${brief(sent.body)}`);
          }),
          // No shrinking: every step would be another call; the failing request is reported as sent.
          { seed: SEED + index, numRuns: admitted ? RUNS : Math.max(3, Math.ceil(RUNS / 4)), endOnFailure: true },
        );
        if (details.failed) findings.push(`${id} as ${who}: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
      }
      const changed = changedCollections(before, await snapshot());
      if (changed.length > 0) findings.push(`${id}: changed ${changed.join(', ')}`);
      const alive = await fetch(`${cloud.url}/_local/health`);
      if (alive.status !== 200) findings.push(`${id}: health answered ${alive.status}`);
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`fuzz: ${calls} calls over ${functions.map((fn) => `${fn.name} (${fn.actions.length})`).join(', ')} in ${seconds} s; replies ${brief(Object.fromEntries(codes))}`);
  if (findings.length > 0) console.log(`fuzz findings:\n${findings.join('\n')}\nserver log:\n${logs.filter((line) => /INTERNAL|Error/.test(line)).slice(0, 20).join('\n')}`);
  expect(findings).toEqual([]);
}, 240_000);
