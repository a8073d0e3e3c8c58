// Notices (party affairs, study material, safety, health): scheduled by startsAt, optionally ending,
// optionally targeted to one grid, withdrawable. The TV sees only what is displayed right now.
import type { TvNotice } from '../../src/tv/tv-api.ts'
import type { ContentContext } from './content-context.ts'

interface NoticeRow {
  id: string, village_id: string, grid_id: string | null, category: TvNotice['category'], title: string, body: string,
  images: string, priority: TvNotice['priority'], starts_at: number, ends_at: number | null, published_at: number | null,
  withdrawn_at: number | null, created_by: string, created_at: number, updated_at: number
}

/** The TV screen shows at most this many notices; more would never be read on a remote control. */
const TV_LIMIT = 50

export function toTvNotice (r: NoticeRow): TvNotice {
  return {
    id: r.id, category: r.category, title: r.title, body: r.body, images: JSON.parse(r.images) as TvNotice['images'],
    priority: r.priority, target: r.grid_id === null ? 'village' : 'grid',
    publishedAt: r.published_at ?? r.starts_at, startsAt: r.starts_at, endsAt: r.ends_at
  }
}

export class Notices {
  constructor (private readonly ctx: ContentContext) {}

  /** Displayed now: started, not ended, not withdrawn; village-wide plus the screen's grid; urgent first. */
  tv (villageId: string, gridId: string | null, now: number): TvNotice[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM notices WHERE village_id = @villageId
      AND published_at IS NOT NULL AND withdrawn_at IS NULL AND starts_at <= @now AND (ends_at IS NULL OR ends_at > @now)
      AND (grid_id IS NULL OR grid_id = @gridId)
      ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, published_at DESC, id
      LIMIT ${TV_LIMIT}`).all({ villageId, gridId, now }) as NoticeRow[]
    return rows.map(toTvNotice)
  }

  /** The next time a notice starts or ends after `now`: when the TV's cached view goes stale. */
  nextBoundary (villageId: string, now: number): number | null {
    const r = this.ctx.db.prepare(`SELECT MIN(t) AS t FROM (
      SELECT starts_at AS t FROM notices WHERE village_id = @villageId AND withdrawn_at IS NULL AND starts_at > @now
      UNION ALL SELECT ends_at FROM notices WHERE village_id = @villageId AND withdrawn_at IS NULL AND ends_at > @now)`)
      .get({ villageId, now }) as { t: number | null }
    return r.t
  }
}
