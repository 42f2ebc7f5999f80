import type { ErrorCode } from './errors';

/**
 * The sentence a person reads for each error code, declared once. The functions send it as
 * `error.message` unless they have a more specific sentence (which field, which reason); the
 * mini-program shows it for codes whose message carries no detail. A pure data module: the
 * mini-program build inlines it, the functions bundle it.
 */
/**
 * Codes whose message says more than the code: which field and why (INVALID_INPUT), what the
 * unit still holds (UNIT_NOT_EMPTY), what is wrong with the file (IMPORT_*). The functions write
 * their own sentence only for these; for every other code the one in ERROR_TEXTS is sent and
 * shown (a test keeps the functions' sources to that).
 */
export const DETAILED_CODES: readonly ErrorCode[] = [
  'INVALID_INPUT',
  'UNIT_NOT_EMPTY',
  'IMPORT_FILE_INVALID',
  'IMPORT_TOO_LARGE',
  // Which rule of the room: its hours, its longest booking, its window, who holds the time.
  'BOOKING_NOT_ON_SLOT',
  'BOOKING_OUTSIDE_HOURS',
  'BOOKING_TOO_LONG',
  'BOOKING_TOO_FAR',
  'BOOKING_CONFLICT',
  'BOOKING_CHECK_IN_CLOSED',
  // Whether the person has no roster member yet or is outside the room's units.
  'ROOM_NOT_ALLOWED',
];

export const ERROR_TEXTS: Record<ErrorCode, string> = {
  UNKNOWN_ACTION: '小程序版本过旧，请重新进入后再试',
  INVALID_INPUT: '填写的内容有误，请检查后重试',
  UNAUTHENTICATED: '无法确认你的身份，请重新进入小程序',
  FORBIDDEN: '你没有权限进行此操作',
  INTERNAL: '服务暂时不可用，请稍后重试',
  BUSY_RETRY: '操作的人较多，请稍后再试',
  NETWORK_ERROR: '网络异常，请稍后重试',
  // Accounts
  ACCOUNT_NOT_FOUND: '登录状态已失效，请重新进入小程序',
  USER_NOT_FOUND: '该用户不存在',
  LAST_ADMIN: '至少保留一位管理员',
  BOOTSTRAP_CODE_INVALID: '初始化码不正确',
  BOOTSTRAP_CLOSED: '已有管理员，请联系管理员授予角色',
  CONTENT_RISKY: '内容不合规，请修改后重试',
  AVATAR_INVALID: '头像文件无效，请重新选择',
  CONFLICT_NOT_FOUND: '该冲突记录不存在',
  ACCOUNT_MERGE_BLOCKED: '两个账号绑定了不同的花名册成员，请先解除其中一个的绑定',
  WECOM_NOT_CONFIGURED: '尚未配置企业微信登录',
  WECOM_CODE_INVALID: '企业微信登录已失效，请重新进入小程序',
  WECOM_CORP_MISMATCH: '该企业微信账号不属于本单位',
  WECOM_ALREADY_LINKED: '微信账号与企业微信账号的关联有冲突，请联系管理员处理',
  WECOM_UNAVAILABLE: '企业微信暂时无法访问，请稍后重试',
  // Binding to the roster
  ROSTER_NO_MATCH: '花名册中没有与你匹配的在册成员，请联系管理员核对信息',
  ROSTER_AMBIGUOUS: '花名册中有多名成员与你匹配，请联系管理员为你绑定',
  MEMBER_ALREADY_BOUND: '对应的花名册成员已绑定其他账号，请联系管理员处理',
  ACCOUNT_ALREADY_BOUND: '你的账号已绑定其他花名册成员，请联系管理员处理',
  PHONE_CODE_INVALID: '手机号授权已失效，请重新绑定',
  WECOM_NOT_LINKED: '你的账号尚未关联企业微信，请在企业微信中重新进入小程序后再试',
  MEMBER_INACTIVE: '对应的花名册成员已停用，请联系管理员',
  // Units
  UNIT_NOT_FOUND: '该单位不存在或已被删除',
  UNIT_NOT_EMPTY: '该单位下还有下级单位或成员，无法删除',
  UNIT_CYCLE: '不能移动到该单位自身或其下级单位中',
  UNIT_TOO_DEEP: '组织架构最多六级，这里放不下更多层级',
  UNIT_NAME_TAKEN: '同一上级单位下已有同名单位',
  UNIT_ROOT_LOCKED: '组织本身不能移动或删除',
  // Members
  MEMBER_NOT_FOUND: '该成员不存在或已被删除',
  MEMBER_NUMBER_TAKEN: '该学号/工号已被其他成员使用',
  MEMBER_WECOM_TAKEN: '该企业微信账号已被其他成员使用',
  MEMBER_STALE: '该成员刚被他人修改，已重新加载最新信息，请核对后再保存',
  PHONE_INVALID: '手机号格式不正确',
  // Roster import
  IMPORT_NOT_FOUND: '该导入记录不存在',
  IMPORT_FILE_INVALID: '无法读取该文件，请检查格式和表头',
  IMPORT_TOO_LARGE: '文件过大或行数过多',
  IMPORT_EXPIRED: '预览已过期，请重新上传并预览',
  IMPORT_BUSY: '正在应用中，请稍候',
  // Notices
  NOTICE_NOT_FOUND: '该通知不存在或已撤回',
  NOTICE_STALE: '该通知刚被他人修改，已重新加载最新内容，请核对后再保存',
  NOTICE_STATE: '该通知当前的状态不支持此操作，请刷新后再试',
  NOTICE_ATTACHMENT_INVALID: '附件无效，请重新上传',
  NOTICE_AUDIENCE_EMPTY: '所选范围内没有在册成员，请重新选择发送范围',
  NOTICE_REMIND_TOO_SOON: '每 5 分钟最多提醒一次，请稍后再试',
  SUBSCRIBE_NOT_CONFIGURED: '尚未配置消息提醒模板，请联系管理员',
  CONTENT_CHECK_UNAVAILABLE: '内容安全检查暂时无法完成，请稍后再试',
  // Rooms
  ROOM_NOT_FOUND: '该会议室不存在或已被删除',
  ROOM_STALE: '该会议室刚被他人修改，已重新加载最新信息，请核对后再保存',
  ROOM_NAME_TAKEN: '已有同名会议室',
  ROOM_OUT_OF_SERVICE: '该会议室暂停使用，无法预约',
  ROOM_NOT_ALLOWED: '你所在的单位不能预约该会议室',
  ROOM_PHOTO_INVALID: '会议室照片无效，请重新上传',
  ROOM_CODE_UNAVAILABLE: '暂时无法生成会议室小程序码，请稍后再试',
  BOOKING_NOT_FOUND: '该预约不存在或已被删除',
  BOOKING_NOT_ON_SLOT: '预约时间需按会议室的时段划分选择',
  BOOKING_OUTSIDE_HOURS: '所选时间不在会议室的开放时间内',
  BOOKING_TOO_LONG: '预约时长超过了该会议室的上限',
  BOOKING_TOO_FAR: '超出了该会议室可提前预约的天数',
  BOOKING_IN_PAST: '所选时间已经开始或已过去，请重新选择',
  BOOKING_CONFLICT: '所选时间已被他人预约，请重新选择',
  BOOKING_STATE: '该预约当前的状态不支持此操作，请刷新后再试',
  BOOKING_CHECK_IN_CLOSED: '当前不在签到时间内',
  BOOKING_NONE_NOW: '你在这间会议室当前没有需要签到的预约',
  BOOKING_STALE: '该预约刚被修改，已重新加载最新信息，请核对后再试',
};

/**
 * What a person calls each request field, for INVALID_INPUT messages (`error.field` keeps the
 * machine name). Looked up by the field's path without array indexes (`member.name`) first,
 * then by its last name (`name`), so a name that means different things in different requests
 * can be told apart by path. A field missing here reads as FIELD_LABEL_FALLBACK.
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  action: '操作',
  // Accounts
  nickname: '昵称',
  avatarFileId: '头像',
  userId: '账号',
  role: '角色',
  code: '授权码',
  query: '搜索内容',
  status: '状态',
  after: '翻页位置',
  id: '记录',
  decision: '处理方式',
  note: '备注',
  // Units
  unitId: '单位',
  parentId: '上级单位',
  name: '名称',
  kind: '类型',
  unitIds: '单位',
  // Members
  member: '成员信息',
  memberId: '成员',
  memberIds: '成员',
  rev: '成员版本',
  'member.name': '姓名',
  'member.kind': '成员类型',
  'member.unitIds': '所在单位',
  number: '学号/工号',
  phone: '手机号',
  title: '职务',
  wecomUserId: '企业微信账号',
  // Roster import
  fileId: '花名册文件',
  fileName: '文件名',
  deactivateMissing: '停用缺失成员选项',
  importId: '导入记录',
  category: '变更类别',
  // Notices
  noticeId: '通知',
  requestId: '请求编号',
  input: '通知内容',
  'input.kind': '通知类型',
  'input.title': '标题',
  'changes.title': '标题',
  changes: '修改内容',
  body: '正文',
  attachments: '附件',
  'input.attachments.name': '附件名称',
  'changes.attachments.name': '附件名称',
  size: '附件大小',
  audience: '发送范围',
  all: '全体成员选项',
  requiresConfirm: '需确认收到选项',
  deadline: '截止时间',
  pinned: '置顶选项',
  scheduledAt: '定时发布时间',
  filter: '筛选条件',
  list: '名单类型',
  target: '提醒对象',
  everyone: '查看范围',
  choices: '订阅选择',
  last: '统计的通知数',
  // Rooms
  roomId: '会议室',
  room: '会议室信息',
  'room.name': '会议室名称',
  building: '楼宇',
  floor: '楼层',
  capacity: '容纳人数',
  minCapacity: '容纳人数',
  equipment: '设备',
  photoFileId: '照片',
  hours: '开放时间',
  open: '开放时间',
  close: '关闭时间',
  openWeekdays: '开放日',
  closedDates: '不开放的日期',
  slotMinutes: '时段长度',
  maxMinutes: '最长预约时长',
  advanceDays: '可提前预约天数',
  approval: '审批设置',
  required: '需审批选项',
  approverIds: '审批人',
  checkInRequired: '需签到选项',
  notes: '使用说明',
  inService: '启用状态',
  reason: '原因',
  date: '日期',
  start: '开始时间',
  end: '结束时间',
  subject: '会议主题',
  attendeeIds: '参会人',
  repeatWeeks: '重复周数',
  bookingId: '预约',
  when: '预约范围',
  series: '整个系列选项',
  approve: '审批结果',
  weekStart: '统计周',
};

/** How a field without a label of its own is named in a message. */
export const FIELD_LABEL_FALLBACK = '请求中的某项内容';
