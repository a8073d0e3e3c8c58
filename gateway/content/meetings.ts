// The party meeting calendar (三会一课 and 主题党日): planned, cancelled, shown on the TV from a day ago on.
import type { TvMeeting } from '../../src/tv/tv-api.ts'
import type { ContentContext } from './content-context.ts'

interface MeetingRow {
  id: string, village_id: string, kind: TvMeeting['kind'], title: string, starts_at: number, ends_at: number | null,
  place: string, note: string | null, cancelled_at: number | null, created_by: string, created_at: number
}

const DAY_MS = 86_400_000
const TV_LIMIT = 30

function toTv (r: MeetingRow): TvMeeting {
  return { id: r.id, kind: r.kind, title: r.title, startsAt: r.starts_at, endsAt: r.ends_at, place: r.place, note: r.note }
}

export class Meetings {
  constructor (private readonly ctx: ContentContext) {}

  /** Yesterday's meeting stays a day so members who missed it see it happened; soonest first. */
  tv (villageId: string, now: number): TvMeeting[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM meetings WHERE village_id = ? AND cancelled_at IS NULL
      AND COALESCE(ends_at, starts_at) >= ? ORDER BY starts_at, id LIMIT ${TV_LIMIT}`).all(villageId, now - DAY_MS) as MeetingRow[]
    return rows.map(toTv)
  }
}
