import type { IncomingMessage } from 'node:http';
import { callerIdentity, HttpError, isLoopback } from '../../../local-cloud/src/server';

function request(remoteAddress: string, headers: Record<string, string>): Pick<IncomingMessage, 'headers' | 'socket'> {
  return { headers, socket: { remoteAddress } } as unknown as Pick<IncomingMessage, 'headers' | 'socket'>;
}

describe('identity headers of the local cloud', () => {
  test('loopback addresses are recognised in every form', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.4.5.6')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('192.168.1.10')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.2')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });

  test('a loopback caller becomes the identity it names', () => {
    const identity = callerIdentity(request('127.0.0.1', { 'x-wx-openid': 'o-1', 'x-wx-appid': 'wx-a', 'x-wx-unionid': 'u-1' }));
    expect(identity).toEqual({ openid: 'o-1', appid: 'wx-a', unionid: 'u-1', clientIp: '127.0.0.1', source: 'wx_client' });
  });

  test('identity headers from another machine are refused with 403', () => {
    let thrown: unknown;
    try {
      callerIdentity(request('192.168.1.10', { 'x-wx-openid': 'o-1' }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).status).toBe(403);
  });

  test('a remote caller without identity headers is anonymous, not refused', () => {
    expect(callerIdentity(request('192.168.1.10', {}))).toMatchObject({ openid: undefined, source: 'wx_http' });
  });
});
