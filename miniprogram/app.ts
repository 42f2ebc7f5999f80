// The backend is reached lazily through services/transport.ts, so launch has nothing to wait for.
App({});
