/** Deployment settings read from the environment, in the domain modules that own them. */
import { accountConfigFromEnv, isBootstrapCode, organisationNameFromEnv } from '../../../server/accounts/config';
import { orgConfigFromEnv } from '../../../server/org/config';

test('the organisation name is configured once for both functions, with a default', () => {
  expect(organisationNameFromEnv({ XINTONG_ORG_NAME: '  测试大学 ' })).toBe('测试大学');
  expect(organisationNameFromEnv({})).toBe('信通');
  expect(orgConfigFromEnv({ XINTONG_ORG_NAME: '测试大学' }).organisationName).toBe(accountConfigFromEnv({ XINTONG_ORG_NAME: '测试大学' }).organisationName);
});

test('the bootstrap code matches only when configured and long enough, ignoring spaces around what was typed', () => {
  const config = accountConfigFromEnv({ XINTONG_BOOTSTRAP_CODE: 'abcdefghijkl' });
  expect(isBootstrapCode(config, ' abcdefghijkl ')).toBe(true);
  expect(isBootstrapCode(config, 'abcdefghijk')).toBe(false);
  expect(isBootstrapCode(accountConfigFromEnv({ XINTONG_BOOTSTRAP_CODE: 'short' }), 'short')).toBe(false);
  expect(isBootstrapCode(accountConfigFromEnv({}), '')).toBe(false);
});

test('the import budget is a positive number of milliseconds, else the default', () => {
  expect(orgConfigFromEnv({ XINTONG_IMPORT_BUDGET_MS: '5000' }).importBudgetMs).toBe(5000);
  for (const value of [undefined, '', '0', '-1', 'soon']) expect(orgConfigFromEnv({ XINTONG_IMPORT_BUDGET_MS: value }).importBudgetMs).toBeUndefined();
});
