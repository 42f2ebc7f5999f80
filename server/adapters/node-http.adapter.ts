/**
 * A minimal HTTP client on node:http/https for adapters that call out. Cloud functions may
 * run on Node.js 16.13, which has neither a global `fetch` nor `AbortSignal.timeout`, so
 * adapters use this everywhere and tests exercise the same path production takes.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpInit {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface HttpReply {
  status: number;
  text(): Promise<string>;
}

/** Largest reply body read; API replies are small, so more means something is wrong. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export function nodeFetch(url: string, init: HttpInit): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
    if (!send) {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = send(target, { method: init.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          req.destroy(new Error(`reply larger than ${MAX_REPLY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text: async () => text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const { signal } = init;
    if (signal) {
      if (signal.aborted) req.destroy(new Error('aborted'));
      else signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    }
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** An AbortSignal that fires after `ms`, and a way to stop its timer once the call is done. */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
