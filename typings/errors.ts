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
  /** Expected contention (many people changing the same thing at once): retry shortly. */
  | 'BUSY_RETRY'
  /** The call never reached the function (network, timeout); produced by the mini-program's transport. */
  | 'NETWORK_ERROR';

/** Accounts, profile and roles (function `login`, and the guard every function shares). */
export type AccountErrorCode =
  /** The caller has never signed in: call `login.login` first. */
  | 'ACCOUNT_NOT_FOUND'
  /** The named account does not exist. */
  | 'USER_NOT_FOUND'
  /** Revoking would leave the organisation without an admin. */
  | 'LAST_ADMIN'
  /** The bootstrap code is wrong or not configured. */
  | 'BOOTSTRAP_CODE_INVALID'
  /** An admin exists already; further admins are granted by admins. */
  | 'BOOTSTRAP_CLOSED'
  /** The content check rejected the text. */
  | 'CONTENT_RISKY'
  /** The avatar is not a file the caller uploaded under their avatar folder. */
  | 'AVATAR_INVALID'
  /** The conflict record does not exist. */
  | 'CONFLICT_NOT_FOUND'
  /** The two accounts are bound to different roster members: unbind one first. */
  | 'ACCOUNT_MERGE_BLOCKED'
  /** WeCom sign-in is not configured on this deployment. */
  | 'WECOM_NOT_CONFIGURED'
  /** The `wx.qy.login()` code is invalid, used or expired. */
  | 'WECOM_CODE_INVALID'
  /** The code belongs to another WeCom organisation than the configured one. */
  | 'WECOM_CORP_MISMATCH'
  /** The WeCom member is linked to another account already. */
  | 'WECOM_ALREADY_LINKED'
  /** WeCom did not answer usefully after retries. */
  | 'WECOM_UNAVAILABLE';

/** Units, roster, binding, directory and import (function `org`). */
export type OrgErrorCode =
  | 'UNIT_NOT_FOUND'
  /** The unit has sub-units or members (active or deactivated). */
  | 'UNIT_NOT_EMPTY'
  /** The new parent lies inside the unit being moved. */
  | 'UNIT_CYCLE'
  /** The tree would be deeper than six levels. */
  | 'UNIT_TOO_DEEP'
  /** A sibling already has this name. */
  | 'UNIT_NAME_TAKEN'
  /** The organisation itself cannot be moved or deleted. */
  | 'UNIT_ROOT_LOCKED'
  | 'MEMBER_NOT_FOUND'
  /** Another member has this student or staff number. */
  | 'MEMBER_NUMBER_TAKEN'
  /** Another member has this WeCom userid. */
  | 'MEMBER_WECOM_TAKEN'
  /** The member changed since it was read: reload and retry. */
  | 'MEMBER_STALE'
  | 'PHONE_INVALID'
  /** The getPhoneNumber code is invalid, used or expired. */
  | 'PHONE_CODE_INVALID'
  /** No active roster member has the caller's phone number (or WeCom userid). */
  | 'ROSTER_NO_MATCH'
  /** Several unbound members match: an admin must bind. */
  | 'ROSTER_AMBIGUOUS'
  /** The member is bound to another account; rebinding needs an admin. */
  | 'MEMBER_ALREADY_BOUND'
  /** The account is bound to another member; rebinding needs an admin. */
  | 'ACCOUNT_ALREADY_BOUND'
  /** The member is deactivated. */
  | 'MEMBER_INACTIVE'
  /** The caller's account has no WeCom link: sign in inside WeCom first. */
  | 'WECOM_NOT_LINKED'
  | 'IMPORT_NOT_FOUND'
  /** The file cannot be read as a roster (format, encoding or missing columns). */
  | 'IMPORT_FILE_INVALID'
  /** The file is too large or has too many rows. */
  | 'IMPORT_TOO_LARGE'
  /** The preview is older than 24 hours: upload and preview again. */
  | 'IMPORT_EXPIRED'
  /** Another call is applying this import right now. */
  | 'IMPORT_BUSY';

/** Notices and announcements (function `notice`). */
export type NoticeErrorCode =
  /** No such notice, or not one the caller may see (never says which). */
  | 'NOTICE_NOT_FOUND'
  /** The notice changed since it was read: reload and retry. */
  | 'NOTICE_STALE'
  /** Not possible in the notice's current state (editing a draft as published, recalling a recalled one...). */
  | 'NOTICE_STATE'
  /** An attachment is not a file the author uploaded, is gone, or is of a kind that cannot be attached. */
  | 'NOTICE_ATTACHMENT_INVALID'
  /** The audience reaches nobody. */
  | 'NOTICE_AUDIENCE_EMPTY'
  /** A reminder went out less than 5 minutes ago. */
  | 'NOTICE_REMIND_TOO_SOON'
  /** Subscribe messages are not configured on this deployment. */
  | 'SUBSCRIBE_NOT_CONFIGURED'
  /** WeChat's content check did not answer (busy, rate limit): nothing was saved, try again shortly. */
  | 'CONTENT_CHECK_UNAVAILABLE';

/** Meeting rooms and their bookings (function `room`). */
export type RoomErrorCode =
  /** No such room (or it was removed). */
  | 'ROOM_NOT_FOUND'
  /** The room changed since it was read: reload and retry. */
  | 'ROOM_STALE'
  /** Another room has this name. */
  | 'ROOM_NAME_TAKEN'
  /** The room is out of service: nothing can be booked in it. */
  | 'ROOM_OUT_OF_SERVICE'
  /** The caller may not book this room (their units, or no roster member yet). */
  | 'ROOM_NOT_ALLOWED'
  /** The photo is not an image the caller uploaded. */
  | 'ROOM_PHOTO_INVALID'
  /** WeChat did not make the room's code (busy, or the page is not in the released version). */
  | 'ROOM_CODE_UNAVAILABLE'
  /** No such booking, or not one the caller may see. */
  | 'BOOKING_NOT_FOUND'
  /** The time is not on the room's slot boundaries, or the end is not after the start. */
  | 'BOOKING_NOT_ON_SLOT'
  /** Outside the room's opening hours, or on a day it is closed. */
  | 'BOOKING_OUTSIDE_HOURS'
  /** Longer than the room's longest booking. */
  | 'BOOKING_TOO_LONG'
  /** Further ahead than the room may be booked. */
  | 'BOOKING_TOO_FAR'
  /** The time has begun or passed. */
  | 'BOOKING_IN_PAST'
  /** Another booking holds some of the time; `error.conflicts` says which. */
  | 'BOOKING_CONFLICT'
  /** Not possible in the booking's state (cancelling a past one, ending one not begun...). */
  | 'BOOKING_STATE'
  /** Outside the check-in window (the message says when it opens or that it closed). */
  | 'BOOKING_CHECK_IN_CLOSED'
  /** At this room there is no booking of the caller's to check in now. */
  | 'BOOKING_NONE_NOW'
  /** The booking changed since it was read: reload and retry. */
  | 'BOOKING_STALE';

export type ProposalErrorCode =
  /** No such proposal, or not one the caller may see (private to its proposer and handlers). */
  | 'PROPOSAL_NOT_FOUND'
  /** The proposal changed since it was read (another handler acted): reload and retry. */
  | 'PROPOSAL_STALE'
  /** The move is not allowed from the proposal's status (or merging into a closed one). */
  | 'PROPOSAL_INVALID_TRANSITION'
  /** The caller submitted PROPOSAL_DAILY_LIMIT proposals today already. */
  | 'PROPOSAL_DAILY_LIMIT'
  /** Only public proposals can be supported. */
  | 'PROPOSAL_NOT_PUBLIC'
  /** The caller's account is not bound to an active roster member: proposals come from members. */
  | 'PROPOSAL_NO_MEMBER'
  /** A proposer cannot support their own proposal. */
  | 'PROPOSAL_OWN'
  /** The answer was rated already. */
  | 'PROPOSAL_ALREADY_RATED'
  /** An image is not one the caller uploaded for this proposal. */
  | 'PROPOSAL_IMAGE_INVALID'
  /** No such category, or it no longer takes proposals. */
  | 'CATEGORY_NOT_FOUND'
  /** The category changed since it was read: reload and retry. */
  | 'CATEGORY_STALE'
  /** Another category has this name. */
  | 'CATEGORY_NAME_TAKEN';

export type ErrorCode = CommonErrorCode | AccountErrorCode | OrgErrorCode | NoticeErrorCode | RoomErrorCode | ProposalErrorCode;
