// The medical team's visiting schedule (智慧医养: 村卫生室 / 镇卫生院 上门随访).
import type { AdminCareVisit, CareVisitInput } from '../../src/content/content-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import type { TvCareVisit } from '../../src/tv/tv-api.ts'
import { insertOrThrow } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
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

function toAdmin (r: CareVisitRow): AdminCareVisit {
  return { ...toTv(r), villageId: r.village_id, cancelledAt: r.cancelled_at, createdBy: r.created_by, createdAt: r.created_at }
}

export class CareVisits {
  constructor (private readonly ctx: ContentContext) {}

  create (input: CareVisitInput): AdminCareVisit {
    const now = this.ctx.clock.now()
    const row: CareVisitRow = {
      id: newId('care'), village_id: input.villageId, starts_at: input.startsAt, ends_at: input.endsAt ?? null, team: input.team,
      place: input.place, services: input.services ?? null, cancelled_at: null, created_by: input.by, created_at: now
    }
    this.ctx.db.transaction(() => {
      insertOrThrow(() => this.ctx.db.prepare(`INSERT INTO care_visits (id, village_id, starts_at, ends_at, team, place, services,
        cancelled_at, created_by, created_at) VALUES (@id, @village_id, @starts_at, @ends_at, @team, @place, @services,
        @cancelled_at, @created_by, @created_at)`).run(row))
      this.ctx.audit(input.by, 'create', 'care_visit', row.id, { villageId: row.village_id, team: row.team, startsAt: row.starts_at })
    })()
    this.ctx.emit({ villageId: row.village_id, kind: 'content' })
    return toAdmin(row)
  }

  cancel (id: string, by: string): AdminCareVisit {
    const r = this.ctx.db.prepare('SELECT * FROM care_visits WHERE id = ?').get(id) as CareVisitRow | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `care visit ${id} does not exist`)
    if (r.cancelled_at !== null) throw new AnjuError('CONFLICT', 'the visit is already cancelled')
    const now = this.ctx.clock.now()
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE care_visits SET cancelled_at = ? WHERE id = ?').run(now, id)
      this.ctx.audit(by, 'cancel', 'care_visit', id)
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'content' })
    return toAdmin({ ...r, cancelled_at: now })
  }

  list (villageId: string): AdminCareVisit[] {
    return (this.ctx.db.prepare('SELECT * FROM care_visits WHERE village_id = ? ORDER BY starts_at DESC, id LIMIT 1000')
      .all(villageId) as CareVisitRow[]).map(toAdmin)
  }

  tv (villageId: string, now: number): TvCareVisit[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM care_visits WHERE village_id = ? AND cancelled_at IS NULL
      AND COALESCE(ends_at, starts_at) >= ? ORDER BY starts_at, id LIMIT ${TV_LIMIT}`).all(villageId, now - DAY_MS) as CareVisitRow[]
    return rows.map(toTv)
  }
}
