// Who is calling the console API and what they may see. The session hook (console-auth.ts) sets
// `req.principal` before any console route runs; routes ask `requireRole` for the role and `Access` for
// the scope. Scope rules (issue 6, "Accounts and access"):
//   admin        everything
//   clerk        homes, grids, devices, screens, content of their village(s)
//   reviewer     finance of their village(s) (approve/return) and read-only content; no residents' data
//   grid_worker  homes and alerts of their grid(s) only
//   family       their elder's home only (status, alerts, ack)
// A resource outside the caller's scope answers 404, not 403, so ids cannot be probed (assert* below).
import type { FastifyRequest } from 'fastify'
import { AnjuError } from '../../../src/errors.ts'
import { systemClock, type Clock } from '../../../src/clock.ts'
import type { Db } from '../../db/open-database.ts'

export const ROLES = ['admin', 'clerk', 'reviewer', 'grid_worker', 'family'] as const
export type Role = typeof ROLES[number]

export interface Principal {
  userId: string
  username: string
  role: Role
  villageIds: string[]
  gridIds: string[]
  homeIds: string[]
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console user; set by the console session hook, absent outside /console/api. */
    principal?: Principal
  }
}

/** The signed-in user, whatever the role. The hook already answered 401 without one; this is the typed guard. */
export function principalOf (req: FastifyRequest): Principal {
  if (req.principal === undefined) throw new AnjuError('NOT_SIGNED_IN')
  return req.principal
}

/** The principal if its role is one of `roles` (none given: any role), else 403 FORBIDDEN. */
export function requireRole (req: FastifyRequest, ...roles: Role[]): Principal {
  const p = principalOf(req)
  if (roles.length > 0 && !roles.includes(p.role)) throw new AnjuError('FORBIDDEN')
  return p
}

/** The audit_log actor of a principal: stable across display-name changes, joinable to `users`. */
export function actorOf (p: Principal | string): string {
  return typeof p === 'string' ? p : `user:${p.userId}`
}

/**
 * One audit_log row. Prefer `Access#audit` (it uses the gateway's injectable clock); this form exists for
 * callers without an Access and takes the time explicitly when it matters.
 */
export function audit (db: Db, p: Principal | string, action: string, entity: string, entityId: string | null, detail?: unknown, at: number = systemClock.now()): void {
  db.prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
    .run(at, actorOf(p), action, entity, entityId, detail === undefined ? null : JSON.stringify(detail))
}

/** Scope checks against the places tables (villages > grids > homes). Cheap: indexed point lookups. */
export class Access {
  constructor (private readonly db: Db, private readonly clock: Clock = systemClock) {}

  private villageOfGrid (gridId: string): string | undefined {
    return (this.db.prepare('SELECT village_id FROM grids WHERE id = ?').get(gridId) as { village_id: string } | undefined)?.village_id
  }

  private placeOfHome (homeId: string): { gridId: string, villageId: string } | undefined {
    const row = this.db.prepare('SELECT h.grid_id, g.village_id FROM homes h JOIN grids g ON g.id = h.grid_id WHERE h.id = ?')
      .get(homeId) as { grid_id: string, village_id: string } | undefined
    return row === undefined ? undefined : { gridId: row.grid_id, villageId: row.village_id }
  }

  /**
   * The village is the caller's own: its public content, grid names, statements. For grid workers and
   * family it is the village of their grids/homes. This does NOT grant the village's homes or residents:
   * use canSeeHome / homeIdsVisible for those.
   */
  canSeeVillage (p: Principal, villageId: string): boolean {
    if (p.role === 'admin') return true
    return this.villageIdsOf(p).includes(villageId)
  }

  /** Manage homes, grids, devices, screens and publish content of a village: admin, or its clerk. */
  canManageVillage (p: Principal, villageId: string): boolean {
    return p.role === 'admin' || (p.role === 'clerk' && p.villageIds.includes(villageId))
  }

  /** Approve or return finance statements of a village: its reviewer (or admin). Self-approval is the route's check. */
  canReviewFinance (p: Principal, villageId: string): boolean {
    return p.role === 'admin' || (p.role === 'reviewer' && p.villageIds.includes(villageId))
  }

  /** A grid and its open alerts: admin, clerks of its village, its grid worker. */
  canSeeGrid (p: Principal, gridId: string): boolean {
    switch (p.role) {
      case 'admin': return this.villageOfGrid(gridId) !== undefined
      case 'clerk': { const v = this.villageOfGrid(gridId); return v !== undefined && p.villageIds.includes(v) }
      case 'grid_worker': return p.gridIds.includes(gridId)
      default: return false
    }
  }

  /** A home, its residents, contacts, devices, activity and alerts. Reviewers never see residents' data. */
  canSeeHome (p: Principal, homeId: string): boolean {
    const place = this.placeOfHome(homeId)
    if (place === undefined) return false
    switch (p.role) {
      case 'admin': return true
      case 'clerk': return p.villageIds.includes(place.villageId)
      case 'grid_worker': return p.gridIds.includes(place.gridId)
      case 'family': return p.homeIds.includes(homeId)
      default: return false
    }
  }

  /** Homes the caller may see: 'all' for admin, else ids (use in `WHERE home_id IN (...)`). */
  homeIdsVisible (p: Principal): string[] | 'all' {
    switch (p.role) {
      case 'admin': return 'all'
      case 'clerk': return this.idsIn('SELECT h.id FROM homes h JOIN grids g ON g.id = h.grid_id WHERE g.village_id IN', p.villageIds)
      case 'grid_worker': return this.idsIn('SELECT id FROM homes WHERE grid_id IN', p.gridIds)
      case 'family': return this.idsIn('SELECT id FROM homes WHERE id IN', p.homeIds)
      default: return []
    }
  }

  /** Grids the caller may see ('all' for admin). */
  gridIdsVisible (p: Principal): string[] | 'all' {
    switch (p.role) {
      case 'admin': return 'all'
      case 'clerk': return this.idsIn('SELECT id FROM grids WHERE village_id IN', p.villageIds)
      case 'grid_worker': return this.idsIn('SELECT id FROM grids WHERE id IN', p.gridIds)
      default: return []
    }
  }

  /** Villages whose content the caller may see ('all' for admin). */
  villageIdsVisible (p: Principal): string[] | 'all' {
    return p.role === 'admin' ? 'all' : this.villageIdsOf(p)
  }

  /** 404 NOT_FOUND (not 403) when the home is missing or outside the caller's scope. */
  assertHome (p: Principal, homeId: string): void {
    if (!this.canSeeHome(p, homeId)) throw new AnjuError('NOT_FOUND')
  }

  assertGrid (p: Principal, gridId: string): void {
    if (!this.canSeeGrid(p, gridId)) throw new AnjuError('NOT_FOUND')
  }

  assertVillage (p: Principal, villageId: string): void {
    if (!this.canSeeVillage(p, villageId)) throw new AnjuError('NOT_FOUND')
  }

  /** 404 when the village is not the caller's at all, 403 when it is visible but not manageable. */
  assertManageVillage (p: Principal, villageId: string): void {
    this.assertVillage(p, villageId)
    if (!this.canManageVillage(p, villageId)) throw new AnjuError('FORBIDDEN')
  }

  /** Audit a write (every console write must call this or the content service's own audit). */
  audit (p: Principal | string, action: string, entity: string, entityId: string | null, detail?: unknown): void {
    audit(this.db, p, action, entity, entityId, detail, this.clock.now())
  }

  /** Audit a staff view of a resident's data (home detail, activity, alert timeline). Family viewing their own home is not staff. */
  auditView (p: Principal, entity: string, entityId: string | null, detail?: unknown): void {
    if (p.role === 'family') return
    this.audit(p, 'view', entity, entityId, detail)
  }

  /** The villages a principal belongs to, whatever the role (derived for grid workers and family). */
  villageIdsOf (p: Principal): string[] {
    switch (p.role) {
      case 'clerk':
      case 'reviewer': return p.villageIds
      case 'grid_worker': return this.idsIn('SELECT DISTINCT village_id AS id FROM grids WHERE id IN', p.gridIds)
      case 'family': return this.idsIn('SELECT DISTINCT g.village_id AS id FROM homes h JOIN grids g ON g.id = h.grid_id WHERE h.id IN', p.homeIds)
      default: return []
    }
  }

  private idsIn (sqlPrefix: string, ids: string[]): string[] {
    if (ids.length === 0) return []
    const rows = this.db.prepare(`${sqlPrefix} (${ids.map(() => '?').join(', ')})`).all(...ids) as Array<{ id: string }>
    return rows.map((r) => r.id)
  }
}
