import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares a guess with a secret without leaking, through timing, how much of it matched. */
export function constantTimeEqual(guess: string, secret: string): boolean {
  const a = createHash('sha256').update(guess).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b) && guess === secret;
}
