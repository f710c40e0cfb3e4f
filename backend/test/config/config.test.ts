import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('when GIT_COMMIT is a commit id, then it is the reported commit; when unset, the commit is null', () => {
    expect(loadConfig({ GIT_COMMIT: 'a1b2c3d4e5f6' }).commit).toBe('a1b2c3d4e5f6');
    expect(loadConfig({}).commit).toBeNull();
  });

  it('when GIT_COMMIT is not a commit id, then start-up stops with a message naming it', () => {
    expect(() => loadConfig({ GIT_COMMIT: 'main; rm -rf /' })).toThrow(ConfigError);
    expect(() => loadConfig({ GIT_COMMIT: 'main; rm -rf /' })).toThrow(/GIT_COMMIT/);
  });
});
