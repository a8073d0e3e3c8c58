// What every console API module shares: the typed router, the scope checker, and the step that turns a
// console body (which never names who acts) into the domain service's input (which does: the principal).
import { z } from 'zod'
import { AnjuError } from '../../../src/errors.ts'
import { Access } from '../auth/principal.ts'
import type { ConsoleDeps } from '../console-deps.ts'

export interface ConsoleApi {
  deps: ConsoleDeps
  access: Access
}

export function consoleApi (deps: ConsoleDeps): ConsoleApi {
  return { deps, access: new Access(deps.db, deps.clock) }
}

export const idParam = z.object({ id: z.string().min(1).max(60) })

/** A domain input schema's fields without `by`: the console fills it from the session, never the body. */
export function withoutBy<S extends z.ZodRawShape> (shape: S): z.ZodObject<Omit<S, 'by'>> {
  const { by: _by, ...rest } = shape
  return z.object(rest) as unknown as z.ZodObject<Omit<S, 'by'>>
}

/**
 * Run the domain schema (with its cross-field refinements, which a body schema built from its shape
 * lacks) on the console body plus the acting principal; its complaints become a 400 like any other.
 */
export function domainInput<T extends z.ZodType> (schema: T, body: object, by: string): z.output<T> {
  const parsed = schema.safeParse({ ...body, by })
  if (parsed.success) return parsed.data
  throw new AnjuError('INVALID_INPUT', parsed.error.issues.map((i) => `${i.path.join('.') || '/'}: ${i.message}`).join('; '))
}

/** The village a content row belongs to, for the scope check before acting on it by id (404 when absent). */
export function villageOfRow (deps: ConsoleDeps, table: 'notices' | 'meetings' | 'care_visits' | 'broadcasts' | 'finance_statements' | 'screens', id: string): string {
  const row = deps.db.prepare(`SELECT village_id AS villageId FROM ${table} WHERE id = ?`).get(id) as { villageId: string } | undefined
  if (row === undefined) throw new AnjuError('NOT_FOUND')
  return row.villageId
}

/** Keep the rows whose `key` is in the visible set ('all' for admin). */
export function within<T> (rows: T[], visible: string[] | 'all', key: (row: T) => string | null): T[] {
  if (visible === 'all') return rows
  const set = new Set(visible)
  return rows.filter((row) => { const k = key(row); return k !== null && set.has(k) })
}
