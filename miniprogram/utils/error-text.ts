import type { AppError } from '../../typings';

/** The sentence shown to a person when a call fails. */
export function errorText(error: AppError): string {
  switch (error.code) {
    case 'NETWORK_ERROR':
      return '网络异常，请稍后重试';
    case 'UNAUTHENTICATED':
      return '无法确认你的身份，请重新进入小程序';
    case 'FORBIDDEN':
      return '你没有权限进行此操作';
    case 'INTERNAL':
      return '服务暂时不可用，请稍后重试';
    default:
      return error.message || '操作失败，请稍后重试';
  }
}
