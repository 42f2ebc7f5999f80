/**
 * The openapi adapter's getPhoneNumber against a fake transport, and the production transport
 * against a fake `cloud.openapi`: reply shapes as wx-server-sdk 4.0.2 produces them (it drops
 * errcode/errmsg, camelCases the rest and rejects with the platform's errcode).
 */
import { OpenApiAdapter, type Invoke, type OpenApiReply } from '../../../server/adapters/wechat-openapi.adapter';
import { OpenApiError, type WechatOpenApiPort } from '../../../server/ports/wechat-openapi.port';

const WATERMARK = { timestamp: 1637744274, appid: 'wx-test-appid' };

function adapterReplying(reply: OpenApiReply): { api: OpenApiAdapter; calls: Array<[string, Record<string, unknown>]> } {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const invoke: Invoke = async (name, body) => {
    calls.push([name, body]);
    return reply;
  };
  return { api: new OpenApiAdapter(invoke), calls };
}

describe('OpenApiAdapter.getPhoneNumber', () => {
  test('sends the code to phonenumber.getPhoneNumber and reads the camelCased phoneInfo', async () => {
    const { api, calls } = adapterReplying({
      errCode: 0,
      errMsg: 'openapi.phonenumber.getPhoneNumber:ok',
      phoneInfo: { phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: WATERMARK },
    });
    await expect(api.getPhoneNumber('code-1')).resolves.toEqual({ phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86' });
    expect(calls).toEqual([['phonenumber.getPhoneNumber', { code: 'code-1' }]]);
  });

  test('reads the HTTP spelling phone_info too, and a numeric countryCode as in the documented example', async () => {
    const { api } = adapterReplying({
      errCode: 0,
      errMsg: 'ok',
      phone_info: { phoneNumber: '+85261234567', purePhoneNumber: '61234567', countryCode: 852, watermark: WATERMARK },
    });
    await expect(api.getPhoneNumber('code-2')).resolves.toEqual({ phoneNumber: '+85261234567', purePhoneNumber: '61234567', countryCode: '852' });
  });

  test('a non-zero errCode is an OpenApiError with that code', async () => {
    const { api } = adapterReplying({ errCode: 40029, errMsg: 'invalid code' });
    const failure = await api.getPhoneNumber('used').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenApiError);
    expect(failure).toMatchObject({ errCode: 40029, message: 'invalid code' });
  });

  test('a success without phone info is an error, not an empty phone', async () => {
    const { api } = adapterReplying({ errCode: 0, errMsg: 'openapi.phonenumber.getPhoneNumber:ok' });
    await expect(api.getPhoneNumber('odd')).rejects.toThrow(/no phone_info/);
  });
});

describe('the cloud transport (cloud.openapi)', () => {
  /** The adapter module with wx-server-sdk replaced by a fake whose getPhoneNumber is `impl`. */
  function cloudAdapter(impl: (body: unknown) => Promise<unknown>): { api: WechatOpenApiPort; bodies: unknown[]; IsolatedOpenApiError: typeof OpenApiError } {
    const bodies: unknown[] = [];
    let api: WechatOpenApiPort | undefined;
    // The isolated registry has its own copy of the port module, hence of the error class.
    let IsolatedOpenApiError: typeof OpenApiError | undefined;
    jest.isolateModules(() => {
      jest.doMock('wx-server-sdk', () => ({
        __esModule: true,
        default: {
          DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
          init: () => undefined,
          openapi: {
            phonenumber: {
              getPhoneNumber: (body: unknown) => {
                bodies.push(body);
                return impl(body);
              },
            },
          },
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const adapter = require('../../../server/adapters/wechat-openapi.adapter') as typeof import('../../../server/adapters/wechat-openapi.adapter');
      api = adapter.wechatOpenApi({});
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      IsolatedOpenApiError = (require('../../../server/ports/wechat-openapi.port') as typeof import('../../../server/ports/wechat-openapi.port')).OpenApiError;
    });
    jest.dontMock('wx-server-sdk');
    return { api: api as WechatOpenApiPort, bodies, IsolatedOpenApiError: IsolatedOpenApiError as typeof OpenApiError };
  }

  test('calls cloud.openapi.phonenumber.getPhoneNumber({ code })', async () => {
    const { api, bodies } = cloudAdapter(async () => ({
      phoneInfo: { phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86', watermark: WATERMARK },
      errMsg: 'openapi.phonenumber.getPhoneNumber:ok',
      errCode: 0,
    }));
    await expect(api.getPhoneNumber('code-3')).resolves.toEqual({ phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86' });
    expect(bodies).toEqual([{ code: 'code-3' }]);
  });

  test('the SDK\'s rejection with the platform errcode becomes OpenApiError', async () => {
    const { api, IsolatedOpenApiError } = cloudAdapter(async () => {
      // What CloudSDKError carries for a used or expired code.
      throw Object.assign(new Error('openapi.phonenumber.getPhoneNumber:fail invalid code'), {
        errCode: 40029,
        errMsg: 'openapi.phonenumber.getPhoneNumber:fail invalid code hint: [x] rid: y',
      });
    });
    await expect(api.getPhoneNumber('used')).rejects.toMatchObject({ constructor: IsolatedOpenApiError, errCode: 40029 });
  });

  test('a rejection without an errCode is rethrown as it is', async () => {
    const network = new Error('socket hang up');
    const { api } = cloudAdapter(async () => {
      throw network;
    });
    await expect(api.getPhoneNumber('c')).rejects.toBe(network);
  });
});
