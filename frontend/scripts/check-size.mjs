#!/usr/bin/env node
// The first-screen JavaScript budget: the entry script of dist/index.html plus every chunk it
// preloads, gzipped the way a server would send them. Lazy route chunks are not part of the first
// screen; their cost is printed for information (from Vite's manifest) but not budgeted.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 100 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', process.argv[2] ?? 'dist');
const indexPath = join(dist, 'index.html');

if (!existsSync(indexPath)) {
  console.error(`size: ${indexPath} does not exist; run "npm run build" first.`);
  process.exit(1);
}

const gzipCache = new Map();
function gzippedSize(file) {
  const key = file.replace(/^\//, '');
  if (!gzipCache.has(key)) gzipCache.set(key, gzipSync(readFileSync(join(dist, key)), { level: 9 }).length);
  return gzipCache.get(key);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

const html = readFileSync(indexPath, 'utf8');
const attribute = (tag, name) => tag.match(new RegExp(`\\b${name}=["']([^"']+)["']`))?.[1];
const firstScreen = new Set();
for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
  if (tag.startsWith('<script') && attribute(tag, 'type') === 'module' && attribute(tag, 'src')) {
    firstScreen.add(attribute(tag, 'src').replace(/^\//, ''));
  }
  if (tag.startsWith('<link') && attribute(tag, 'rel') === 'modulepreload' && attribute(tag, 'href')) {
    firstScreen.add(attribute(tag, 'href').replace(/^\//, ''));
  }
}
if (firstScreen.size === 0) {
  console.error('size: no module script found in dist/index.html.');
  process.exit(1);
}

let total = 0;
console.log(`First-screen JavaScript (${firstScreen.size} files):`);
for (const file of firstScreen) {
  total += gzippedSize(file);
  console.log(`  ${file}  ${kb(gzippedSize(file))} gzip`);
}

const manifestPath = join(dist, '.vite', 'manifest.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const closure = (key, into = new Set()) => {
    const chunk = manifest[key];
    if (!chunk || into.has(chunk.file)) return into;
    into.add(chunk.file);
    for (const imported of chunk.imports ?? []) closure(imported, into);
    return into;
  };
  const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
  for (const lazyKey of entry ? (manifest[entry].dynamicImports ?? []) : []) {
    const extra = [...closure(lazyKey)].filter((file) => !firstScreen.has(file));
    const bytes = extra.reduce((sum, file) => sum + gzippedSize(file), 0);
    console.log(`  lazy ${lazyKey}: +${kb(bytes)} gzip when first opened (${extra.length} files, not budgeted)`);
  }
}

if (total > BUDGET_BYTES) {
  console.error(`size: first screen is ${kb(total)} gzipped, over the ${kb(BUDGET_BYTES)} budget.`);
  process.exit(1);
}
console.log(`size: first screen is ${kb(total)} gzipped, within the ${kb(BUDGET_BYTES)} budget.`);
