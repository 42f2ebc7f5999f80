/**
 * A stand-in for the WeCom (企业微信) server API: the access_token life cycle and the
 * mini-program login exchange, with the real reply shapes (`{errcode: 0, errmsg: 'ok', ...}`)
 * and errcodes, so the production client runs against it unchanged over HTTP. Tests steer it
 * (codes a member would get, early token expiry, injected failures) and read what it was sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WecomStandInOptions {
  corpId: string;
  secret: string;
  tokenTtlSeconds?: number;
  /** Epoch ms; shared with the client under test to move time without waiting. */
  now?: () => number;
}

export interface WecomStandInReply {
  status: number;
  json: unknown;
}

export interface WecomRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

const CODE_TTL_MS = 5 * 60_000;

interface IssuedToken {
  expiresAt: number;
  revoked: boolean;
}

interface IssuedCode {
  userId: string;
  issuedAt: number;
  used: boolean;
}

/** WeCom's error replies carry a hint and a pointer to its errcode lookup page. */
function error(errcode: number, message: string, status = 200): WecomStandInReply {
  const hint = randomBytes(6).toString('hex');
  return { status, json: { errcode, errmsg: `${message}, hint: [${hint}], more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` } };
}

function ok(fields: Record<string, unknown>): WecomStandInReply {
  return { status: 200, json: { errcode: 0, errmsg: 'ok', ...fields } };
}

export class WecomStandIn {
  readonly requests: WecomRecordedRequest[] = [];
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly codes = new Map<string, IssuedCode>();
  private readonly failures = new Map<string, { errcode: number; remaining: number }[]>();
  private readonly tokenTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WecomStandInOptions) {
    this.tokenTtlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
    this.now = options.now ?? Date.now;
  }

  get corpId(): string {
    return this.options.corpId;
  }

  get tokenRequests(): number {
    return this.requestsTo('/cgi-bin/gettoken').length;
  }

  requestsTo(path: string): WecomRecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** The code `wx.qy.login()` gives this member: single use, valid 5 minutes. */
  issueCode(userId: string): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { userId, issuedAt: this.now(), used: false });
    return code;
  }

  /** WeCom may invalidate tokens before their expiry: every token issued so far now answers 42001. */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** The next `times` requests to `path` answer `errcode`, before any other check. */
  failNext(path: string, errcode: number, times = 1): void {
    const queue = this.failures.get(path) ?? [];
    queue.push({ errcode, remaining: times });
    this.failures.set(path, queue);
  }

  reset(): void {
    this.requests.length = 0;
    this.tokens.clear();
    this.codes.clear();
    this.failures.clear();
  }

  handle(method: string, path: string, query: URLSearchParams, body: unknown): WecomStandInReply {
    this.requests.push({ method, path, query: Object.fromEntries(query), body });
    const injected = this.takeFailure(path);
    if (injected !== null) return error(injected, injectedMessage(injected));
    switch (path) {
      case '/cgi-bin/gettoken':
        return method === 'GET' ? this.getToken(query) : error(43001, 'require GET method');
      case '/cgi-bin/miniprogram/jscode2session':
        return method === 'GET' ? this.jscode2session(query) : error(43001, 'require GET method');
      default:
        return error(404, `the WeCom stand-in does not implement ${path}`, 404);
    }
  }

  private takeFailure(path: string): number | null {
    const queue = this.failures.get(path);
    const next = queue?.[0];
    if (!queue || !next) return null;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    return next.errcode;
  }

  private getToken(query: URLSearchParams): WecomStandInReply {
    const corpId = query.get('corpid');
    const secret = query.get('corpsecret');
    if (!corpId) return error(41002, 'corpid missing');
    if (!secret) return error(41004, 'corpsecret missing');
    if (corpId !== this.options.corpId) return error(40013, 'invalid corpid');
    if (secret !== this.options.secret) return error(40001, 'invalid credential');
    const now = this.now();
    // Like WeCom: while a token is valid, asking again returns it with the time it has left.
    for (const [token, issued] of this.tokens) {
      const left = Math.floor((issued.expiresAt - now) / 1000);
      if (!issued.revoked && left >= 1) return ok({ access_token: token, expires_in: left });
    }
    const token = randomBytes(48).toString('base64url');
    this.tokens.set(token, { expiresAt: now + this.tokenTtlMs, revoked: false });
    return ok({ access_token: token, expires_in: Math.floor(this.tokenTtlMs / 1000) });
  }

  /** Null when the token is usable, else the reply WeCom gives for it. */
  private checkToken(query: URLSearchParams): WecomStandInReply | null {
    const token = query.get('access_token');
    if (!token) return error(41001, 'access_token missing');
    const issued = this.tokens.get(token);
    if (!issued) return error(40014, 'invalid access_token');
    if (issued.revoked || this.now() >= issued.expiresAt) return error(42001, 'access_token expired');
    return null;
  }

  private jscode2session(query: URLSearchParams): WecomStandInReply {
    const tokenProblem = this.checkToken(query);
    if (tokenProblem) return tokenProblem;
    const code = query.get('js_code');
    if (!code) return error(41008, 'missing code');
    if (query.get('grant_type') !== 'authorization_code') return error(40002, 'invalid grant_type');
    const issued = this.codes.get(code);
    if (!issued || issued.used || this.now() - issued.issuedAt >= CODE_TTL_MS) return error(40029, 'invalid code');
    issued.used = true;
    return ok({ corpid: this.options.corpId, userid: issued.userId, session_key: randomBytes(16).toString('base64') });
  }
}

function injectedMessage(errcode: number): string {
  switch (errcode) {
    case -1:
      return 'system busy';
    case 45009:
      return 'api freq out of limit';
    case 45033:
      return 'api concurrent out of limit';
    default:
      return `injected failure ${errcode}`;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, { status, json }: WecomStandInReply): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(json));
}

/** Serves the stand-in on a free port; `url` is the base URL to give the client. */
export async function startFakeWecomServer(standIn: WecomStandIn, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const text = await readBody(req);
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          reply(res, error(47001, 'data format error'));
          return;
        }
      }
      reply(res, standIn.handle(req.method ?? 'GET', url.pathname, url.searchParams, body));
    })().catch(() => {
      if (!res.headersSent) reply(res, error(-1, 'system busy', 500));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
