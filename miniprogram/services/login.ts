import type { ResultOf } from '../../typings';
import { callFunction } from './transport';

export type WhoamiResult = ResultOf<'login', 'whoami'>;

/** Who the backend believes the caller is. */
export function whoami(): Promise<WhoamiResult> {
  return callFunction('login', 'whoami', {});
}
