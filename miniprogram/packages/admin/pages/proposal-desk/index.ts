import { definePage } from '../../../../common/page';

// Placeholder until the page is built (issue 12).
definePage({ data: {} });
