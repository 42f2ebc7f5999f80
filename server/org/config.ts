/**
 * Organisation settings an operator gives each deployment through the function's
 * environment variables.
 */
import { organisationNameFromEnv } from '../accounts/config';

export interface OrgConfig {
  /** The root unit's name when first created (`XINTONG_ORG_NAME`). */
  organisationName: string;
  /** How long one `imports.apply` call works before returning its progress (`XINTONG_IMPORT_BUDGET_MS`); the default when unset. */
  importBudgetMs: number | undefined;
}

export function orgConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OrgConfig {
  const budget = Number(env.XINTONG_IMPORT_BUDGET_MS);
  return { organisationName: organisationNameFromEnv(env), importBudgetMs: Number.isFinite(budget) && budget > 0 ? budget : undefined };
}
