/**
 * Notice settings an operator gives each deployment through the function's environment:
 * the subscribe-message templates chosen in the WeChat console (their ids and keywords differ
 * per mini-program, so they cannot be written into the code).
 */
import type { SubscribeTemplate } from '../../typings';

/** What a template keyword is filled with. */
export type FieldSource = 'title' | 'author' | 'publishedAt' | 'deadline' | 'kind' | 'hint';

export interface TemplateConfig extends SubscribeTemplate {
  /** Keyword (as the console names it, e.g. `thing1`, `time3`) → what fills it. */
  fields: Record<string, FieldSource>;
}

export interface NoticeConfig {
  /** `NOTICE_SUBSCRIBE_TEMPLATES`: a JSON array of TemplateConfig; empty when unset. */
  templates: TemplateConfig[];
  /** `XINTONG_MINIPROGRAM_STATE`: which version a subscribe message opens (formal by default). */
  miniprogramState: 'developer' | 'trial' | 'formal';
}

const SOURCES: readonly FieldSource[] = ['title', 'author', 'publishedAt', 'deadline', 'kind', 'hint'];
const KEYWORD = /^(thing|name|phrase|character_string|number|time|date|letter|symbol|amount|car_number|phone_number)\d{1,2}$/;

/**
 * Parses a function's subscribe templates from its environment variable `name` (a JSON array);
 * a malformed value is a deployment error, reported with what is wrong. Notices and rooms each
 * name their own purposes and keyword sources.
 */
export function parseTemplateList<P extends SubscribeTemplate['purpose'], S extends string>(
  raw: string | undefined,
  name: string,
  purposes: readonly P[],
  sources: readonly S[],
): (SubscribeTemplate & { purpose: P; fields: Record<string, S> })[] {
  if (!raw || !raw.trim()) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error(`${name} must be a JSON array`);
  return parsed.map((entry, index) => {
    const where = `${name}[${index}]`;
    const item = entry as Partial<SubscribeTemplate & { fields: Record<string, string> }> | null;
    if (!item || typeof item.id !== 'string' || !item.id) throw new Error(`${where}.id is required`);
    if (item.kind !== 'one-time' && item.kind !== 'long-term') throw new Error(`${where}.kind must be one-time or long-term`);
    if (!purposes.includes(item.purpose as P)) throw new Error(`${where}.purpose must be ${purposes.join(' or ')}`);
    const fields = item.fields ?? {};
    if (typeof fields !== 'object' || Object.keys(fields).length === 0) throw new Error(`${where}.fields must map keywords to sources`);
    for (const [keyword, source] of Object.entries(fields)) {
      if (!KEYWORD.test(keyword)) throw new Error(`${where}.fields: ${keyword} is not a template keyword (thing1, time2 ...)`);
      if (!sources.includes(source as S)) throw new Error(`${where}.fields.${keyword}: ${String(source)} is not one of ${sources.join(', ')}`);
    }
    return { id: item.id, kind: item.kind, purpose: item.purpose as P, fields: { ...(fields as Record<string, S>) } };
  });
}

export function parseTemplates(raw: string | undefined): TemplateConfig[] {
  return parseTemplateList(raw, 'NOTICE_SUBSCRIBE_TEMPLATES', ['notice', 'remind'] as const, SOURCES);
}

export function noticeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NoticeConfig {
  const state = env.XINTONG_MINIPROGRAM_STATE;
  return {
    templates: parseTemplates(env.NOTICE_SUBSCRIBE_TEMPLATES),
    miniprogramState: state === 'developer' || state === 'trial' ? state : 'formal',
  };
}
