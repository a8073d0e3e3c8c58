// Cluster mode's PostgreSQL schema: the registry and the village content (copies of the admin gateway's
// SQLite tables, pushed by registry-sync.ts and content-sync.ts), alerts with their audit rows and
// per-home settings (written by PgAlertLog), the shared outbox (drained by PgOutboxQueue) and the partitions' fencing epochs. Column names are SQLite's
// (gateway/db/migrations.ts) so the row shapes stay identical; INTEGER milliseconds become BIGINT and REAL
// becomes DOUBLE PRECISION. Migrations are appended, never edited, and recorded in schema_version.
import type pg from 'pg'

const MIGRATIONS: string[] = [
  // Foreign keys are DEFERRABLE INITIALLY DEFERRED: a registry push writes whole tables in one
  // transaction, and devices reference devices (hubs), so they are checked once, at commit.
  `
  CREATE TABLE villages (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE grids (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL REFERENCES villages(id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE homes (
    id TEXT PRIMARY KEY, grid_id TEXT NOT NULL REFERENCES grids(id) DEFERRABLE INITIALLY DEFERRED,
    label TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE residents (
    id TEXT PRIMARY KEY, home_id TEXT NOT NULL REFERENCES homes(id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL, birth_year INTEGER, created_at BIGINT NOT NULL
  );
  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    home_id TEXT REFERENCES homes(id) DEFERRABLE INITIALLY DEFERRED,
    grid_id TEXT REFERENCES grids(id) DEFERRABLE INITIALLY DEFERRED,
    village_id TEXT REFERENCES villages(id) DEFERRABLE INITIALLY DEFERRED,
    name TEXT NOT NULL, phone TEXT NOT NULL, role TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    home_id TEXT NOT NULL REFERENCES homes(id) DEFERRABLE INITIALLY DEFERRED,
    kind TEXT NOT NULL CHECK (kind IN ('sensor', 'hub', 'hub-sensor')),
    room TEXT,
    hub_id TEXT REFERENCES devices(id) DEFERRABLE INITIALLY DEFERRED,
    friendly_name TEXT,
    secret_hash TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    online INTEGER,
    last_seen BIGINT,
    battery DOUBLE PRECISION,
    rssi DOUBLE PRECISION,
    linkquality DOUBLE PRECISION,
    fw TEXT,
    dropped TEXT NOT NULL DEFAULT '{}',
    config TEXT NOT NULL DEFAULT '{}',
    -- Deferred too: a push that renames two sensors of a hub into each other's names is valid at commit.
    CONSTRAINT devices_hub_friendly_name UNIQUE (hub_id, friendly_name) DEFERRABLE INITIALLY DEFERRED
  );
  CREATE INDEX devices_home ON devices(home_id);
  CREATE INDEX grids_village ON grids(village_id);
  CREATE INDEX homes_grid ON homes(grid_id);
  CREATE TABLE contact_channels (
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'wecom', 'dingtalk', 'mqtt', 'sms')),
    config TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (contact_id, channel)
  );

  CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    alert_id TEXT,
    dedupe_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    delivered_at BIGINT,
    last_error TEXT,
    dead_at BIGINT
  );
  CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE next_attempt_at IS NOT NULL;
  CREATE INDEX outbox_recipient ON outbox(recipient, id);
  CREATE INDEX outbox_alert ON outbox(alert_id) WHERE alert_id IS NOT NULL;

  -- Alerts carry the partition of their home, so a new owner loads its partition with one index scan.
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    partition INTEGER NOT NULL,
    home_id TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    rung INTEGER NOT NULL,
    since BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    next_rung_at BIGINT,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    resolved_at BIGINT,
    resolved_by TEXT,
    outcome TEXT,
    note TEXT
  );
  -- One ladder per home and type, as in SQLite: the last guard against two owners opening the same alert.
  CREATE UNIQUE INDEX alerts_one_unresolved ON alerts(home_id, type) WHERE state <> 'resolved';
  CREATE INDEX alerts_partition ON alerts(partition, state);
  CREATE INDEX alerts_home ON alerts(home_id, opened_at);
  CREATE INDEX alerts_state ON alerts(state, opened_at);
  CREATE TABLE alert_events (
    id BIGSERIAL PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    rung INTEGER,
    detail TEXT
  );
  CREATE INDEX alert_events_alert ON alert_events(alert_id, id);
  CREATE TABLE home_alert_settings (
    home_id TEXT PRIMARY KEY,
    partition INTEGER NOT NULL,
    away_until BIGINT,
    inactivity_threshold_ms BIGINT,
    quiet_hours TEXT,
    ladder TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE INDEX home_alert_settings_partition ON home_alert_settings(partition);
  CREATE TABLE home_alert_settings_audit (
    id BIGSERIAL PRIMARY KEY,
    home_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL
  );
  CREATE INDEX home_alert_settings_audit_home ON home_alert_settings_audit(home_id, id);

  -- Fencing: each claim of a partition bumps its epoch; a commit carrying an older epoch is refused.
  -- stream_id: the last partition-stream entry a committed batch had handled (where a new owner resumes),
  -- kept on the row each commit already locks.
  CREATE TABLE partition_epochs (
    partition INTEGER PRIMARY KEY,
    epoch BIGINT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    stream_id TEXT
  );
  `,
  // Village content and screens, copied from the admin node's SQLite by content-sync.ts (a copy: the
  // admin's SQLite checks the CHECKs and the references to the registry, and the two are pushed apart,
  // so only the references within the content are kept here). INTEGER milliseconds and cents: BIGINT.
  `
  CREATE TABLE notices (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, grid_id TEXT, category TEXT NOT NULL, title TEXT NOT NULL,
    body TEXT NOT NULL, images TEXT NOT NULL, priority TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT,
    published_at BIGINT, withdrawn_at BIGINT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE TABLE meetings (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, starts_at BIGINT NOT NULL,
    ends_at BIGINT, place TEXT NOT NULL, note TEXT, cancelled_at BIGINT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE care_visits (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT, team TEXT NOT NULL,
    place TEXT NOT NULL, services TEXT, cancelled_at BIGINT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
    started_at BIGINT NOT NULL, ends_at BIGINT, ended_at BIGINT, ended_by TEXT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE TABLE finance_statements (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, period_kind TEXT NOT NULL, period_start TEXT NOT NULL,
    period_end TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL, revision INTEGER NOT NULL,
    supersedes_id TEXT REFERENCES finance_statements(id) DEFERRABLE INITIALLY DEFERRED, correction_reason TEXT,
    created_by TEXT NOT NULL, created_at BIGINT NOT NULL, submitted_at BIGINT, reviewed_by TEXT, reviewed_at BIGINT,
    review_comment TEXT, published_at BIGINT, content_hash TEXT, prev_hash TEXT
  );
  CREATE TABLE finance_entries (
    statement_id TEXT NOT NULL REFERENCES finance_statements(id) DEFERRABLE INITIALLY DEFERRED, seq INTEGER NOT NULL,
    date TEXT NOT NULL, voucher_no TEXT NOT NULL, account_code TEXT NOT NULL, account_name TEXT NOT NULL,
    summary TEXT NOT NULL, income_cents BIGINT NOT NULL, expense_cents BIGINT NOT NULL, handler TEXT NOT NULL,
    approver TEXT NOT NULL,
    PRIMARY KEY (statement_id, seq)
  );
  CREATE TABLE screens (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL, home_id TEXT, label TEXT NOT NULL, token_hash TEXT,
    paired_at BIGINT NOT NULL, paired_by TEXT NOT NULL, revoked_at BIGINT, revoked_by TEXT, last_seen_at BIGINT
  );
  `
]

/** Any fixed 64-bit number naming "Anju's schema migration" among the database's advisory locks. */
const MIGRATION_LOCK = 0x616e6a75

/**
 * Bring the schema up to date. Safe when several workers start at once: the first takes the advisory
 * lock and migrates, the others wait for its commit and then find nothing left to do.
 */
export async function migratePostgres (pool: pg.Pool): Promise<{ from: number, to: number }> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())')
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version')
    const from = rows[0]?.v ?? 0
    for (let version = from; version < MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version] as string)
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version + 1])
    }
    await client.query('COMMIT')
    return { from, to: Math.max(from, MIGRATIONS.length) }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/**
 * BIGINT columns arrive as strings (pg keeps 64-bit integers exact by default). Everything stored here
 * is unix milliseconds or a count, far below 2^53, so a JS number is exact and matches SQLite's rows.
 */
export function int8 (value: unknown): number {
  return Number(value)
}

/** int8() that keeps SQL NULL as null. */
export function int8OrNull (value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}
