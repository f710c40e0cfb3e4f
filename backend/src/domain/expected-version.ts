/**
 * Which stored version a write may replace: whatever is current, exactly this version,
 * or none at all (the caller's copy names another entity, so it can never be current).
 */
export type ExpectedVersion = { kind: 'any' } | { kind: 'version'; version: number } | { kind: 'unmatchable' };

/**
 * The version guard a repository write takes for `expected`: none (any version) or a version.
 * Versions start at 1, so an unmatchable expectation guards on 0: the write then ends in a version
 * mismatch (412) when the entity exists and in not-found (404) when it does not, and changes nothing.
 */
export function versionGuardOf(expected: ExpectedVersion): number | undefined {
  switch (expected.kind) {
    case 'any':
      return undefined;
    case 'version':
      return expected.version;
    case 'unmatchable':
      return 0;
  }
}
