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
    default:
      return error.message || '操作失败，请稍后重试';
  }
}
