// Emergency broadcasts (防台防汛, fire, earthquake): one active per village; it takes over every screen
// until staff end it or its own endsAt passes (a timer then tells the screens to let go).
import type { AdminBroadcast, BroadcastInput } from '../../src/content/content-schemas.ts'
import type { TimerFunctions } from '../../src/clock.ts'
import { AnjuError } from '../../src/errors.ts'
import type { TvBroadcast } from '../../src/tv/tv-api.ts'
import { insertOrThrow } from '../registry/places-store.ts'
import { newId } from '../registry/secrets.ts'
import { systemTimerFunctions } from '../timers.ts'
import type { ContentContext } from './content-context.ts'

interface BroadcastRow {
  id: string, village_id: string, kind: TvBroadcast['kind'], title: string, body: string, started_at: number,
  ends_at: number | null, ended_at: number | null, ended_by: string | null, created_by: string, created_at: number
}

/** setTimeout fires at once above 2^31-1 ms (~24.8 days): longer waits re-arm in steps. */
const MAX_TIMER_MS = 2_147_483_647
/** Who ends a broadcast whose own endsAt passed (recorded in ended_by). */
export const EXPIRED_BY = 'system:expired'

function toTv (r: BroadcastRow): TvBroadcast {
  return { id: r.id, kind: r.kind, title: r.title, body: r.body, startedAt: r.started_at, endsAt: r.ends_at }
}

function toAdmin (r: BroadcastRow, now: number): AdminBroadcast {
  const active = r.ended_at === null && r.started_at <= now && (r.ends_at === null || r.ends_at > now)
  return { ...toTv(r), villageId: r.village_id, active, endedAt: r.ended_at, endedBy: r.ended_by, createdBy: r.created_by }
}

export class Broadcasts {
  private readonly timers: TimerFunctions
  private readonly armed = new Map<string, unknown>()

  constructor (private readonly ctx: ContentContext) {
    // The injected clock may carry fake timers (tests); otherwise real, unref'd ones.
    const c = ctx.clock as Partial<TimerFunctions>
    this.timers = typeof c.setTimeout === 'function' && typeof c.clearTimeout === 'function' ? (c as TimerFunctions) : systemTimerFunctions
    this.rearm()
  }

  /** Arm the end of every open broadcast that ends by itself: after a restart, or a replica's reload. */
  rearm (): void {
    this.close()
    const open = this.ctx.db.prepare('SELECT * FROM broadcasts WHERE ended_at IS NULL AND ends_at IS NOT NULL').all() as BroadcastRow[]
    for (const r of open) this.arm(r)
  }

  /** Village → id of the broadcast showing there at `now`. */
  activeIds (now: number): Map<string, string> {
    const rows = this.ctx.db.prepare(`SELECT village_id AS villageId, id FROM broadcasts WHERE ended_at IS NULL AND started_at <= ?
      AND (ends_at IS NULL OR ends_at > ?) ORDER BY started_at, id`).all(now, now) as Array<{ villageId: string, id: string }>
    return new Map(rows.map((r) => [r.villageId, r.id]))
  }

  /** Started, not ended by staff, and not past its own end: an expired one never shows, timer or not. */
  active (villageId: string, now: number): TvBroadcast | null {
    const r = this.ctx.db.prepare(`SELECT * FROM broadcasts WHERE village_id = @villageId AND ended_at IS NULL
      AND started_at <= @now AND (ends_at IS NULL OR ends_at > @now) ORDER BY started_at DESC LIMIT 1`)
      .get({ villageId, now }) as BroadcastRow | undefined
    return r === undefined ? null : toTv(r)
  }

  /** Starts a broadcast; the village's active one, if any, ends first (one takeover at a time). */
  start (input: BroadcastInput): AdminBroadcast {
    const now = this.ctx.clock.now()
    const endsAt = input.endsAt ?? null
    if (endsAt !== null && endsAt <= now) throw new AnjuError('INVALID_INPUT', 'endsAt must be in the future')
    const previous = this.active(input.villageId, now)
    const row: BroadcastRow = {
      id: newId('bc'), village_id: input.villageId, kind: input.kind, title: input.title, body: input.body, started_at: now,
      ends_at: endsAt, ended_at: null, ended_by: null, created_by: input.by, created_at: now
    }
    this.ctx.db.transaction(() => {
      if (previous !== null) {
        this.ctx.db.prepare('UPDATE broadcasts SET ended_at = ?, ended_by = ? WHERE id = ?').run(now, input.by, previous.id)
        this.ctx.audit(input.by, 'end', 'broadcast', previous.id, { replacedBy: row.id })
      }
      insertOrThrow(() => this.ctx.db.prepare(`INSERT INTO broadcasts (id, village_id, kind, title, body, started_at, ends_at, ended_at,
        ended_by, created_by, created_at) VALUES (@id, @village_id, @kind, @title, @body, @started_at, @ends_at, @ended_at, @ended_by,
        @created_by, @created_at)`).run(row))
      this.ctx.audit(input.by, 'start', 'broadcast', row.id, { villageId: row.village_id, kind: row.kind, title: row.title, endsAt })
    })()
    if (previous !== null) {
      this.disarm(previous.id)
      this.ctx.emit({ villageId: row.village_id, kind: 'broadcast_end', id: previous.id })
    }
    this.arm(row)
    this.ctx.emit({ villageId: row.village_id, kind: 'broadcast', broadcast: toTv(row) })
    return toAdmin(row, now)
  }

  end (id: string, by: string): AdminBroadcast {
    const now = this.ctx.clock.now()
    const r = this.row(id)
    if (!toAdmin(r, now).active) throw new AnjuError('CONFLICT', 'the broadcast has already ended')
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE broadcasts SET ended_at = ?, ended_by = ? WHERE id = ?').run(now, by, id)
      this.ctx.audit(by, 'end', 'broadcast', id)
    })()
    this.disarm(id)
    this.ctx.emit({ villageId: r.village_id, kind: 'broadcast_end', id })
    return toAdmin({ ...r, ended_at: now, ended_by: by }, now)
  }

  list (villageId: string): AdminBroadcast[] {
    const now = this.ctx.clock.now()
    return (this.ctx.db.prepare('SELECT * FROM broadcasts WHERE village_id = ? ORDER BY started_at DESC, id LIMIT 500')
      .all(villageId) as BroadcastRow[]).map((r) => toAdmin(r, now))
  }

  close (): void {
    for (const id of [...this.armed.keys()]) this.disarm(id)
  }

  private row (id: string): BroadcastRow {
    const r = this.ctx.db.prepare('SELECT * FROM broadcasts WHERE id = ?').get(id) as BroadcastRow | undefined
    if (r === undefined) throw new AnjuError('NOT_FOUND', `broadcast ${id} does not exist`)
    return r
  }

  private arm (r: BroadcastRow): void {
    if (r.ends_at === null) return
    const endsAt = r.ends_at
    const wait = endsAt - this.ctx.clock.now()
    this.armed.set(r.id, this.timers.setTimeout(() => {
      this.armed.delete(r.id)
      // Until build.ts calls close(), a timer may outlive its gateway: never touch a closed database.
      if (!this.ctx.db.open) return
      if (this.ctx.clock.now() < endsAt) { this.arm(r); return }
      this.expire(r.id)
    }, Math.min(Math.max(0, wait), MAX_TIMER_MS)))
  }

  private disarm (id: string): void {
    const handle = this.armed.get(id)
    if (handle === undefined) return
    this.timers.clearTimeout(handle)
    this.armed.delete(id)
  }

  /** Its own endsAt passed: record the end (so the console shows why) and let the screens go. */
  private expire (id: string): void {
    const r = this.ctx.db.prepare('SELECT * FROM broadcasts WHERE id = ?').get(id) as BroadcastRow | undefined
    if (r === undefined || r.ended_at !== null || r.ends_at === null) return
    this.ctx.db.transaction(() => {
      this.ctx.db.prepare('UPDATE broadcasts SET ended_at = ?, ended_by = ? WHERE id = ?').run(r.ends_at, EXPIRED_BY, id)
      this.ctx.audit(EXPIRED_BY, 'end', 'broadcast', id, { endsAt: r.ends_at })
    })()
    this.ctx.emit({ villageId: r.village_id, kind: 'broadcast_end', id })
  }
}
