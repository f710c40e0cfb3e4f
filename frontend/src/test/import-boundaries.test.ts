import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { frontendBoundaries } from '../../eslint.boundaries.js';

// The repository root, where the flat-config globs (`frontend/src/...`) are rooted.
const repoDir = decodeURIComponent(
  import.meta.url.replace(/^file:\/\//, '').replace(/\/frontend\/src\/test\/[^/]+$/, ''),
);
const eslint = new ESLint({
  cwd: repoDir,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } }, ...frontendBoundaries],
});

/** The import-boundary messages ESLint reports for `code` placed at `file` (relative to frontend/src). */
async function boundaryErrors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoDir}/frontend/src/${file}` });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('SPA import boundaries', () => {
  it.each([
    ['lib/x.ts', "import { useAuth } from '../features/auth';"],
    ['components/ui/x.tsx', "import { queryClient } from '../../app/query-client';"],
    ['features/tasks/components/x.tsx', "import { App } from '../../../app/app';"],
    ['features/stats/components/x.tsx', "import { taskKeys } from '../../tasks/api/tasks.api';"],
    ['features/tasks/components/x.tsx', "import { AuthContext } from '../../auth/auth-context';"],
    ['features/tasks/components/x.tsx', "import { listProjects } from '../../projects/api/projects.api';"],
    ['features/tasks/x.ts', "import type { Task } from '@primo/api/tasks/tasks.schemas';"],
    ['lib/x.ts', "import type { User } from '@primo/api/auth/auth.schemas';"],
  ])('when %s imports across a boundary (%s), then lint fails', async (file, code) => {
    const errors = await boundaryErrors(code, file);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: /);
  });

  it.each([
    ['features/tasks/components/x.tsx', "import { useAuth } from '../../auth';"],
    ['features/tasks/components/x.tsx', "import { useProjects } from '../../projects';"],
    ['features/tasks/components/x.tsx', "import { getTask } from '../api/tasks.api';"],
    ['features/stats/components/x.tsx', "import { Link } from '../../../components/ui/links';"],
    ['components/ui/x.tsx', "import { describeError } from '../../lib/describe-error';"],
    ['app/x.tsx', "import { TasksPage } from '../features/tasks/components/tasks-page';"],
    ['lib/x.ts', "import { entityEtag, type Task } from '@primo/api/contract/wire';"],
  ])('when %s imports the allowed way (%s), then lint passes', async (file, code) => {
    expect(await boundaryErrors(code, file)).toEqual([]);
  });
});
