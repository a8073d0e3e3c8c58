// Emergency broadcasts (防台防汛, fire, earthquake): one active per village; it takes over every screen.
import type { TvBroadcast } from '../../src/tv/tv-api.ts'
import type { ContentContext } from './content-context.ts'

interface BroadcastRow {
  id: string, village_id: string, kind: TvBroadcast['kind'], title: string, body: string, started_at: number,
  ends_at: number | null, ended_at: number | null, ended_by: string | null, created_by: string, created_at: number
}

function toTv (r: BroadcastRow): TvBroadcast {
  return { id: r.id, kind: r.kind, title: r.title, body: r.body, startedAt: r.started_at, endsAt: r.ends_at }
}

export class Broadcasts {
  constructor (private readonly ctx: ContentContext) {}

  /** Started, not ended by staff, and not past its own end: an expired one never shows, timer or not. */
  active (villageId: string, now: number): TvBroadcast | null {
    const r = this.ctx.db.prepare(`SELECT * FROM broadcasts WHERE village_id = @villageId AND ended_at IS NULL
      AND started_at <= @now AND (ends_at IS NULL OR ends_at > @now) ORDER BY started_at DESC LIMIT 1`)
      .get({ villageId, now }) as BroadcastRow | undefined
    return r === undefined ? null : toTv(r)
  }
}
