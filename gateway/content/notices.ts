// Notices (party affairs, study material, safety, health): scheduled by startsAt, optionally ending,
// optionally targeted to one grid, withdrawable. The TV sees only what is displayed right now.
import type { AdminNotice, NoticeInput, NoticeUpdate } from '../../src/content/content-schemas.ts'
import { AnjuError } from '../../src/errors.ts'
import type { TvNotice } from '../../src/tv/tv-api.ts'
import { insertOrThrow } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
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

function toAdmin (r: NoticeRow, now: number): AdminNotice {
  const status = r.withdrawn_at !== null
    ? 'withdrawn'
    : r.starts_at > now ? 'scheduled' : r.ends_at !== null && r.ends_at <= now ? 'ended' : 'displayed'
  return {
    ...toTvNotice(r), villageId: r.village_id, gridId: r.grid_id, status, withdrawnAt: r.withdrawn_at,
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at
  }
}

export class Notices {
  constructor (private readonly ctx: ContentContext) {}

  create (input: NoticeInput): AdminNotice {
    const now = this.ctx.clock.now()
    const startsAt = input.startsAt ?? input.publishAt ?? now
    const endsAt = input.endsAt ?? null
    if (endsAt !== null && endsAt <= now) throw new AnjuError('INVALID_INPUT', 'endsAt is in the past: the notice would never be shown')
    if (input.gridId != null) this.checkGrid(input.villageId, input.gridId)
    const row: NoticeRow = {
      id: newId('ntc'), village_id: input.villageId, grid_id: input.gridId ?? null, category: input.category, title: input.title,
      body: input.body, images: JSON.stringify(input.images), priority: input.priority, starts_at: startsAt, ends_at: endsAt,
      // Shown as "published" on screens: the moment it first appears, not when the clerk typed it.
      published_at: Math.max(now, startsAt), withdrawn_at: null, created_by: input.by, created_at: now, updated_at: now
    }
    this.ctx.db.transaction(() => {
      insertOrThrow(() => this.ctx.db.prepare(`INSERT INTO notices (id, village_id, grid_id, category, title, body, images, priority,
        starts_at, ends_at, published_at, withdrawn_at, created_by, created_at, updated_at) VALUES (@id, @village_id, @grid_id,
        @category, @title, @body, @images, @priority, @starts_at, @ends_at, @published_at, @withdrawn_at, @created_by, @created_at,
        @updated_at)`).run(row))
      this.ctx.audit(input.by, 'create', 'notice', row.id, { villageId: row.village_id, title: row.title, startsAt, endsAt })
    })()
    this.ctx.emit({ villageId: row.village_id, kind: 'content' })
    return toAdmin(row, now)
  }

  /** Only before it appears: once villagers may have read it, a change is a withdrawal plus a new notice. */
  update (id: string, patch: NoticeUpdate): AdminNotice {
    const now = this.ctx.clock.now()
    const r = this.row(id)
    if (r.withdrawn_at !== null) throw new AnjuError('CONFLICT', 'the notice was withdrawn')
    if (r.starts_at <= now) throw new AnjuError('CONFLICT', 'the notice is already on screens; withdraw it and publish a new one')
    if (patch.gridId != null) this.checkGrid(r.village_id, patch.gridId)
    const next: NoticeRow = {
      ...r,
      grid_id: patch.gridId === undefined ? r.grid_id : patch.gridId,
      category: patch.category ?? r.category,
      title: patch.title ?? r.title,
      body: patch.body ?? r.body,
      images: patch.images === undefined ? r.images : JSON.stringify(patch.images),
      priority: patch.priority ?? r.priority,
      starts_at: patch.startsAt ?? r.starts_at,
      ends_at: patch.endsAt === undefined ? r.ends_at : patch.endsAt,
      updated_at: now
    }
    if (next.ends_at !== null && next.ends_at <= Math.max(now, next.starts_at)) throw new AnjuError('INVALID_INPUT', 'endsAt must be after startsAt and in the future')
    next.published_at = Math.max(now, next.starts_at)
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare(`UPDATE notices SET grid_id = @grid_id, category = @category, title = @title, body = @body, images = @images,
        priority = @priority, starts_at = @starts_at, ends_at = @ends_at, published_at = @published_at, updated_at = @updated_at
        WHERE id = @id`).run(next)
      const { by: _by, ...changed } = patch
      this.ctx.audit(patch.by, 'update', 'notice', id, changed)
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'content' })
    return toAdmin(next, now)
  }

  withdraw (id: string, by: string, reason?: string): AdminNotice {
    const now = this.ctx.clock.now()
    const r = this.row(id)
    if (r.withdrawn_at !== null) throw new AnjuError('CONFLICT', 'the notice is already withdrawn')
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE notices SET withdrawn_at = ?, updated_at = ? WHERE id = ?').run(now, now, id)
      this.ctx.audit(by, 'withdraw', 'notice', id, { reason: reason ?? null })
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'content' })
    return toAdmin({ ...r, withdrawn_at: now, updated_at: now }, now)
  }

  get (id: string): AdminNotice {
    return toAdmin(this.row(id), this.ctx.clock.now())
  }

  /** Every notice of the village, newest first (the console's list, withdrawn ones included). */
  list (villageId: string): AdminNotice[] {
    const now = this.ctx.clock.now()
    const rows = this.ctx.db.prepare('SELECT * FROM notices WHERE village_id = ? ORDER BY starts_at DESC, id LIMIT 1000').all(villageId) as NoticeRow[]
    return rows.map((r) => toAdmin(r, now))
  }

  private row (id: string): NoticeRow {
    const r = this.ctx.db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as NoticeRow | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `notice ${id} does not exist`)
    return r
  }

  private checkGrid (villageId: string, gridId: string): void {
    const g = this.ctx.db.prepare('SELECT village_id AS villageId FROM grids WHERE id = ?').get(gridId) as { villageId: string } | undefined
    if (g === undefined || g.villageId !== villageId) throw new AnjuError('NOT_FOUND', `grid ${gridId} is not a grid of village ${villageId}`)
  }

  /** Displayed now: started, not ended, not withdrawn; village-wide plus the screen's grid; urgent first. */
  tv (villageId: string, gridId: string | null, now: number): TvNotice[] {
    const rows = this.ctx.db.prepare(`SELECT * FROM notices WHERE village_id = @villageId
      AND published_at IS NOT NULL AND withdrawn_at IS NULL AND starts_at <= @now AND (ends_at IS NULL OR ends_at > @now)
      AND (grid_id IS NULL OR grid_id = @gridId)
      ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, published_at DESC, starts_at DESC, id
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
