// TV screens bound to a village or a household by a pairing code; each holds a revocable bearer token
// stored as a hash. The token is 256 random bits, so SHA-256 suffices (see registry/secrets.ts for why
// no slow KDF), and the lookup is by hash: the database never holds anything that opens a screen.
// Pairing and revocation are audited (audit_log).
import type { Clock } from '../../src/clock.ts'
import type { Db } from '../db/open-database.ts'
import { generateSecret, hashSecret, newId } from '../registry/secrets.ts'
import { Pairings } from './pairing.ts'
import { AnjuError } from '../../src/errors.ts'

export interface Screen {
  id: string
  villageId: string
  /** Set for a household's own screen; null for a village's public screen. */
  homeId: string | null
  label: string
  pairedAt: number
  pairedBy: string
  revokedAt: number | null
  revokedBy: string | null
  lastSeenAt: number | null
}

export interface PairInput {
  code: string
  homeId?: string
  villageId?: string
  label?: string
  by: string
}

const SELECT = `SELECT id, village_id AS villageId, home_id AS homeId, label, paired_at AS pairedAt, paired_by AS pairedBy,
  revoked_at AS revokedAt, revoked_by AS revokedBy, last_seen_at AS lastSeenAt FROM screens`
/** last_seen_at is written at most this often per screen: one write a minute, not one per request. */
const TOUCH_EVERY_MS = 60_000

export class ScreenStore {
  /** Live pairing codes; shared by the screen's routes (/tv/api/pair) and the admin's (/api/v1/screens/pair). */
  readonly pairings: Pairings
  private readonly touched = new Map<string, number>()
  private readonly revokeListeners = new Set<(screenId: string) => void>()

  constructor (readonly db: Db, readonly clock: Clock) {
    this.pairings = new Pairings(clock)
  }

  /** Bind the screen showing `code`; the token goes to the screen (Pairings.status), never to the admin. */
  pair (input: PairInput): Screen {
    const target = this.target(input)
    const { screenId } = this.pairings.claim(input.code, () => {
      const id = newId('scr')
      const token = generateSecret()
      const now = this.clock.now()
      this.db.transaction(() => {
        this.db.prepare(`INSERT INTO screens (id, village_id, home_id, label, token_hash, paired_at, paired_by)
          VALUES (?, ?, ?, ?, ?, ?, ?)`).run(id, target.villageId, target.homeId, target.label, hashSecret(token), now, input.by)
        this.audit(input.by, 'pair', id, { villageId: target.villageId, homeId: target.homeId })
      })()
      return { screenId: id, token }
    })
    return this.get(screenId)
  }

  get (id: string): Screen {
    const screen = this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as Screen | undefined
    if (screen === undefined) throw new AnjuError('NOT_FOUND', `screen ${id} does not exist`)
    return screen
  }

  list (filter: { villageId?: string, homeId?: string } = {}): Screen[] {
    return this.db.prepare(`${SELECT} WHERE (@villageId IS NULL OR village_id = @villageId) AND (@homeId IS NULL OR home_id = @homeId)
      ORDER BY paired_at DESC, id`).all({ villageId: filter.villageId ?? null, homeId: filter.homeId ?? null }) as Screen[]
  }

  /** The screen a token opens; a revoked one is told so (it goes back to pairing), an unknown one too. */
  authenticate (token: string): Screen {
    const screen = token.length > 200 ? undefined : this.db.prepare(`${SELECT} WHERE token_hash = ?`).get(hashSecret(token)) as Screen | undefined
    if (screen === undefined) throw new AnjuError('SCREEN_UNAUTHORIZED', 'unknown screen token: pair this screen again')
    if (screen.revokedAt !== null) throw new AnjuError('SCREEN_REVOKED', 'this screen was removed by the village: pair it again')
    this.touch(screen.id)
    return screen
  }

  /** Revoke a screen: its token stops working and its open event streams are closed (onRevoke). Idempotent. */
  revoke (id: string, by: string): Screen {
    const screen = this.get(id)
    if (screen.revokedAt !== null) return screen
    this.db.transaction(() => {
      this.db.prepare('UPDATE screens SET revoked_at = ?, revoked_by = ? WHERE id = ?').run(this.clock.now(), by, id)
      this.audit(by, 'revoke', id, { villageId: screen.villageId, homeId: screen.homeId })
    })()
    this.touched.delete(id)
    this.notifyRevoked(id)
    return this.get(id)
  }

  /**
   * A cluster worker's replica had its screens replaced underneath (gateway/cluster/pg/content-sync.ts):
   * close the streams of the screens among `previouslyLive` that are now revoked or gone, as a revocation
   * on this node would have. Returns how many.
   */
  reloaded (previouslyLive: Iterable<string>): number {
    const live = new Set((this.db.prepare('SELECT id FROM screens WHERE revoked_at IS NULL').all() as Array<{ id: string }>).map((r) => r.id))
    let cut = 0
    for (const id of previouslyLive) {
      if (live.has(id)) continue
      this.touched.delete(id)
      this.notifyRevoked(id)
      cut++
    }
    return cut
  }

  onRevoke (listener: (screenId: string) => void): () => void {
    this.revokeListeners.add(listener)
    return () => { this.revokeListeners.delete(listener) }
  }

  private notifyRevoked (id: string): void {
    for (const listener of this.revokeListeners) {
      // A failing listener (a socket already gone) must not undo the revocation or stop the others.
      try { listener(id) } catch { continue }
    }
  }

  private touch (id: string): void {
    const now = this.clock.now()
    const last = this.touched.get(id)
    if (last !== undefined && now - last < TOUCH_EVERY_MS && now >= last) return
    this.touched.set(id, now)
    this.db.prepare('UPDATE screens SET last_seen_at = ? WHERE id = ?').run(now, id)
  }

  private target (input: PairInput): { villageId: string, homeId: string | null, label: string } {
    if ((input.homeId === undefined) === (input.villageId === undefined)) {
      throw new AnjuError('INVALID_INPUT', 'give exactly one of homeId (a household screen) or villageId (a public screen)')
    }
    if (input.homeId !== undefined) {
      const home = this.db.prepare('SELECT h.label, g.village_id AS villageId FROM homes h JOIN grids g ON g.id = h.grid_id WHERE h.id = ?')
        .get(input.homeId) as { label: string, villageId: string } | undefined
      if (home === undefined) throw new AnjuError('NOT_FOUND', `home ${input.homeId} does not exist`)
      return { villageId: home.villageId, homeId: input.homeId, label: input.label ?? home.label }
    }
    const village = this.db.prepare('SELECT name FROM villages WHERE id = ?').get(input.villageId) as { name: string } | undefined
    if (village === undefined) throw new AnjuError('NOT_FOUND', `village ${input.villageId} does not exist`)
    return { villageId: input.villageId as string, homeId: null, label: input.label ?? `${village.name}公共屏` }
  }

  private audit (actor: string, action: string, id: string, detail: Record<string, unknown>): void {
    this.db.prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(this.clock.now(), actor, action, 'screen', id, JSON.stringify(detail))
  }
}
