/**
 * One warm instance of one cloud function, as the platform runs it: it handles a single
 * invocation at a time, so the identity it writes into its own `process.env` (worker threads
 * each get a private copy) is seen by that invocation alone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, type InvokeMessage, type WorkerReply } from './protocol';

const { entry, clock } = workerData as { entry: string; clock?: SharedArrayBuffer };
const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');

/**
 * Makes `new Date()`, `Date()` and `Date.now()` read the local cloud's clock in this thread (its
 * globals are its own): the instant in the shared cell while one is set, the real time while it
 * holds NaN. The cell is read at every call, so a move reaches this instance mid-call too; dates
 * built from a value are untouched.
 */
function followClock(buffer: SharedArrayBuffer): void {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const cell = new Float64Array(buffer);
  const now = (): number => {
    const at = cell[0];
    return Number.isNaN(at) ? realNow() : at;
  };
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args: unknown[], newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget) as object,
    apply: () => new RealDate(now()).toString(),
    get: (target, key, receiver) => (key === 'now' ? now : Reflect.get(target, key, receiver) as unknown),
  });
}

if (clock instanceof SharedArrayBuffer) followClock(clock);

let main: (event: unknown, context: unknown) => unknown;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(entry) as { main?: typeof main };
  if (typeof loaded.main !== 'function') throw new Error(`${entry} exports no main()`);
  main = loaded.main;
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
} catch (error) {
  port.postMessage({ type: 'init-error', message: describeError(error) } satisfies WorkerReply);
}


port.on('message', async (message: InvokeMessage) => {
  for (const [key, value] of Object.entries(message.env)) {
    if (value === null) delete process.env[key];
    else process.env[key] = value;
  }
  let reply: WorkerReply;
  try {
    const value = await main(message.event, message.context);
    // The platform serialises the return value as JSON; do the same so nothing richer leaks.
    // JSON.stringify gives undefined for a function or a symbol: the platform returns null.
    reply = { type: 'result', id: message.id, ok: true, json: JSON.stringify(value ?? null) ?? 'null' };
  } catch (error) {
    reply = { type: 'result', id: message.id, ok: false, message: describeError(error) };
  }
  port.postMessage(reply);
});
