import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalCloud, type LocalCloudOptions } from './cloud';
import type { CallerIdentity } from './invocations';

/** A mini-program call's payload stays well under this on the platform (about 100 KB). */
const FUNCTION_BODY_LIMIT = 100 * 1024;
/** Database requests carry batches (1,000 documents and more). */
const TCB_BODY_LIMIT = 32 * 1024 * 1024;

export interface StartOptions extends LocalCloudOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningLocalCloud {
  cloud: LocalCloud;
  url: string;
  port: number;
  close(): Promise<void>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function requireLoopback(req: Pick<IncomingMessage, 'socket'>): void {
  if (!isLoopback(req.socket.remoteAddress)) throw new HttpError(403, { errCode: -501003, errMsg: 'this endpoint answers loopback callers only' });
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, { errCode: -501002, errMsg: 'malformed path' });
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Keep draining so the 413 reaches the client; the connection closes after it.
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, { errCode: -501001, errMsg: `request body larger than ${limit} bytes` }, { Connection: 'close' }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const text = await readBody(req, limit);
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new HttpError(400, { errCode: -501002, errMsg: 'the request body must be a JSON object' });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function header(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text : undefined;
}

/** The identity of a local call, from the WeChat Cloud Hosting headers; loopback callers only. */
export function callerIdentity(req: Pick<IncomingMessage, 'headers' | 'socket'>): CallerIdentity {
  const openid = header(req, 'X-WX-OPENID');
  const appid = header(req, 'X-WX-APPID');
  const unionid = header(req, 'X-WX-UNIONID');
  if ((openid || appid || unionid) && !isLoopback(req.socket.remoteAddress)) {
    throw new HttpError(403, { errCode: -501003, errMsg: 'identity headers are accepted from loopback only' });
  }
  return { openid, appid, unionid, clientIp: req.socket.remoteAddress, source: openid ? 'wx_client' : 'wx_http' };
}

async function route(cloud: LocalCloud, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const tcAction = header(req, 'X-TC-Action');

  if (method === 'POST' && tcAction && url.pathname === '/') {
    // The Tencent Cloud SDK posts to the endpoint's root with the action in a header.
    requireLoopback(req);
    return send(res, 200, cloud.sms.handle(tcAction, await readJson(req, FUNCTION_BODY_LIMIT)));
  }
  if (method === 'POST' && parts[0] === 'functions' && parts.length === 2) {
    const identity = callerIdentity(req);
    const name = decodePathPart(parts[1]);
    const event = await readJson(req, FUNCTION_BODY_LIMIT);
    const { status, body, record } = await cloud.invoke(name, event, identity);
    return send(res, status, body, {
      'X-Invocation-Id': record.id,
      'X-Db-Requests': String(record.dbRequests),
      'X-Duration-Ms': String(record.ms),
    });
  }
  if (method === 'POST' && parts[0] === 'tcb') {
    requireLoopback(req);
    const body = await readJson(req, TCB_BODY_LIMIT);
    // A caller that gives up (its instance was terminated) must not stay queued for a transaction.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    return send(res, 200, await cloud.handleTcbRequest(parts[1] ?? '', body, abort.signal));
  }
  if (parts[0] === '_local') {
    // The outbox and the database dump hold phone numbers and codes: this machine only.
    requireLoopback(req);
    return routeLocal(cloud, method, parts.slice(1), url, req, res);
  }
  throw new HttpError(404, { errCode: -501000, errMsg: `no route for ${method} ${url.pathname}` });
}

/** Inspection endpoints of the stand-ins and the invocation log. */
async function routeLocal(cloud: LocalCloud, method: string, parts: string[], url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [area, sub] = parts;
  if (method === 'GET' && area === 'health') return send(res, 200, { ok: true, functions: cloud.listFunctions().map((f) => f.name) });
  if (area === 'sms' && !sub) {
    if (method === 'GET') return send(res, 200, { messages: cloud.sms.outbox });
    if (method === 'DELETE') {
      cloud.sms.clear();
      return send(res, 200, { ok: true });
    }
  }
  if (area === 'openapi') {
    if (method === 'POST' && sub) return send(res, 200, cloud.openapi.handle(sub, await readJson(req, FUNCTION_BODY_LIMIT)));
    if (method === 'GET' && !sub) return send(res, 200, { subscribeMessages: cloud.openapi.subscribeMessages });
    if (method === 'DELETE' && !sub) {
      cloud.openapi.clear();
      return send(res, 200, { ok: true });
    }
  }
  if (area === 'invocations' && method === 'GET') {
    if (sub) {
      const record = cloud.invocations.find(sub);
      if (!record) throw new HttpError(404, { errMsg: 'no such invocation' });
      return send(res, 200, record);
    }
    const limit = Number(url.searchParams.get('limit') ?? '100');
    return send(res, 200, { invocations: cloud.invocations.recent(Number.isFinite(limit) ? limit : 100) });
  }
  if (area === 'db' && sub && method === 'GET') {
    const name = decodePathPart(sub);
    if (!cloud.engine.hasCollection(name)) throw new HttpError(404, { errMsg: `no collection ${name}` });
    return send(res, 200, { documents: cloud.engine.dump(name) });
  }
  throw new HttpError(404, { errMsg: `no local route for ${method} /_local/${parts.join('/')}` });
}

/** Starts the local cloud on host:port and returns once it listens. */
export async function startLocalCloud(options: StartOptions): Promise<RunningLocalCloud> {
  const cloud = await LocalCloud.open(options);
  const server: Server = createServer((req, res) => {
    route(cloud, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, error.body, error.headers);
      cloud.log(`[local-cloud] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      send(res, 500, { errCode: -501999, errMsg: 'local cloud internal error' });
    });
  });
  // Keep-alive sockets from the SDK must not hold close() open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3900, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  cloud.attach(url);
  return {
    cloud,
    url,
    port: address.port,
    async close() {
      // Stop accepting first, so nothing reaches the cloud while it shuts down.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await cloud.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
