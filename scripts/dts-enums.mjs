// After tsc: turns `declare const enum` into `declare enum` in dist/**/*.d.ts.
// The enums are const inside the package (inlined, shared with
// AssemblyScript), and preserveConstEnums emits each one's object into
// the JavaScript too; declaring them as regular enums lets consumers
// compiled with isolatedModules (esbuild, Vite, SWC) read them from that
// object instead of failing on an ambient const enum.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
let changed = 0;
for (const entry of readdirSync(dist, { recursive: true })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = join(dist, entry);
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/\bdeclare const enum\b/g, 'declare enum');
  if (fixed !== text) {
    writeFileSync(file, fixed);
    changed++;
  }
}
console.log(`dts-enums: ${changed} declaration files with const enums made regular`);
