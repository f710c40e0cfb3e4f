import { BackupError, type CopyProgress } from '../storage/sqlite/sqlite-backup.js';

/** `--name value` pairs and bare flags; anything else is an error naming the argument. */
export function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]) {
  const values: Record<string, string> = {};
  const set = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (valued.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new BackupError(`${arg} needs a value`);
      values[arg] = value;
      i += 1;
    } else if (flags.includes(arg)) {
      set.add(arg);
    } else if (arg.startsWith('--')) {
      throw new BackupError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { values, flags: set, positional };
}

/** One progress line per step, on stderr so stdout carries only the result. */
export function progressPrinter(label: string): (progress: CopyProgress) => void {
  let printed = -1;
  return ({ totalPages, remainingPages, restarts }) => {
    const percent = totalPages === 0 ? 100 : Math.floor(((totalPages - remainingPages) / totalPages) * 100);
    if (percent === printed) return;
    printed = percent;
    const again = restarts > 0 ? ` (restarted ${restarts}× by concurrent writes)` : '';
    process.stderr.write(`${label}: ${percent} % (${totalPages - remainingPages} of ${totalPages} pages)${again}\n`);
  };
}
