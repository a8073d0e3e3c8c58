// What every content feature module shares: the database, the clock, the audit log and the change
// signal (which drops the TV cache and tells the TV event stream to re-fetch).
import type { Clock } from '../../src/clock.ts'
import type { TvBroadcast } from '../../src/tv/tv-api.ts'
import type { Db } from '../db/open-database.ts'

export type ContentChange =
  | { villageId: string, kind: 'content' }
  | { villageId: string, kind: 'broadcast', broadcast: TvBroadcast }
  | { villageId: string, kind: 'broadcast_end', id: string }

export interface ContentContext {
  db: Db
  clock: Clock
  /** One audit_log row per staff write; `detail` is stored as JSON. */
  audit(actor: string, action: string, entity: string, entityId: string | null, detail?: unknown): void
  emit(change: ContentChange): void
}

export function auditWriter (db: Db, clock: Clock): ContentContext['audit'] {
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
  return (actor, action, entity, entityId, detail) => {
    insert.run(clock.now(), actor, action, entity, entityId, detail === undefined ? null : JSON.stringify(detail))
  }
}
