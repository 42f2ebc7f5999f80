import { constantTimeEqual } from '../core/secrets';

/**
 * Account settings an operator gives each deployment through the function's environment
 * variables (never the repository): the organisation's name and who the first admins are.
 */
export interface AccountConfig {
  organisationName: string;
  /** Openids made admin at their next login (`XINTONG_ADMIN_OPENIDS`, comma separated). */
  adminOpenids: ReadonlySet<string>;
  /** The one-time code that makes its first user admin while there is none. */
  bootstrapCode: string | null;
}

export const DEFAULT_ORGANISATION_NAME = '信通';

/** `XINTONG_ORG_NAME`, the name the organisation (the root unit) gets when first created. */
export function organisationNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return (env.XINTONG_ORG_NAME ?? '').trim() || DEFAULT_ORGANISATION_NAME;
}

/** Whether `code` is the configured bootstrap code; with none configured nothing is. Compared in constant time. */
export function isBootstrapCode(config: Pick<AccountConfig, 'bootstrapCode'>, code: string): boolean {
  return config.bootstrapCode !== null && constantTimeEqual(code.trim(), config.bootstrapCode);
}

export function accountConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AccountConfig {
  const admins = (env.XINTONG_ADMIN_OPENIDS ?? '')
    .split(/[\s,]+/)
    .map((value) => value.trim())
    .filter(Boolean);
  const code = (env.XINTONG_BOOTSTRAP_CODE ?? '').trim();
  return {
    organisationName: organisationNameFromEnv(env),
    adminOpenids: new Set(admins),
    // Short codes could be guessed by trying; refuse them rather than accept a weak setting.
    bootstrapCode: code.length >= 12 ? code : null,
  };
}
