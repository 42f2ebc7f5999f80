import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { INVALID_PARAM, LocalCloud, STORAGE_FILES_ROUTE, STORAGE_PUT_ROUTE, WECOM_ROUTE, type LocalCloudOptions } from './cloud';
import { parseInstant } from './clock';
import { describeError } from './functions/protocol';
import type { CallerIdentity } from './invocations';
import { MEDIA_VERDICTS, type MediaVerdict } from './stand-ins/media-check';
import { SubscribeRequestError, isE164, type SubscribeChoice } from './stand-ins/openapi';
import { MAX_FILE_BYTES, StorageError, cloudPathProblem, isPrivatePath } from './stand-ins/storage';

/** A mini-program call's payload stays well under this on the platform (about 100 KB). */
const FUNCTION_BODY_LIMIT = 100 * 1024;
/** Database requests carry batches (1,000 documents and more). */
const TCB_BODY_LIMIT = 32 * 1024 * 1024;
/** Room for the boundaries, part headers and the cloudPath field around a file at the limit. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** Past this a client is not just sending a big file: stop draining and drop the connection. */
const DRAIN_LIMIT_FACTOR = 4;

export interface StartOptions extends LocalCloudOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningLocalCloud {
  cloud: LocalCloud;
  url: string;
  port: number;
  /**
   * Stops the time every function instance (running ones included) and the cloud's records see
   * at `instant`, at once; null lets the real time run again (see LocalCloud.setClock).
   */
  setClock(instant: Date | null): void;
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

/**
 * Reads a binary body. Past `limit` the rest is still read and thrown away, so the client,
 * which is still sending, gets the 413 instead of a reset connection.
 */
function readBuffer(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit * DRAIN_LIMIT_FACTOR) {
        req.destroy();
        reject(new HttpError(413, { errCode: -501001, errMsg: `request body larger than ${limit} bytes` }, { Connection: 'close' }));
        return;
      }
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
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

export class MultipartError extends Error {}

export interface MultipartPart {
  /** The field name from Content-Disposition. */
  name: string;
  /** Present for file parts (possibly empty), absent for plain fields. */
  filename?: string;
  contentType?: string;
  content: Buffer;
}

/** The boundary of a `multipart/form-data` content type; null when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const match = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  const boundary = match ? (match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]) : '';
  // RFC 2046: 1 to 70 characters.
  return boundary && boundary.length <= 70 ? boundary : null;
}

/** Parameters of a header value such as `form-data; name="file"; filename="a b.jpg"`. */
function headerParams(value: string): Map<string, string> {
  const plain = new Map<string, string>();
  const extended = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1].toLowerCase();
    const text = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    if (!key.endsWith('*')) {
      if (!plain.has(key)) plain.set(key, text);
      continue;
    }
    // RFC 5987 (`filename*=UTF-8''%E5%A4%B4.jpg`): decoded, it wins over the plain form.
    const ext = /^([^']*)'[^']*'(.*)$/.exec(text);
    if (!ext) continue;
    try {
      extended.set(key.slice(0, -1), decodeURIComponent(ext[2]));
    } catch {
      // An undecodable extended value falls back to the plain one.
    }
  }
  return new Map([...plain, ...extended]);
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_PARTS = 100;
const MAX_PART_HEADER_BYTES = 16 * 1024;

/**
 * Splits a multipart/form-data body (RFC 7578 / RFC 2046) into its parts. Byte-exact: a part's
 * content is everything between the CRLF that ends its headers and the CRLF that precedes the
 * next delimiter, whatever bytes (CR, LF, `--`) it holds.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  let pos: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    pos = dashBoundary.length;
  } else {
    // A preamble before the first delimiter is allowed and ignored.
    const first = body.indexOf(delimiter);
    if (first < 0) throw new MultipartError('no multipart boundary found in the body');
    pos = first + delimiter.length;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    // Transport padding may follow a delimiter before its CRLF.
    while (body[pos] === 0x20 || body[pos] === 0x09) pos += 1;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new MultipartError('malformed multipart delimiter line');
    pos += 2;
    if (parts.length >= MAX_PARTS) throw new MultipartError(`more than ${MAX_PARTS} parts`);
    let headerText = '';
    let contentStart: number;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      contentStart = pos + 2;
    } else {
      const headerEnd = body.indexOf(HEADER_END, pos);
      if (headerEnd < 0 || headerEnd - pos > MAX_PART_HEADER_BYTES) throw new MultipartError('malformed part headers');
      headerText = body.subarray(pos, headerEnd).toString('utf8');
      contentStart = headerEnd + HEADER_END.length;
    }
    const next = body.indexOf(delimiter, contentStart - 2);
    if (next < 0) throw new MultipartError('the body ends before the closing boundary');
    const headers = new Map<string, string>();
    for (const line of headerText ? headerText.split('\r\n') : []) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MultipartError('malformed part header line');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    if (!/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('a part without Content-Disposition: form-data');
    const params = headerParams(disposition);
    const name = params.get('name');
    if (name === undefined) throw new MultipartError('a part without a name');
    // An empty part puts the next delimiter right after the blank line; its leading CRLF is
    // then the one that ended the headers.
    const content = next < contentStart ? Buffer.alloc(0) : body.subarray(contentStart, next);
    parts.push({ name, filename: params.get('filename'), contentType: headers.get('content-type'), content });
    pos = next + delimiter.length;
  }
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** COS answers a failed PUT with this XML; the SDK reads Code, Message, RequestId and TraceId. */
function sendCosError(res: ServerResponse, status: number, code: string, message: string, resource: string): void {
  const text = `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${xmlEscape(message)}</Message>\n  <Resource>${xmlEscape(resource)}</Resource>\n  <RequestId>${randomUUID()}</RequestId>\n  <TraceId>${randomUUID()}</TraceId>\n</Error>\n`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The mini-program's `wx.uploadFile({ url, filePath, name: 'file', formData: { cloudPath } })` in local mode. */
async function handleMultipartUpload(cloud: LocalCloud, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireLoopback(req);
  const boundary = multipartBoundary(header(req, 'Content-Type'));
  if (!boundary) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'the upload must be multipart/form-data with a boundary' });
  const { body, tooLarge } = await readBuffer(req, MAX_FILE_BYTES + MULTIPART_OVERHEAD);
  if (tooLarge) throw new HttpError(413, { errCode: -501001, errMsg: `file larger than ${MAX_FILE_BYTES} bytes` });
  let parts: MultipartPart[];
  try {
    parts = parseMultipart(body, boundary);
  } catch (error) {
    if (error instanceof MultipartError) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: `malformed multipart body: ${error.message}` });
    throw error;
  }
  const files = parts.filter((part) => part.name === 'file' && part.filename !== undefined);
  const paths = parts.filter((part) => part.name === 'cloudPath' && part.filename === undefined);
  if (files.length !== 1) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'exactly one file part named "file" is required' });
  if (paths.length !== 1) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'exactly one cloudPath field is required' });
  const cloudPath = paths[0].content.toString('utf8');
  const problem = cloudPathProblem(cloudPath);
  if (problem) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: problem });
  if (files[0].content.length > MAX_FILE_BYTES) throw new HttpError(413, { errCode: -501001, errMsg: `file larger than ${MAX_FILE_BYTES} bytes` });
  try {
    const info = cloud.storage.put(cloudPath, files[0].content, files[0].contentType);
    return send(res, 200, { fileID: info.fileID });
  } catch (error) {
    if (error instanceof StorageError) throw new HttpError(error.code === 'TOO_LARGE' ? 413 : 400, { errCode: error.code === 'TOO_LARGE' ? -501001 : INVALID_PARAM, errMsg: error.message });
    throw error;
  }
}

/** The PUT the SDK sends after getUploadMetadata, answered as COS would: empty body or XML error. */
async function handleSignedPut(cloud: LocalCloud, cloudPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  requireLoopback(req);
  const { body, tooLarge } = await readBuffer(req, MAX_FILE_BYTES);
  const check = cloud.storage.checkUpload(cloudPath, header(req, 'Authorization'));
  if (check === 'expired') return sendCosError(res, 403, 'AccessDenied', 'Request has expired', cloudPath);
  if (check !== 'ok') return sendCosError(res, 403, 'SignatureDoesNotMatch', 'The signature does not match this upload', cloudPath);
  if (tooLarge) return sendCosError(res, 400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed object size of ${MAX_FILE_BYTES} bytes`, cloudPath);
  try {
    cloud.storage.put(cloudPath, body, header(req, 'Content-Type'));
  } catch (error) {
    if (error instanceof StorageError) return sendCosError(res, 400, error.code === 'TOO_LARGE' ? 'EntityTooLarge' : 'InvalidArgument', error.message, cloudPath);
    throw error;
  }
  res.writeHead(200, { 'Content-Length': '0', ETag: `"${createHash('md5').update(body).digest('hex')}"` });
  res.end();
}

/**
 * A stored file, as a temporary URL or a local `<image src>` fetches it. A private file (notice
 * attachments, exports) is served only to a signed, unexpired temporary URL, and refused before
 * its existence is looked up, so a guessed path reveals nothing.
 */
function serveStoredFile(cloud: LocalCloud, cloudPath: string, query: URLSearchParams, res: ServerResponse): void {
  if (isPrivatePath(cloudPath)) {
    const check = cloud.storage.checkDownload(cloudPath, query.get('sign'), query.get('t'));
    if (check === 'missing') return sendCosError(res, 403, 'AccessDenied', 'Access Denied.', cloudPath);
    if (check === 'expired') return sendCosError(res, 403, 'AccessDenied', 'Request has expired', cloudPath);
    if (check !== 'ok') return sendCosError(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', cloudPath);
  }
  const file = cloudPathProblem(cloudPath) === null ? cloud.storage.get(cloudPath) : null;
  if (!file) throw new HttpError(404, { errCode: -503003, errMsg: 'storage file not exists' });
  res.writeHead(200, {
    'Content-Type': file.info.contentType,
    'Content-Length': file.content.length,
    'Last-Modified': new Date(file.info.updatedAt).toUTCString(),
    'Cache-Control': 'no-cache',
    // Uploaded bytes are served as declared, never sniffed into something runnable.
    'X-Content-Type-Options': 'nosniff',
  });
  // Node leaves the body out of a HEAD answer itself.
  res.end(file.content);
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
  if (method === 'POST' && url.pathname === '/storage/upload') return handleMultipartUpload(cloud, req, res);
  if ((method === 'GET' || method === 'HEAD') && url.pathname.startsWith(STORAGE_FILES_ROUTE)) {
    return serveStoredFile(cloud, decodePathPart(url.pathname.slice(STORAGE_FILES_ROUTE.length)), url.searchParams, res);
  }
  if (method === 'PUT' && url.pathname.startsWith(STORAGE_PUT_ROUTE)) {
    return handleSignedPut(cloud, decodePathPart(url.pathname.slice(STORAGE_PUT_ROUTE.length)), req, res);
  }
  if (parts[0] === WECOM_ROUTE.slice(1) && parts[1] === 'cgi-bin') {
    // Functions on this machine call it as they call qyapi.weixin.qq.com.
    requireLoopback(req);
    const body = method === 'POST' ? await readJson(req, FUNCTION_BODY_LIMIT) : null;
    const reply = cloud.wecom.handle(method, url.pathname.slice(WECOM_ROUTE.length), url.searchParams, body);
    return send(res, reply.status, reply.json);
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
    // Before the API-name route below, which would take "phone-code" or "subscribe" for an API.
    if (method === 'POST' && sub === 'phone-code') {
      // What <button open-type="getPhoneNumber"> would give a user with this bound phone.
      const { phone } = await readJson(req, FUNCTION_BODY_LIMIT);
      if (!isE164(phone)) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'phone must be + followed by 6 to 15 digits' });
      return send(res, 200, { code: cloud.openapi.issuePhoneCode(phone) });
    }
    if (method === 'POST' && sub === 'subscribe') {
      // What a wx.requestSubscribeMessage popup leaves with WeChat: the person's answer per template.
      const { openid, choices } = await readJson(req, FUNCTION_BODY_LIMIT);
      if (typeof openid !== 'string' || typeof choices !== 'object' || choices === null || Array.isArray(choices)) {
        throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'the body must be {"openid": string, "choices": {"<template id>": "accept" | "reject" | "ban" | "filter"}}' });
      }
      try {
        return send(res, 200, { credits: cloud.openapi.subscribe(openid, choices as Record<string, SubscribeChoice>) });
      } catch (error) {
        if (error instanceof SubscribeRequestError) throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: error.message });
        throw error;
      }
    }
    if (sub === 'media-checks') return routeMediaChecks(cloud, method, parts[2], req, res);
    if (method === 'POST' && sub) return send(res, 200, cloud.openapi.handle(sub, await readJson(req, FUNCTION_BODY_LIMIT)));
    if (method === 'GET' && !sub) {
      return send(res, 200, {
        subscribeMessages: cloud.openapi.subscribeMessages,
        subscribeCredits: cloud.openapi.subscribeCredits(),
        phoneExchanges: cloud.openapi.phoneExchanges,
        wxacodes: cloud.openapi.wxacode.calls,
        mediaChecks: cloud.openapi.mediaCheck.calls,
      });
    }
    if (method === 'DELETE' && !sub) {
      cloud.openapi.clear();
      return send(res, 200, { ok: true });
    }
  }
  if (area === 'clock' && !sub) {
    if (method === 'POST') {
      // Moves the time functions see, for trying check-in windows and timers by hand.
      const { at } = await readJson(req, FUNCTION_BODY_LIMIT);
      const instant = parseInstant(at);
      if (at !== null && !instant) {
        throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'the body must be {"at": "<ISO instant with zone>"} or {"at": null} for the real time' });
      }
      cloud.setClock(instant);
    }
    if (method === 'POST' || method === 'GET') return send(res, 200, { now: cloud.currentTime().toISOString(), frozen: cloud.frozenAt !== null });
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
  if (area === 'wecom' && sub === 'code' && method === 'POST') {
    // What wx.qy.login() would give this WeCom member, for trying wecomLogin by hand.
    const { userId } = await readJson(req, FUNCTION_BODY_LIMIT);
    if (typeof userId !== 'string' || !userId) throw new HttpError(400, { errMsg: 'userId required' });
    return send(res, 200, { code: cloud.wecom.issueCode(userId), corpId: cloud.wecom.corpId });
  }
  if (area === 'storage' && !sub && method === 'GET') {
    return send(res, 200, { files: cloud.storage.list(url.searchParams.get('prefix') ?? '') });
  }
  if (area === 'db' && sub && method === 'GET') {
    const name = decodePathPart(sub);
    if (!cloud.engine.hasCollection(name)) throw new HttpError(404, { errMsg: `no collection ${name}` });
    return send(res, 200, { documents: cloud.engine.dump(name) });
  }
  throw new HttpError(404, { errMsg: `no local route for ${method} /_local/${parts.join('/')}` });
}

/**
 * The image checks (security.mediaCheckAsync): GET lists them; `hold` makes the checks asked
 * from then on wait, `release` runs the held ones (one with `traceId`), with a forced `verdict`
 * or judged from the bytes, and answers once the routed function answered each push.
 */
async function routeMediaChecks(cloud: LocalCloud, method: string, control: string | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const checks = cloud.openapi.mediaCheck;
  if (method === 'GET' && !control) return send(res, 200, { hold: checks.isHolding, inFlight: checks.inFlightCount, checks: checks.calls });
  if (method === 'POST' && control === 'hold') {
    const { hold } = await readJson(req, FUNCTION_BODY_LIMIT);
    if (typeof hold !== 'boolean') throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: 'the body must be {"hold": true | false}' });
    checks.hold(hold);
    return send(res, 200, { hold });
  }
  if (method === 'POST' && control === 'release') {
    const { traceId, verdict } = await readJson(req, FUNCTION_BODY_LIMIT);
    if ((traceId !== undefined && typeof traceId !== 'string') || (verdict !== undefined && !MEDIA_VERDICTS.includes(verdict as MediaVerdict))) {
      throw new HttpError(400, { errCode: INVALID_PARAM, errMsg: `the body must be {"traceId"?: string, "verdict"?: ${MEDIA_VERDICTS.map((v) => `"${v}"`).join(' | ')}}` });
    }
    const released = await checks.release({ traceId: traceId as string | undefined, verdict: verdict as MediaVerdict | undefined });
    if (traceId !== undefined && released.length === 0) throw new HttpError(404, { errCode: INVALID_PARAM, errMsg: `no held check has the trace id ${traceId}` });
    return send(res, 200, { released });
  }
  throw new HttpError(404, { errMsg: `no local route for ${method} /_local/openapi/media-checks${control ? `/${control}` : ''}` });
}

/** Starts the local cloud on host:port and returns once it listens. */
export async function startLocalCloud(options: StartOptions): Promise<RunningLocalCloud> {
  const cloud = await LocalCloud.open(options);
  const server: Server = createServer((req, res) => {
    route(cloud, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, error.body, error.headers);
      cloud.log(`[local-cloud] ${describeError(error)}`);
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
  try {
    await cloud.seedDemoRooms();
    await cloud.seedDemoProposals();
  } catch (error) {
    await cloud.close();
    server.close();
    throw error;
  }
  return {
    cloud,
    url,
    port: address.port,
    setClock: (instant) => cloud.setClock(instant),
    async close() {
      // Stop accepting first, so nothing reaches the cloud while it shuts down.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await cloud.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
