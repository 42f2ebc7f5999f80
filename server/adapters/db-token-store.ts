/**
 * Shares access tokens between function instances through the database, so a cold instance
 * reuses a valid token instead of spending a gettoken call. The collection is admin-only.
 */
import type { Db } from '../db/db';
import { findById } from '../db/db';
import type { CachedToken, TokenStore } from '../ports/wecom.port';

interface TokenDoc {
  _id: string;
  token: string;
  expiresAt: number;
}

export function dbTokenStore(db: Db): TokenStore {
  const idOf = (key: string): string => `token:${key}`;
  return {
    async load(key) {
      const doc = await findById<TokenDoc>(db, 'settings', idOf(key));
      return doc ? ({ token: doc.token, expiresAt: doc.expiresAt } satisfies CachedToken) : null;
    },
    async save(key, token) {
      await db.collection('settings').doc(idOf(key)).set({ data: { token: token.token, expiresAt: token.expiresAt } });
    },
  };
}
