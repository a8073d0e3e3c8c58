// Retention of the audit log (privacy: personal data only as long as configured). Sign-in rows carry the
// client's address, so they go after `signInDays`; every other row — who published, approved, viewed a
// resident's data — after `days`, long enough for a village's yearly review of its records.
import type { Db } from '../../db/open-database.ts'

const DAY = 86_400_000

export function pruneAuditLog (db: Db, now: number, days: { days: number, signInDays: number }): number {
  const signIns = db.prepare("DELETE FROM audit_log WHERE action IN ('login', 'login_failed') AND at < ?").run(now - days.signInDays * DAY).changes
  const rest = db.prepare('DELETE FROM audit_log WHERE at < ?').run(now - days.days * DAY).changes
  return signIns + rest
}
