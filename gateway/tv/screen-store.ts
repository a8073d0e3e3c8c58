// TV screens bound to a village or a household by a pairing code; each holds a revocable bearer token
// stored as a hash.
import type { Clock } from '../../src/clock.ts'
import type { Db } from '../db/open-database.ts'

export class ScreenStore {
  constructor (readonly db: Db, readonly clock: Clock) {}
}
