// Villages, grids, homes, residents and contacts in SQLite. Inputs arrive already validated by the
// zod schemas in src/registry-schemas.ts; this layer enforces references and uniqueness.
import type { Db } from '../db/open-database.ts'
import { AnjuError } from '../../src/errors.ts'
import type { Clock } from '../../src/clock.ts'
import type {
  Contact, ContactInput, Grid, GridInput, Home, HomeInput, Resident, ResidentInput, Village, VillageInput
} from '../../src/registry-schemas.ts'
import { newId } from './secrets.ts'

/** Run an insert, turning SQLite constraint errors into the catalogue's codes. */
export function insertOrThrow (run: () => void): void {
  try {
    run()
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AnjuError('CONFLICT')
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AnjuError('NOT_FOUND', 'a referenced record does not exist')
    throw err
  }
}

export class PlacesStore {
  constructor (private readonly db: Db, private readonly clock: Clock) {}

  createVillage (input: VillageInput): Village {
    const row = { id: input.id ?? newId('vil'), name: input.name, createdAt: this.clock.now() }
    insertOrThrow(() => this.db.prepare('INSERT INTO villages (id, name, created_at) VALUES (@id, @name, @createdAt)').run(row))
    return row
  }

  listVillages (): Village[] {
    return this.db.prepare('SELECT id, name, created_at AS createdAt FROM villages ORDER BY id').all() as Village[]
  }

  createGrid (input: GridInput): Grid {
    const row = { id: input.id ?? newId('grid'), villageId: input.villageId, name: input.name, createdAt: this.clock.now() }
    insertOrThrow(() => this.db.prepare('INSERT INTO grids (id, village_id, name, created_at) VALUES (@id, @villageId, @name, @createdAt)').run(row))
    return row
  }

  listGrids (villageId?: string): Grid[] {
    return this.db.prepare(`SELECT id, village_id AS villageId, name, created_at AS createdAt FROM grids
      WHERE @villageId IS NULL OR village_id = @villageId ORDER BY id`).all({ villageId: villageId ?? null }) as Grid[]
  }

  getGrid (id: string): Grid | undefined {
    return this.db.prepare('SELECT id, village_id AS villageId, name, created_at AS createdAt FROM grids WHERE id = ?').get(id) as Grid | undefined
  }

  renameGrid (id: string, name: string): Grid {
    if (this.db.prepare('UPDATE grids SET name = ? WHERE id = ?').run(name, id).changes === 0) throw new AnjuError('NOT_FOUND', `grid ${id} does not exist`)
    return this.getGrid(id) as Grid
  }

  createHome (input: HomeInput): Home {
    const gridRow = this.db.prepare('SELECT village_id AS villageId FROM grids WHERE id = ?').get(input.gridId) as { villageId: string } | undefined
    if (gridRow === undefined) throw new AnjuError('NOT_FOUND', `grid ${input.gridId} does not exist`)
    const row = { id: input.id ?? newId('home'), gridId: input.gridId, label: input.label, createdAt: this.clock.now() }
    insertOrThrow(() => this.db.prepare('INSERT INTO homes (id, grid_id, label, created_at) VALUES (@id, @gridId, @label, @createdAt)').run(row))
    return { ...row, villageId: gridRow.villageId }
  }

  private readonly homeSelect = `SELECT h.id, h.grid_id AS gridId, g.village_id AS villageId, h.label, h.created_at AS createdAt
    FROM homes h JOIN grids g ON g.id = h.grid_id`

  getHome (id: string): Home | undefined {
    return this.db.prepare(`${this.homeSelect} WHERE h.id = ?`).get(id) as Home | undefined
  }

  relabelHome (id: string, label: string): Home {
    if (this.db.prepare('UPDATE homes SET label = ? WHERE id = ?').run(label, id).changes === 0) throw new AnjuError('NOT_FOUND', `home ${id} does not exist`)
    return this.getHome(id) as Home
  }

  listHomes (filter: { gridId?: string, villageId?: string } = {}): Home[] {
    return this.db.prepare(`${this.homeSelect} WHERE (@gridId IS NULL OR h.grid_id = @gridId)
      AND (@villageId IS NULL OR g.village_id = @villageId) ORDER BY h.id`)
      .all({ gridId: filter.gridId ?? null, villageId: filter.villageId ?? null }) as Home[]
  }

  createResident (input: ResidentInput): Resident {
    const row = { id: input.id ?? newId('res'), homeId: input.homeId, name: input.name, birthYear: input.birthYear ?? null, createdAt: this.clock.now() }
    insertOrThrow(() => this.db.prepare(`INSERT INTO residents (id, home_id, name, birth_year, created_at)
      VALUES (@id, @homeId, @name, @birthYear, @createdAt)`).run(row))
    return row
  }

  listResidents (homeId?: string): Resident[] {
    return this.db.prepare(`SELECT id, home_id AS homeId, name, birth_year AS birthYear, created_at AS createdAt
      FROM residents WHERE @homeId IS NULL OR home_id = @homeId ORDER BY id`).all({ homeId: homeId ?? null }) as Resident[]
  }

  /** The home a resident lives in, or undefined when there is no such resident. */
  residentHome (id: string): string | undefined {
    return (this.db.prepare('SELECT home_id AS homeId FROM residents WHERE id = ?').get(id) as { homeId: string } | undefined)?.homeId
  }

  /** Privacy: deletes the resident's record; returns their home so the caller deletes its telemetry too. */
  deleteResident (id: string): { homeId: string } {
    const row = this.db.prepare('SELECT home_id AS homeId FROM residents WHERE id = ?').get(id) as { homeId: string } | undefined
    if (row === undefined) throw new AnjuError('NOT_FOUND', `resident ${id} does not exist`)
    this.db.prepare('DELETE FROM residents WHERE id = ?').run(id)
    return row
  }

  createContact (input: ContactInput): Contact {
    const row = {
      id: input.id ?? newId('con'),
      homeId: input.homeId ?? null,
      gridId: input.gridId ?? null,
      villageId: input.villageId ?? null,
      name: input.name,
      phone: input.phone,
      role: input.role,
      priority: input.priority ?? 0,
      createdAt: this.clock.now()
    }
    insertOrThrow(() => this.db.prepare(`INSERT INTO contacts (id, home_id, grid_id, village_id, name, phone, role, priority, created_at)
      VALUES (@id, @homeId, @gridId, @villageId, @name, @phone, @role, @priority, @createdAt)`).run(row))
    return row
  }

  private readonly contactSelect = `SELECT id, home_id AS homeId, grid_id AS gridId, village_id AS villageId, name, phone, role,
      priority, created_at AS createdAt FROM contacts`

  getContact (id: string): Contact | undefined {
    return this.db.prepare(`${this.contactSelect} WHERE id = ?`).get(id) as Contact | undefined
  }

  /** Rename, a new phone, or a new place in the escalation order (priority, lowest first). */
  updateContact (id: string, change: { name?: string, phone?: string, priority?: number }): Contact {
    const current = this.getContact(id)
    if (current === undefined) throw new AnjuError('NOT_FOUND', `contact ${id} does not exist`)
    const next = { ...current, ...change }
    this.db.prepare('UPDATE contacts SET name = @name, phone = @phone, priority = @priority WHERE id = @id').run(next)
    return next
  }

  listContacts (filter: { homeId?: string, gridId?: string, villageId?: string } = {}): Contact[] {
    return this.db.prepare(`${this.contactSelect}
      WHERE (@homeId IS NULL OR home_id = @homeId) AND (@gridId IS NULL OR grid_id = @gridId)
        AND (@villageId IS NULL OR village_id = @villageId)
      ORDER BY role, priority, id`).all({
      homeId: filter.homeId ?? null, gridId: filter.gridId ?? null, villageId: filter.villageId ?? null
    }) as Contact[]
  }

  deleteContact (id: string): void {
    const result = this.db.prepare('DELETE FROM contacts WHERE id = ?').run(id)
    if (result.changes === 0) throw new AnjuError('NOT_FOUND', `contact ${id} does not exist`)
  }
}
