import { versionFromEtag } from '../contract/wire.js';
import type { ExpectedVersion } from '../domain/expected-version.js';

/**
 * What an `If-Match` header asks of a write to entity `id`: nothing or `*` accept any version,
 * a tag of this entity names its version, and tags of anything else can never match.
 */
export function parseIfMatch(header: string | undefined, id: string): ExpectedVersion {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return { kind: 'any' };
  for (const tag of header.split(',')) {
    const version = versionFromEtag(tag, id);
    if (version !== null) return { kind: 'version', version };
  }
  return { kind: 'unmatchable' };
}
