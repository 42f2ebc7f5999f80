/**
 * Every length limit a person meets, declared once. The functions' schemas and domain checks,
 * the pages (WXML `maxlength`, client-side checks) and the tests all read these numbers.
 *
 * Text lengths count characters (code points), as a person counts them, not UTF-16 units.
 * A pure data module: the mini-program build inlines it, the functions bundle it.
 */
export const FIELD_LIMITS = {
  /** A unit's name (学院、班级、部门). */
  unitName: 40,
  /** A roster member's name. */
  memberName: 40,
  /** 学号/工号. */
  memberNumber: 32,
  /** A phone number as typed (spaces, dashes and +86 included), before normalisation. */
  phoneInput: 32,
  /** 职务. */
  memberTitle: 40,
  /** A WeCom userid. */
  wecomUserId: 64,
  /** Units one member is placed in. */
  memberUnits: 20,
  /** Units one member observes. */
  memberObserves: 50,
  /** A search box's text. */
  searchQuery: 32,
  /** A profile nickname. */
  nickname: 32,
  /** An admin's note when resolving an account conflict. */
  conflictNote: 200,
  /** A roster file's name as shown in the import list. */
  importFileName: 60,
  /** A notice's title. */
  noticeTitle: 64,
  /** A notice's body. */
  noticeBody: 5000,
  /** Attachments on one notice. */
  noticeAttachments: 9,
  /** An attachment's file name as shown to readers. */
  attachmentName: 80,
  /** Bytes of one attachment (10 MB). */
  attachmentBytes: 10 * 1024 * 1024,
  /** Units one audience may name (each with its sub-units). */
  audienceUnits: 200,
  /** People one audience may name one by one. */
  audienceMembers: 1000,
  /** A meeting room's name. */
  roomName: 40,
  /** The building a room is in. */
  roomBuilding: 40,
  /** Its floor, as written on the door (`3F`, `B1`). */
  roomFloor: 10,
  /** Notes shown on a room's page. */
  roomNotes: 200,
  /** People a room seats. */
  roomCapacity: 1000,
  /** Holidays one room lists. */
  roomClosedDates: 60,
  /** Units one room is limited to. */
  roomUnits: 50,
  /** Approvers one room names. */
  roomApprovers: 20,
  /** The longest booking a room may allow, in minutes. */
  roomMaxMinutes: 720,
  /** How many days ahead a room may open for booking. */
  roomAdvanceDays: 90,
  /** A booking's subject. */
  bookingSubject: 40,
  /** People invited to one booking. */
  bookingAttendees: 50,
  /** Further weeks of a repeating booking (12 weeks in all). */
  bookingRepeatWeeks: 11,
  /** Why a booking was cancelled or rejected, or a room taken out of service. */
  bookingReason: 100,
  /** A proposal's title. */
  proposalTitle: 64,
  /** A proposal's content. */
  proposalContent: 3000,
  /** Images on one proposal. */
  proposalImages: 9,
  /** A handler's answer to a proposal. */
  proposalAnswer: 1000,
  /** Why a proposal was rejected, or why an admin revealed its author. */
  proposalReason: 200,
  /** The comment with a rating of an answer. */
  proposalRatingComment: 200,
  /** A proposal category's name. */
  categoryName: 20,
  /** The line describing a category. */
  categoryDescription: 60,
  /** Handlers one category names. */
  categoryHandlers: 20,
} as const;

export type FieldLimitName = keyof typeof FIELD_LIMITS;
