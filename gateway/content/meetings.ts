// The party meeting calendar (三会一课 and 主题党日): planned, cancelled, shown on the TV from a day ago on.
import type { AdminMeeting, MeetingInput } from '../../src/content/content-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import type { TvMeeting } from '../../src/tv/tv-api.ts'
import { insertOrThrow } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
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

function toAdmin (r: MeetingRow): AdminMeeting {
  return { ...toTv(r), villageId: r.village_id, cancelledAt: r.cancelled_at, createdBy: r.created_by, createdAt: r.created_at }
}

export class Meetings {
  constructor (private readonly ctx: ContentContext) {}

  create (input: MeetingInput): AdminMeeting {
    const now = this.ctx.clock.now()
    const row: MeetingRow = {
      id: newId('mtg'), village_id: input.villageId, kind: input.kind, title: input.title, starts_at: input.startsAt,
      ends_at: input.endsAt ?? null, place: input.place, note: input.note ?? null, cancelled_at: null, created_by: input.by, created_at: now
    }
    this.ctx.db.transaction(() => {
      insertOrThrow(() => this.ctx.db.prepare(`INSERT INTO meetings (id, village_id, kind, title, starts_at, ends_at, place, note,
        cancelled_at, created_by, created_at) VALUES (@id, @village_id, @kind, @title, @starts_at, @ends_at, @place, @note,
        @cancelled_at, @created_by, @created_at)`).run(row))
      this.ctx.audit(input.by, 'create', 'meeting', row.id, { villageId: row.village_id, kind: row.kind, title: row.title, startsAt: row.starts_at })
    })()
    this.ctx.emit({ villageId: row.village_id, kind: 'content' })
    return toAdmin(row)
  }

  cancel (id: string, by: string): AdminMeeting {
    const r = this.ctx.db.prepare('SELECT * FROM meetings WHERE id = ?').get(id) as MeetingRow | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `meeting ${id} does not exist`)
    if (r.cancelled_at !== null) throw new AnjuError('CONFLICT', 'the meeting is already cancelled')
    const now = this.ctx.clock.now()
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE meetings SET cancelled_at = ? WHERE id = ?').run(now, id)
      this.ctx.audit(by, 'cancel', 'meeting', id)
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'content' })
    return toAdmin({ ...r, cancelled_at: now })
  }

  /** The console's calendar: everything, cancelled included, newest first. */
  list (villageId: string): AdminMeeting[] {
    return (this.ctx.db.prepare('SELECT * FROM meetings WHERE village_id = ? ORDER BY starts_at DESC, id LIMIT 1000')
      .all(villageId) as MeetingRow[]).map(toAdmin)
  }

  /** Yesterday's meeting stays a day so members who missed it see it happened; soonest first. */
  tv (villageId: string, now: number): TvMeeting[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM meetings WHERE village_id = ? AND cancelled_at IS NULL
      AND COALESCE(ends_at, starts_at) >= ? ORDER BY starts_at, id LIMIT ${TV_LIMIT}`).all(villageId, now - DAY_MS) as MeetingRow[]
    return rows.map(toTv)
  }
}
