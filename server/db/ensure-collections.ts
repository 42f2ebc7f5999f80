import type { CollectionDecl, IndexDecl } from './collections';

/** Creating collections, which only the deploy step needs. */
export interface CollectionAdminPort {
  /** Creates the collection; resolves `false` when it already existed. */
  create(name: string): Promise<boolean>;
}

export interface IndexToCreate extends IndexDecl {
  collection: string;
}

export interface EnsureCollectionsReport {
  created: string[];
  existing: string[];
  /** CloudBase has no index API for functions: create these in the console (数据库 → 索引管理). */
  indexes: IndexToCreate[];
}

/** Creates every declared collection that is missing; running it again changes nothing. */
export async function ensureCollections(declared: readonly CollectionDecl[], admin: CollectionAdminPort): Promise<EnsureCollectionsReport> {
  const report: EnsureCollectionsReport = { created: [], existing: [], indexes: [] };
  for (const collection of declared) {
    if (await admin.create(collection.name)) report.created.push(collection.name);
    else report.existing.push(collection.name);
    report.indexes.push(...collection.indexes.map((index) => ({ ...index, collection: collection.name })));
  }
  return report;
}
