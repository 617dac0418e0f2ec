// Empties dist/ before tsc writes it, so that nothing a past build left
// (a renamed module, the source maps no longer made) is packed.
import { rmSync } from 'node:fs';
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
