/**
 * Every error code a cloud function may return, `DOMAIN_REASON` in capitals.
 * Feature issues add their codes here so the mini-program can branch on them by type.
 */
export type CommonErrorCode =
  /** `event.action` names no action of this function. */
  | 'UNKNOWN_ACTION'
  /** The input failed validation; `error.field` names the field. */
  | 'INVALID_INPUT'
  /** The caller could not be identified from the WeChat context. */
  | 'UNAUTHENTICATED'
  /** The caller is known but lacks the permission. */
  | 'FORBIDDEN'
  /** An unexpected failure; details are logged on the server, never sent. */
  | 'INTERNAL'
  /** The call never reached the function (network, timeout); produced by the mini-program's transport. */
  | 'NETWORK_ERROR';

export type ErrorCode = CommonErrorCode;
