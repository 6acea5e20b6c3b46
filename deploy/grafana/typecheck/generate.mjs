// Wraps every dashboard JSON in a TypeScript module that must satisfy Grafana's Dashboard type, so that `tsc` catches
// wrong value types and unknown keys (excess property checks apply to object literals).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dashboards = new URL('../dashboards/', import.meta.url).pathname;
const out = new URL('./generated/', import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
if (files.length === 0) {
  throw new Error(`no dashboards in ${dashboards}`);
}
for (const file of files) {
  const json = readFileSync(join(dashboards, file), 'utf8');
  JSON.parse(json); // a clear error for invalid JSON before tsc's
  writeFileSync(join(out, basename(file, '.json') + '.ts'),
    `import type { TributaryDashboard } from '../types';\n\nexport const dashboard = (${json}) satisfies TributaryDashboard;\n`);
}
console.log(`generated ${files.length} dashboard modules`);
