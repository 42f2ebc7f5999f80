/** Phone numbers as the roster keeps them: E.164, the form Tencent Cloud SMS takes. */

const SEPARATORS = /[\s\-().\u00a0\u3000]/g;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * The E.164 form of a phone number written the ways people write them in China
 * (`13800000000`, `138 0000 0000`, `+86 138-0000-0000`, `0086...`, `86...`), or null when it
 * is not a mobile number. Numbers of other countries must carry their `+` prefix.
 */
export function normalizePhone(input: string): string | null {
  const compact = input.trim().replace(SEPARATORS, '').replace(/^＋/, '+');
  if (!compact) return null;
  if (MAINLAND_MOBILE.test(compact)) return `+86${compact}`;
  const international = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : null;
  if (international !== null) {
    if (!/^\d{7,15}$/.test(international) || international.startsWith('0')) return null;
    if (international.startsWith('86')) return MAINLAND_MOBILE.test(international.slice(2)) ? `+${international}` : null;
    return `+${international}`;
  }
  if (/^86\d{11}$/.test(compact) && MAINLAND_MOBILE.test(compact.slice(2))) return `+${compact}`;
  return null;
}
