#!/usr/bin/env node
// Renders the app icons of the web app manifest from public/favicon.svg with Chromium
// (playwright-core and Debian's chromium, as the browser tests use): `any` icons are the favicon's
// rounded square; `maskable` ones fill the whole canvas with its colour and keep the mark inside
// the central 80 % safe zone that launchers may crop to. Run after changing the favicon:
//   node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const favicon = readFileSync(join(publicDir, 'favicon.svg'), 'utf8');
const background = /<rect[^>]*fill="([^"]+)"/.exec(favicon)?.[1] ?? '#4f46e5';
const mark = /<path[^>]*\/>/.exec(favicon)?.[0] ?? '';

const icons = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
  { file: 'apple-touch-icon-180.png', size: 180, maskable: true },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  for (const icon of icons) {
    // Maskable: the 32-unit mark scaled into the middle 60 % (well inside the 80 % safe zone).
    const svg = icon.maskable
      ? `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="${background}"/><g transform="translate(6.4 6.4) scale(0.6)">${mark}</g></svg>`
      : favicon;
    await page.setViewportSize({ width: icon.size, height: icon.size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img style="display:block;width:${icon.size}px;height:${icon.size}px" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></body></html>`,
    );
    await page.screenshot({ path: join(publicDir, 'icons', icon.file), omitBackground: true });
    console.log(`icons/${icon.file} (${icon.size}×${icon.size}${icon.maskable ? ', maskable' : ''})`);
  }
} finally {
  await browser.close();
}
