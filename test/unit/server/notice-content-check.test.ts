/**
 * The content check of a notice: pieces of at most 2,500 characters, the refused field named,
 * and a platform that does not answer is an expected condition with its own code.
 */
import { checkContent, type NoticeDeps } from '../../../server/notice/compose';
import { OpenApiError, type TextCheck } from '../../../server/ports/wechat-openapi.port';

function depsWith(checkText: (check: TextCheck) => Promise<{ verdict: 'pass' | 'review' | 'risky'; label: number }>): { deps: NoticeDeps; checks: TextCheck[] } {
  const checks: TextCheck[] = [];
  const openapi = {
    checkText: (check: TextCheck) => {
      checks.push(check);
      return checkText(check);
    },
  };
  return { deps: { openapi } as unknown as NoticeDeps, checks };
}

test('the body goes in pieces of at most 2,500 characters and a refusal names its field', async () => {
  const { deps, checks } = depsWith(async (check) => ({ verdict: check.content.includes('坏') ? 'risky' : 'pass', label: 100 }));
  const body = `${'字'.repeat(2500)}${'字'.repeat(100)}坏`;
  await expect(checkContent(deps, 'o-author', '标题', body, 'input')).rejects.toMatchObject({ code: 'CONTENT_RISKY', field: 'input.body' });
  expect(checks.map((c) => [...c.content].length)).toEqual([2, 2500, 101]);
  await expect(checkContent(deps, 'o-author', '坏标题', '正文', 'changes')).rejects.toMatchObject({ code: 'CONTENT_RISKY', field: 'changes.title' });
});

test('a platform error is CONTENT_CHECK_UNAVAILABLE, not INTERNAL; anything else is a bug and is rethrown', async () => {
  const busy = depsWith(async () => {
    throw new OpenApiError(-1, 'system error');
  });
  await expect(checkContent(busy.deps, 'o-author', '标题', '正文', 'input')).rejects.toMatchObject({ code: 'CONTENT_CHECK_UNAVAILABLE' });
  const broken = depsWith(async () => {
    throw new TypeError('a bug');
  });
  await expect(checkContent(broken.deps, 'o-author', '标题', '正文', 'input')).rejects.toBeInstanceOf(TypeError);
});
