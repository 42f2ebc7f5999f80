import { ensureSession } from './services/session';

App({
  onLaunch() {
    // Signs in silently before the first page asks; pages share this login while it is in flight.
    void ensureSession();
  },
});
