/**
 * Temporary URLs of private files in the storage stand-in: which paths are private, how long a
 * URL lives, and that a changed path, signature or expiry is refused.
 */
import {
  DEFAULT_DOWNLOAD_MAX_AGE_SECONDS,
  MAX_DOWNLOAD_MAX_AGE_SECONDS,
  PRIVATE_PREFIXES,
  StorageStandIn,
  downloadMaxAge,
  isPrivatePath,
} from '../../../local-cloud/src/stand-ins/storage';

const START = Date.parse('2026-03-02T01:00:00Z');

function storage(clock: { ms: number }): StorageStandIn {
  return new StorageStandIn({ dir: null, now: () => new Date(clock.ms) });
}

describe('private paths', () => {
  test('notice attachments and exports, and proposal images, are private; avatars and imports are not', () => {
    expect(PRIVATE_PREFIXES).toEqual(['notice-files/', 'notice-exports/', 'proposal-images/']);
    expect(isPrivatePath('notice-files/u1/a.pdf')).toBe(true);
    expect(isPrivatePath('notice-exports/n1/readers.xlsx')).toBe(true);
    expect(isPrivatePath('proposal-images/req-1/kept/0.png')).toBe(true);
    expect(isPrivatePath('avatars/u1/1.jpg')).toBe(false);
    expect(isPrivatePath('imports/u1/roster.csv')).toBe(false);
    // A folder that only starts with the same letters is another folder.
    expect(isPrivatePath('notice-filesx/a.pdf')).toBe(false);
    expect(isPrivatePath('notice-files')).toBe(false);
  });
});

describe('lifetime of a temporary URL', () => {
  test('max_age is honoured in whole seconds, defaulted and capped', () => {
    expect(downloadMaxAge(undefined)).toBe(DEFAULT_DOWNLOAD_MAX_AGE_SECONDS);
    expect(downloadMaxAge(600)).toBe(600);
    expect(downloadMaxAge(90.7)).toBe(90);
    expect(downloadMaxAge(10 * MAX_DOWNLOAD_MAX_AGE_SECONDS)).toBe(MAX_DOWNLOAD_MAX_AGE_SECONDS);
    for (const meaningless of [0, -5, 0.5, Number.NaN, Number.POSITIVE_INFINITY, '600', null]) {
      expect([meaningless, downloadMaxAge(meaningless)]).toEqual([meaningless, DEFAULT_DOWNLOAD_MAX_AGE_SECONDS]);
    }
  });
});

describe('signatures', () => {
  test('valid until the expiry second, then expired', () => {
    const clock = { ms: START + 250 };
    const store = storage(clock);
    const { sign, t } = store.signDownload('notice-files/u1/a.pdf', 600);
    expect(sign).toMatch(/^[0-9a-f]{64}$/);
    expect(t).toBe(START / 1000 + 600);
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, String(t))).toBe('ok');
    clock.ms = t * 1000 - 1;
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, String(t))).toBe('ok');
    clock.ms = t * 1000;
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, String(t))).toBe('expired');
  });

  test('another path, a changed signature or a later expiry is a mismatch', () => {
    const clock = { ms: START };
    const store = storage(clock);
    const { sign, t } = store.signDownload('notice-files/u1/a.pdf', 600);
    expect(store.checkDownload('notice-files/u1/b.pdf', sign, String(t))).toBe('mismatch');
    const flipped = `${sign.slice(0, -1)}${sign.endsWith('0') ? '1' : '0'}`;
    expect(store.checkDownload('notice-files/u1/a.pdf', flipped, String(t))).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, String(t + 86_400))).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', sign.toUpperCase(), String(t))).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', sign.slice(2), String(t))).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, `${t}.0`)).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', sign, null)).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', null, String(t))).toBe('mismatch');
    expect(store.checkDownload('notice-files/u1/a.pdf', null, null)).toBe('missing');
  });

  test('a URL signed by another start of the cloud is refused', () => {
    const clock = { ms: START };
    const { sign, t } = storage(clock).signDownload('notice-files/u1/a.pdf', 600);
    expect(storage(clock).checkDownload('notice-files/u1/a.pdf', sign, String(t))).toBe('mismatch');
  });
});
