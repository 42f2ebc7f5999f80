/**
 * Proposal settings an operator gives each deployment through the function's environment: how
 * many proposals one person may submit a day, and the subscribe-message templates chosen in the
 * WeChat console for telling a proposer their proposal moved.
 */
import type { SubscribeTemplate } from '../../typings';
import { DEFAULT_PROPOSAL_DAILY_LIMIT } from '../../typings/proposal-rules';
import { parseTemplateList } from '../notice/config';

/** What a proposal template keyword is filled with. */
export type ProposalFieldSource = 'title' | 'status' | 'category' | 'time' | 'answer' | 'hint';

export interface ProposalTemplateConfig extends SubscribeTemplate {
  purpose: 'proposal-status';
  /** Keyword (as the console names it, e.g. `thing1`, `phrase2`) → what fills it. */
  fields: Record<string, ProposalFieldSource>;
}

export interface ProposalConfig {
  /** `PROPOSAL_DAILY_LIMIT`: proposals one person may submit per business day (1–100, default 5). */
  dailyLimit: number;
  /** `PROPOSAL_SUBSCRIBE_TEMPLATES`: a JSON array of ProposalTemplateConfig; empty when unset. */
  templates: ProposalTemplateConfig[];
  miniprogramState: 'developer' | 'trial' | 'formal';
}

const SOURCES: readonly ProposalFieldSource[] = ['title', 'status', 'category', 'time', 'answer', 'hint'];

export function parseProposalTemplates(raw: string | undefined): ProposalTemplateConfig[] {
  return parseTemplateList(raw, 'PROPOSAL_SUBSCRIBE_TEMPLATES', ['proposal-status'] as const, SOURCES);
}

export function parseDailyLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PROPOSAL_DAILY_LIMIT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100) throw new Error('PROPOSAL_DAILY_LIMIT must be a whole number from 1 to 100');
  return value;
}

export function proposalConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProposalConfig {
  const state = env.XINTONG_MINIPROGRAM_STATE;
  return {
    dailyLimit: parseDailyLimit(env.PROPOSAL_DAILY_LIMIT),
    templates: parseProposalTemplates(env.PROPOSAL_SUBSCRIBE_TEMPLATES),
    miniprogramState: state === 'developer' || state === 'trial' ? state : 'formal',
  };
}
