/** A small benchmark harness: runs operations, reports median/p95 latency and DB requests per call. */
import type { RunningLocalCloud } from '../local-cloud/src/server';
export interface Measurement {
  scenario: string;
  operation: string;
  /** Size of the data the operation ran against, e.g. "10,000 docs". */
  size: string;
  calls: number;
  medianMs: number;
  p95Ms: number;
  dbRequestsPerCall: number;
}

export interface OperationSpec {
  operation: string;
  size: string;
  calls: number;
  warmup?: number;
  /** Runs one call; `i` counts from 0 across warmup and measured calls. */
  run(i: number): Promise<void>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Measures calls one after another, so latency is per call and not queueing. */
export async function measure(scenario: string, spec: OperationSpec, dbRequests: () => number): Promise<Measurement> {
  const warmup = spec.warmup ?? Math.min(5, spec.calls);
  for (let i = 0; i < warmup; i += 1) await spec.run(i);
  const durations: number[] = [];
  const before = dbRequests();
  for (let i = 0; i < spec.calls; i += 1) {
    const started = process.hrtime.bigint();
    await spec.run(warmup + i);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const requests = dbRequests() - before;
  durations.sort((a, b) => a - b);
  return {
    scenario,
    operation: spec.operation,
    size: spec.size,
    calls: spec.calls,
    medianMs: round(percentile(durations, 50)),
    p95Ms: round(percentile(durations, 95)),
    dbRequestsPerCall: round(requests / spec.calls),
  };
}

/** A scenario's bound on the database requests of one call, and whether the worst measured call kept it. */
export interface BoundCheck {
  operation: string;
  /** Most database requests of any single measured call. */
  maxDbRequests: number;
  bound: number;
  holds: boolean;
}

/**
 * A scenario's way to measure: each operation's row goes to `rows`, and with a `bound` the worst
 * single measured call (requests in all, the guard's included; warm-up calls, which start
 * instances, not counted) is checked against it into `bounds`.
 */
export function boundedMeasure(scenario: string, dbRequests: () => number, rows: Measurement[], bounds: BoundCheck[]) {
  return async (spec: OperationSpec, bound?: number): Promise<Measurement> => {
    let worst = 0;
    const warmup = spec.warmup ?? Math.min(5, spec.calls);
    const tracked: OperationSpec = {
      ...spec,
      run: async (i) => {
        const before = dbRequests();
        await spec.run(i);
        if (i >= warmup) worst = Math.max(worst, dbRequests() - before);
      },
    };
    const row = await measure(scenario, tracked, dbRequests);
    rows.push(row);
    if (bound !== undefined) bounds.push({ operation: spec.operation, maxDbRequests: worst, bound, holds: worst <= bound });
    return row;
  };
}

export function formatTable(rows: Measurement[]): string {
  const header = ['scenario', 'operation', 'size', 'calls', 'median ms', 'p95 ms', 'db req/call'];
  const body = rows.map((r) => [r.scenario, r.operation, r.size, String(r.calls), r.medianMs.toFixed(2), r.p95Ms.toFixed(2), String(r.dbRequestsPerCall)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface Reply<T> {
  ok: boolean;
  data: T;
  error?: { code: string; message: string };
}

/** One call whose failure is an answer to count, not the end of the benchmark (an HTTP error too). */
export async function attemptAction<T>(cloud: RunningLocalCloud, fn: string, headers: Record<string, string>, action: string, request: Record<string, unknown>): Promise<Reply<T> | { ok: false; status: number }> {
  const response = await fetch(`${cloud.url}/functions/${fn}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ action, ...request }),
  });
  if (response.status !== 200) return { ok: false, status: response.status };
  return (await response.json()) as Reply<T>;
}

/** One action of a function over HTTP, as the mini-program calls it; a failure stops the benchmark. */
export async function invokeAction<T>(cloud: RunningLocalCloud, fn: string, headers: Record<string, string>, action: string, request: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${cloud.url}/functions/${fn}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ action, ...request }),
  });
  const body = (await response.json()) as Reply<T>;
  if (!body.ok) throw new Error(`${fn}.${action} failed during the benchmark: ${body.error?.code} ${body.error?.message}`);
  return body.data;
}
