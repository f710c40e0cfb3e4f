import { mkdirSync, rmSync } from 'node:fs';
import { screenshotDir } from './pages.js';

/** Every run starts with an empty screenshot folder, which the journeys fill between them. */
export default function clearScreenshots(): void {
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
}
