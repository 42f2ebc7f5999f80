/** Contract of the `setup` cloud function (deployment helper). */
export interface IndexToCreate {
  collection: string;
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface EnsureCollectionsResponse {
  created: string[];
  existing: string[];
  indexes: IndexToCreate[];
}

export interface SetupActions {
  ensureCollections: { request: Record<string, never>; response: EnsureCollectionsResponse };
}
