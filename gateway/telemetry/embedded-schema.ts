// The embedded telemetry store's own SQLite file (beside the registry, never inside it: a burst of
// activity writes must not hold the registry's write lock while the CLI provisions a device).
// Migrations are applied in order and recorded in user_version, as in gateway/db/migrations.ts.
// Never edit a released migration; append a new one.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'

export type TelemetryDb = Database.Database

const MIGRATIONS: string[] = [
  `
  -- One row per rising edge. The key is the point's identity (tags + time), so a replayed point is
  -- ignored. Column order (home, at, device) rather than (home, device, at): the same identity, but a
  -- home's time range is then one contiguous key range for counts, events and deletion.
  CREATE TABLE activity (
    village TEXT NOT NULL,
    home TEXT NOT NULL,
    device TEXT NOT NULL,
    at INTEGER NOT NULL,
    src TEXT NOT NULL,
    PRIMARY KEY (home, at, device)
  ) WITHOUT ROWID;
  -- The township overview (per village, per time) and retention; home is included so that
  -- COUNT(DISTINCT home) is answered from the index alone.
  CREATE INDEX activity_village_at ON activity(village, at, home);

  -- Health reports arrive as partial updates (a battery report, then an availability change); two
  -- reports at the same ms merge field by field.
  CREATE TABLE device_health (
    village TEXT NOT NULL,
    home TEXT NOT NULL,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    online INTEGER,
    battery REAL,
    rssi REAL,
    linkquality REAL,
    PRIMARY KEY (device, at)
  ) WITHOUT ROWID;
  CREATE INDEX device_health_home ON device_health(home);
  `
]

function migrate (db: TelemetryDb): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}

export function openTelemetryDb (path: string): TelemetryDb {
  mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  // WAL: queries read while a batch commits. NORMAL: a commit survives a process crash (the WAL is
  // synced at checkpoints); a power cut may lose the last second or so, which a history can afford.
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}
