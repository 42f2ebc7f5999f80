/**
 * Errors the engine reports to the SDK. `code` must be one of the string codes the SDK maps
 * to a WeChat errCode (wx-server-sdk TCB_ERR_CODE): an unknown code becomes -501001, and
 * @cloudbase/database's runTransaction retries only on DATABASE_TRANSACTION_CONFLICT.
 */
export class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

/** -502005 in wx-server-sdk. The message follows CloudBase's wording and names the collection. */
export function collectionNotExist(name: string): DbError {
  return new DbError(
    'DATABASE_COLLECTION_NOT_EXIST',
    `[ResourceNotFound] Db or Table not exist: ${name}. Please check your request, but if the problem persists, contact us.`,
  );
}

export function collectionAlreadyExists(name: string): DbError {
  return new DbError('DATABASE_COLLECTION_ALREADY_EXIST', `[ResourceInUse] Table exist: ${name}`);
}

/** -502001 with MongoDB's E11000 text, so callers can detect a lost insert race by message. */
export function duplicateKey(collection: string, index: string, dupKey: string): DbError {
  return new DbError(
    'DATABASE_REQUEST_FAILED',
    `[FailedOperation] E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${dupKey}`,
  );
}

export function transactionConflict(detail: string): DbError {
  return new DbError('DATABASE_TRANSACTION_CONFLICT', `[ResourceUnavailable.TransactionConflict] ${detail}`);
}

export function invalidParam(message: string): DbError {
  return new DbError('INVALID_PARAM', message);
}

export function requestFailed(message: string): DbError {
  return new DbError('DATABASE_REQUEST_FAILED', `[InvalidParameter] ${message}`);
}
