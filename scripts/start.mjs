// `npm start`: installs and builds first when a fresh clone has neither
// (scripts/setup.mjs), then runs the demo.
import { ensureReady } from './setup.mjs';

ensureReady();
await import('../examples/demo.mjs');
