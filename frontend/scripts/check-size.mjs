#!/usr/bin/env node
// The first-screen JavaScript budget. A first screen is everything that must arrive before that
// screen renders: the entry chunk and its static imports, plus, for a signed-in route, the lazy
// chunks on the way to it (the app shell, then the page) and their static imports. The closures
// come from Vite's manifest (dist/.vite/manifest.json); each file is gzipped the way a server
// would send it. Lazy chunks a page only loads on demand (dialogs, say) are printed, not budgeted.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 100 * 1024;
const APP_SHELL = 'src/app/app-shell.tsx';

/** The screens a visit can start on; `lazy` lists the dynamic entries loaded before it renders. */
const SCREENS = [
  { name: 'signed-out first screen: sign-in (/signin)', lazy: ['src/features/auth/components/auth-page.tsx'] },
  // Outside the signed-in shell, signed in or not: the page accepts the invitation, then the task list loads.
  { name: 'first screen: invitation (/invite/:token)', lazy: ['src/features/projects/components/invite-page.tsx'] },
  {
    name: 'signed-in first screen: task list (/tasks)',
    lazy: [APP_SHELL, 'src/features/tasks/components/tasks-page.tsx'],
  },
  {
    name: 'signed-in first screen: dashboard (/dashboard)',
    lazy: [APP_SHELL, 'src/features/stats/components/dashboard-page.tsx'],
  },
];

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', process.argv[2] ?? 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`size: ${manifestPath} does not exist; run "npm run build" first.`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const gzipCache = new Map();
function gzippedSize(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  return gzipCache.get(file);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const sum = (files) => [...files].reduce((total, file) => total + gzippedSize(file), 0);

/** The manifest keys of a chunk and everything it imports statically. */
function closure(key, into = new Set()) {
  if (into.has(key)) return into;
  if (!manifest[key]) throw new Error(`size: "${key}" is not in the manifest; update SCREENS in check-size.mjs.`);
  into.add(key);
  for (const imported of manifest[key].imports ?? []) closure(imported, into);
  return into;
}
/** The stylesheets the chunks bring (Vite lists them under `css`), for the CSS figure beside the JavaScript. */
const cssOf = (keys) => new Set([...keys].flatMap((key) => manifest[key].css ?? []));
const filesOf = (keys) => new Set([...keys].map((key) => manifest[key].file).filter((file) => file.endsWith('.js')));

const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
if (entries.length !== 1) {
  console.error(`size: expected one entry chunk in the manifest, found ${entries.length}.`);
  process.exit(1);
}
const entryKeys = closure(entries[0]);

let failed = false;
const loadedSomewhere = new Set();
for (const screen of SCREENS) {
  const keys = new Set(entryKeys);
  for (const lazyKey of screen.lazy) closure(lazyKey, keys);
  for (const key of keys) loadedSomewhere.add(key);
  const files = [...filesOf(keys)].sort((a, b) => gzippedSize(b) - gzippedSize(a));
  const total = sum(files);
  const over = total > BUDGET_BYTES;
  failed ||= over;
  const css = [...cssOf(keys)];
  console.log(
    `${screen.name}: ${kb(total)} gzipped${over ? `, OVER the ${kb(BUDGET_BYTES)} budget` : ''}; CSS ${kb(sum(css))} gzipped (not budgeted)`,
  );
  for (const file of files) console.log(`  ${kb(gzippedSize(file)).padStart(8)}  ${file}`);
}

// Chunks no first screen needs (loaded on a later interaction): their cost when first used.
const onDemand = Object.keys(manifest).filter((key) => manifest[key].isDynamicEntry && !loadedSomewhere.has(key));
for (const key of onDemand) {
  const extra = [...filesOf(closure(key))].filter(
    (file) => ![...loadedSomewhere].some((k) => manifest[k].file === file),
  );
  console.log(`on demand ${key}: +${kb(sum(extra))} gzipped when first used (${extra.length} files, not budgeted)`);
}

if (failed) {
  console.error(`size: a first screen is over the ${kb(BUDGET_BYTES)} gzipped JavaScript budget.`);
  process.exit(1);
}
console.log(`size: every first screen is within the ${kb(BUDGET_BYTES)} gzipped JavaScript budget.`);
