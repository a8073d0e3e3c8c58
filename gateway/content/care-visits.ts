// The medical team's visiting schedule (智慧医养: 村卫生室 / 镇卫生院 上门随访).
import type { TvCareVisit } from '../../src/tv/tv-api.ts'
import type { ContentContext } from './content-context.ts'

interface CareVisitRow {
  id: string, village_id: string, starts_at: number, ends_at: number | null, team: string, place: string,
  services: string | null, cancelled_at: number | null, created_by: string, created_at: number
}

const DAY_MS = 86_400_000
const TV_LIMIT = 30

function toTv (r: CareVisitRow): TvCareVisit {
  return { id: r.id, startsAt: r.starts_at, endsAt: r.ends_at, team: r.team, place: r.place, services: r.services }
}

export class CareVisits {
  constructor (private readonly ctx: ContentContext) {}

  tv (villageId: string, now: number): TvCareVisit[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM care_visits WHERE village_id = ? AND cancelled_at IS NULL
      AND COALESCE(ends_at, starts_at) >= ? ORDER BY starts_at, id LIMIT ${TV_LIMIT}`).all(villageId, now - DAY_MS) as CareVisitRow[]
    return rows.map(toTv)
  }
}
