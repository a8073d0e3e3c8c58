// Village content: notices (party affairs, study, safety, health), the meeting calendar, the medical
// team's visits, emergency broadcasts and finance statements. Written by staff (admin API now, the
// console later), read by the TV app. Every write is audited (audit_log).
import type { Clock } from '../../src/clock.ts'
import type { Db } from '../db/open-database.ts'

export class ContentService {
  constructor (readonly db: Db, readonly clock: Clock) {}
}
