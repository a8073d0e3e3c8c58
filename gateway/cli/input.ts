// Turning command-line strings into validated registry inputs. Every input goes through the same zod
// schema the admin HTTP API uses; a failure names the flag the person typed, not the schema field.
import { InvalidArgumentError } from 'commander'
import { z } from 'zod'
import { AnjuError } from '../../src/errors.ts'
import { entityId } from '../../src/registry-schemas.ts'

/** Schema field → the flag that fills it. */
const FLAGS: Record<string, string> = {
  villageId: '--village',
  gridId: '--grid',
  homeId: '--home',
  hubId: '--hub',
  birthYear: '--birth-year',
  name: '--name',
  label: '--label',
  phone: '--phone',
  role: '--role',
  priority: '--priority',
  room: '--room',
  id: 'id'
}

/** Parse with a registry schema; bad input becomes INVALID_INPUT (exit code 2) listing every problem. */
export function parseInput<S extends z.ZodType> (schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.')
    return `${FLAGS[key] ?? (key === '' ? 'input' : key)}: ${issue.message}`
  })
  throw new AnjuError('INVALID_INPUT', problems.join('\n'))
}

/** A positional `<id>` argument, checked like every other id. */
export const idArg = (id: string): string => parseInput(z.object({ id: entityId }), { id }).id

/** Commander argument parser for whole numbers (`--priority 2`, `--birth-year 1941`). */
export function integer (value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number.')
  return Number(value)
}

/** Drop keys whose value is undefined, so optional flags that were not given stay absent. */
export function defined<T extends Record<string, unknown>> (record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>
}
