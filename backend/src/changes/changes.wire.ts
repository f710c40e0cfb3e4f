import { encodeSeq, type ChangeView } from './change.model.js';
import type { Change } from './changes.schemas.js';

export function toChange(change: ChangeView): Change {
  return {
    seq: encodeSeq(change.seq),
    projectId: change.projectId,
    type: change.type,
    entityId: change.entityId,
    version: change.version,
    actor: { id: change.actorId, name: change.actorName },
    at: change.at.toISOString(),
    fields: change.fields,
  };
}
