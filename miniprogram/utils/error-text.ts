import type { AppError } from '../../typings';

/** The sentence shown to a person when a call fails. */
export function errorText(error: AppError): string {
  switch (error.code) {
    case 'NETWORK_ERROR':
      return '网络异常，请稍后重试';
    case 'UNAUTHENTICATED':
      return '无法确认你的身份，请重新进入小程序';
    case 'ACCOUNT_NOT_FOUND':
      return '登录状态已失效，请重新进入小程序';
    case 'FORBIDDEN':
      return '你没有权限进行此操作';
    case 'INTERNAL':
      return '服务暂时不可用，请稍后重试';
    case 'CONTENT_RISKY':
      return '内容不合规，请修改后重试';
    case 'AVATAR_INVALID':
      return '头像文件无效，请重新选择';
    case 'LAST_ADMIN':
      return '至少保留一位管理员';
    case 'BOOTSTRAP_CLOSED':
      return '已有管理员，请联系管理员授予角色';
    case 'BOOTSTRAP_CODE_INVALID':
      return '初始化码不正确';
    case 'USER_NOT_FOUND':
      return '该用户不存在';
    case 'CONFLICT_NOT_FOUND':
      return '该冲突记录不存在';
    // Binding to the roster
    case 'ROSTER_NO_MATCH':
      return '花名册中没有与你匹配的在册成员，请联系管理员核对信息';
    case 'ROSTER_AMBIGUOUS':
      return '花名册中有多名成员与你匹配，请联系管理员为你绑定';
    case 'MEMBER_ALREADY_BOUND':
      return '对应的花名册成员已绑定其他账号，请联系管理员处理';
    case 'ACCOUNT_ALREADY_BOUND':
      return '你的账号已绑定其他花名册成员，请联系管理员处理';
    case 'PHONE_CODE_INVALID':
      return '手机号授权已失效，请重新绑定';
    case 'WECOM_NOT_LINKED':
      return '你的账号尚未关联企业微信，请在企业微信中重新进入小程序后再试';
    case 'MEMBER_INACTIVE':
      return '对应的花名册成员已停用，请联系管理员';
    // Units
    case 'UNIT_NOT_FOUND':
      return '该单位不存在或已被删除';
    case 'UNIT_NOT_EMPTY':
      // The server says why: sub-units or members, or an import filling the unit right now.
      return error.message || '该单位下还有下级单位或成员，无法删除';
    case 'UNIT_CYCLE':
      return '不能移动到该单位自身或其下级单位中';
    case 'UNIT_TOO_DEEP':
      return '单位层级最多六级，无法再往下添加';
    case 'UNIT_NAME_TAKEN':
      return '同一上级单位下已有同名单位';
    case 'UNIT_ROOT_LOCKED':
      return '组织本身不能移动或删除';
    // Members
    case 'MEMBER_NOT_FOUND':
      return '该成员不存在或已被删除';
    case 'MEMBER_NUMBER_TAKEN':
      return '该学号/工号已被其他成员使用';
    case 'MEMBER_WECOM_TAKEN':
      return '该企业微信账号已被其他成员使用';
    case 'MEMBER_STALE':
      return '该成员刚被他人修改，已重新加载最新信息，请核对后再保存';
    case 'PHONE_INVALID':
      return '手机号格式不正确';
    // Roster import: the server's message says what is wrong with the file
    case 'IMPORT_NOT_FOUND':
      return '该导入记录不存在';
    case 'IMPORT_FILE_INVALID':
      return error.message || '无法读取该文件，请检查格式和表头';
    case 'IMPORT_TOO_LARGE':
      return error.message || '文件过大或行数过多';
    case 'IMPORT_EXPIRED':
      return '预览已过期，请重新上传并预览';
    case 'IMPORT_BUSY':
      return '正在应用中，请稍候';
    default:
      return error.message || '操作失败，请稍后重试';
  }
}
