/** The caller's own profile: a nickname that passes the content check, and an avatar file id. */
import { isUploadUnder } from '../core/file-ids';
import { FIELD_LIMITS } from '../../typings/limits';
import { AppFailure } from '../core/result';
import type { FileStoragePort } from '../ports/storage.port';
import type { WechatOpenApiPort } from '../ports/wechat-openapi.port';
import type { UserDoc } from './model';
import type { AccountDeps, WxCaller } from './store';

export interface ProfileDeps extends AccountDeps {
  openapi: WechatOpenApiPort;
  storage: FileStoragePort;
}

export interface ProfileChange {
  nickname?: string;
  avatarFileId?: string;
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A trimmed nickname of 1-32 characters (code points, so an emoji counts once). */
export function normaliseNickname(raw: string): string {
  const nickname = raw.trim();
  const length = Array.from(nickname).length;
  if (CONTROL_CHARACTERS.test(nickname)) throw new AppFailure('INVALID_INPUT', '昵称只能有一行，不能包含换行或制表符', 'nickname');
  if (length < 1 || length > FIELD_LIMITS.nickname) {
    throw new AppFailure('INVALID_INPUT', `昵称需为 1-${FIELD_LIMITS.nickname} 个字符`, 'nickname');
  }
  return nickname;
}

/** Avatars live under `avatars/<account id>/`: nobody can claim another person's upload. */
export function isOwnAvatarPath(fileId: string, userId: string): boolean {
  return isUploadUnder(fileId, 'avatars', userId, { subfolders: false });
}

export async function updateProfile(deps: ProfileDeps, caller: WxCaller, user: UserDoc, change: ProfileChange): Promise<UserDoc> {
  if (change.nickname === undefined && change.avatarFileId === undefined) {
    throw new AppFailure('INVALID_INPUT', '没有要修改的资料', 'nickname');
  }
  const patch: Partial<UserDoc> = {};
  if (change.nickname !== undefined) {
    const nickname = normaliseNickname(change.nickname);
    if (nickname !== user.nickname) {
      const { verdict } = await deps.openapi.checkText({ openid: caller.openid, scene: 1, content: nickname });
      if (verdict !== 'pass') throw new AppFailure('CONTENT_RISKY', undefined, 'nickname');
      patch.nickname = nickname;
    }
  }
  if (change.avatarFileId !== undefined && change.avatarFileId !== user.avatarFileId) {
    if (!isOwnAvatarPath(change.avatarFileId, user._id) || !(await deps.storage.exists(change.avatarFileId))) {
      throw new AppFailure('AVATAR_INVALID', undefined, 'avatarFileId');
    }
    patch.avatarFileId = change.avatarFileId;
  }
  if (Object.keys(patch).length === 0) return user;
  const now = deps.now();
  const data = { ...patch, profileEditedAt: now, updatedAt: now };
  await deps.db.collection('users').doc(user._id).update({ data });
  const previousAvatar = patch.avatarFileId !== undefined ? user.avatarFileId : null;
  if (previousAvatar && isOwnAvatarPath(previousAvatar, user._id)) {
    // The old file only costs storage; failing to remove it must not fail the update.
    await deps.storage.remove([previousAvatar]).catch((error: unknown) => {
      console.warn(`[accounts] could not remove replaced avatar: ${String((error as Error)?.message ?? error)}`);
    });
  }
  return { ...user, ...data };
}
