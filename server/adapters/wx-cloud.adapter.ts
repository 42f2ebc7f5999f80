/**
 * The only module that touches wx-server-sdk directly. In production it talks to the WeChat
 * cloud environment the function runs in; in the local cloud the same SDK is pointed at the
 * embedded endpoint through TCB_CONTEXT_CNFG, so nothing here knows which one it is.
 */
import cloud from 'wx-server-sdk';
import { type Identity, identityFromWxContext } from '../core/identity';
import { type Db, asDb } from '../db/db';

let initialised = false;

export function wxCloud(): typeof cloud {
  if (!initialised) {
    // The SDK's typings predate DYNAMIC_CURRENT_ENV (a symbol) being accepted as `env`.
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV as unknown as string });
    initialised = true;
  }
  return cloud;
}

/** Must be called inside `main`: the context is per invocation. */
export function readWxIdentity(): Identity {
  return identityFromWxContext(wxCloud().getWXContext());
}

export function database(): ReturnType<typeof cloud.database> {
  return wxCloud().database();
}

/** The database as domain modules take it (see server/db/db.ts). */
export function db(): Db {
  return asDb(wxCloud().database());
}

/**
 * wx-server-sdk 4 rethrows the backend's error with errCode -1, keeping CloudBase's `code`
 * (DATABASE_COLLECTION_ALREADY_EXIST) and its message ("[ResourceInUse] Table exist").
 */
function isAlreadyExists(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === 'DATABASE_COLLECTION_ALREADY_EXIST' || (typeof e?.message === 'string' && /ALREADY_EXIST|Table exist/i.test(e.message));
}

export const collectionAdmin = {
  async create(name: string): Promise<boolean> {
    try {
      await database().createCollection(name);
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  },
};
