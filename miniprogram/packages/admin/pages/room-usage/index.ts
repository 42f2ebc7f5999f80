import { definePage } from '../../../../common/page';

definePage({ data: {} });
