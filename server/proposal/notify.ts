/**
 * Telling a proposer their proposal moved, by subscribe message with the credit rules of
 * notices (server/notice/remind.ts). Only the proposer's own account is messaged, and nothing
 * about the send reaches the handler who moved it: whether a message went out would say who
 * proposed an anonymous proposal to nobody, but it is nobody else's business either. The
 * proposal's timeline shows every change whether or not a message went. The send is recorded
 * without its recipient: that record would otherwise tie an anonymous proposal to its proposer.
 */
import { PROPOSAL_STATUS_NAMES } from '../../typings/proposal-rules';
import { formatBusiness } from '../core/time';
import { findById } from '../db/db';
import { SUBSCRIPTIONS } from '../notice/model';
import { keywordValue, sendWithCredits, TIME_KEYWORD, type SubscriptionDoc } from '../notice/remind';
import type { ProposalFieldSource, ProposalTemplateConfig } from './config';
import { AUTHORS, type AuthorDoc, type ProposalDeps, type ProposalDoc } from './model';

function fieldValue(source: ProposalFieldSource, doc: ProposalDoc, at: Date): string {
  switch (source) {
    case 'title':
      return doc.title;
    case 'status':
      return PROPOSAL_STATUS_NAMES[doc.status];
    case 'category':
      return doc.categoryName;
    case 'time':
      return formatBusiness(at);
    case 'answer':
      // A merge names no target: it may be a proposal the proposer may not see.
      return doc.answer?.text ?? doc.rejectReason ?? (doc.mergedInto ? '已并入其他提案' : '请打开信通查看办理进度');
    case 'hint':
      return '你的提案有新进展，点击查看';
  }
}

function messageData(template: ProposalTemplateConfig, doc: ProposalDoc, at: Date): Record<string, { value: string }> {
  const data: Record<string, { value: string }> = {};
  for (const [keyword, source] of Object.entries(template.fields)) {
    const value = TIME_KEYWORD.test(keyword) ? formatBusiness(at) : fieldValue(source, doc, at);
    data[keyword] = { value: keywordValue(keyword, value) };
  }
  return data;
}

/** Messages the proposer of `doc` (as it is now) with the first template they hold a credit of. Never throws for a refused send. */
export async function tellProposer(deps: ProposalDeps, doc: ProposalDoc): Promise<void> {
  const templates = deps.config.templates;
  if (templates.length === 0) return;
  try {
    const author = await findById<AuthorDoc>(deps.db, AUTHORS, doc._id);
    if (!author) return;
    const _ = deps.db.command;
    const { data } = await deps.db
      .collection(SUBSCRIPTIONS)
      .where({ accountId: author.accountId, templateId: _.in(templates.map((t) => t.id)), credits: _.gt(0) })
      .limit(templates.length)
      .get();
    const subscription = (data as SubscriptionDoc[])[0];
    if (!subscription) return;
    const template = templates.find((t) => t.id === subscription.templateId) as ProposalTemplateConfig;
    const now = deps.now();
    await sendWithCredits(
      deps,
      [{ subscription, template, page: `pages/proposal/index?id=${encodeURIComponent(doc._id)}`, data: messageData(template, doc, now), record: { memberId: '', purpose: 'proposal-status', proposalId: doc._id } }],
      'proposal',
    );
  } catch (error) {
    // The change is committed and in the timeline; a failed message must not fail the handler's action.
    console.warn(`[proposal] telling the proposer of ${doc._id} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
