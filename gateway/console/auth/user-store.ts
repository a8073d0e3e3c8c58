// Console users and their scope (migration 5). Reads build the Principal of every request, so they are
// two indexed lookups; writes are audited by the routes that make them.
import { AnjuError } from '../../../src/errors.ts'
import type { Clock } from '../../../src/clock.ts'
import type { Db } from '../../db/open-database.ts'
import { newId } from '../../registry/secrets.ts'
import type { Principal, Role } from './principal.ts'

export interface Scope { villageIds: string[], gridIds: string[], homeIds: string[] }

export interface UserRow {
  id: string
  username: string
  displayName: string
  role: Role
  passwordHash: string
  mustChangePassword: boolean
  disabledAt: number | null
  createdAt: number
  createdBy: string
  passwordChangedAt: number | null
}

/** What the API shows of a user: never the hash. */
export interface UserView {
  id: string
  username: string
  displayName: string
  role: Role
  scope: Scope
  mustChangePassword: boolean
  disabled: boolean
  createdAt: number
}

interface RawUser {
  id: string, username: string, display_name: string, role: Role, password_hash: string, must_change_password: number,
  disabled_at: number | null, created_at: number, created_by: string, password_changed_at: number | null
}

function fromRaw (r: RawUser): UserRow {
  return {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role, passwordHash: r.password_hash,
    mustChangePassword: r.must_change_password === 1, disabledAt: r.disabled_at, createdAt: r.created_at,
    createdBy: r.created_by, passwordChangedAt: r.password_changed_at
  }
}

/** Which scope kind a role carries: clerks and reviewers villages, grid workers grids, family homes. */
export function scopeKindOf (role: Role): keyof Scope | null {
  switch (role) {
    case 'clerk':
    case 'reviewer': return 'villageIds'
    case 'grid_worker': return 'gridIds'
    case 'family': return 'homeIds'
    default: return null
  }
}

export class UserStore {
  constructor (private readonly db: Db, private readonly clock: Clock) {}

  byId (id: string): UserRow | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as RawUser | undefined
    return r === undefined ? undefined : fromRaw(r)
  }

  byUsername (username: string): UserRow | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as RawUser | undefined
    return r === undefined ? undefined : fromRaw(r)
  }

  list (): UserRow[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY created_at, username').all() as RawUser[]).map(fromRaw)
  }

  scopeOf (userId: string): Scope {
    const rows = this.db.prepare('SELECT village_id, grid_id, home_id FROM user_scopes WHERE user_id = ? ORDER BY rowid').all(userId) as
      Array<{ village_id: string | null, grid_id: string | null, home_id: string | null }>
    const scope: Scope = { villageIds: [], gridIds: [], homeIds: [] }
    for (const r of rows) {
      if (r.village_id !== null) scope.villageIds.push(r.village_id)
      if (r.grid_id !== null) scope.gridIds.push(r.grid_id)
      if (r.home_id !== null) scope.homeIds.push(r.home_id)
    }
    return scope
  }

  principalOf (user: UserRow): Principal {
    return { userId: user.id, username: user.username, role: user.role, ...this.scopeOf(user.id) }
  }

  view (user: UserRow): UserView {
    return {
      id: user.id, username: user.username, displayName: user.displayName, role: user.role, scope: this.scopeOf(user.id),
      mustChangePassword: user.mustChangePassword, disabled: user.disabledAt !== null, createdAt: user.createdAt
    }
  }

  countEnabledAdmins (): number {
    return (this.db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL").get() as { n: number }).n
  }

  anyAdmin (): boolean {
    return this.db.prepare("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1").get() !== undefined
  }

  /**
   * Check a scope against a role: the right kind, at least one id, every id existing. Other kinds must
   * be empty, so a scope can never silently widen a role.
   */
  normaliseScope (role: Role, scope: Partial<Scope> | undefined): Scope {
    const out: Scope = { villageIds: [], gridIds: [], homeIds: [] }
    const kind = scopeKindOf(role)
    for (const k of ['villageIds', 'gridIds', 'homeIds'] as const) {
      const ids = [...new Set(scope?.[k] ?? [])]
      if (k !== kind && ids.length > 0) throw new AnjuError('INVALID_INPUT', `a ${role} has no ${k}`)
      if (k === kind) {
        if (ids.length === 0) throw new AnjuError('INVALID_INPUT', `a ${role} needs at least one of scope.${k}`)
        const table = k === 'villageIds' ? 'villages' : k === 'gridIds' ? 'grids' : 'homes'
        for (const id of ids) {
          if (this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) === undefined) throw new AnjuError('INVALID_INPUT', `unknown ${k.slice(0, -3)} ${id}`)
        }
        out[k] = ids
      }
    }
    return out
  }

  create (input: { username: string, displayName: string, role: Role, scope: Scope, passwordHash: string, mustChangePassword: boolean, createdBy: string }): UserRow {
    const id = newId('usr')
    const now = this.clock.now()
    this.db.transaction(() => {
      if (this.byUsername(input.username) !== undefined) throw new AnjuError('CONFLICT', 'this username is taken')
      this.db.prepare(`INSERT INTO users (id, username, display_name, role, password_hash, must_change_password, created_at, created_by, password_changed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, input.username, input.displayName, input.role, input.passwordHash,
        input.mustChangePassword ? 1 : 0, now, input.createdBy, input.mustChangePassword ? null : now)
      this.writeScope(id, input.scope)
    })()
    return this.byId(id) as UserRow
  }

  update (id: string, changes: { displayName?: string, role?: Role, scope?: Scope, disabled?: boolean }): void {
    this.db.transaction(() => {
      if (changes.displayName !== undefined) this.db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(changes.displayName, id)
      if (changes.role !== undefined) this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(changes.role, id)
      if (changes.scope !== undefined) this.writeScope(id, changes.scope)
      if (changes.disabled === true) this.db.prepare('UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?').run(this.clock.now(), id)
      if (changes.disabled === false) this.db.prepare('UPDATE users SET disabled_at = NULL WHERE id = ?').run(id)
    })()
  }

  setPassword (id: string, passwordHash: string, mustChange: boolean): void {
    this.db.prepare('UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?')
      .run(passwordHash, mustChange ? 1 : 0, this.clock.now(), id)
  }

  /** The same password under a new hash (raised cost): not a password change. */
  rehash (id: string, passwordHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id)
  }

  private writeScope (userId: string, scope: Scope): void {
    this.db.prepare('DELETE FROM user_scopes WHERE user_id = ?').run(userId)
    const insert = this.db.prepare('INSERT INTO user_scopes (user_id, village_id, grid_id, home_id) VALUES (?, ?, ?, ?)')
    for (const v of scope.villageIds) insert.run(userId, v, null, null)
    for (const g of scope.gridIds) insert.run(userId, null, g, null)
    for (const h of scope.homeIds) insert.run(userId, null, null, h)
  }
}
