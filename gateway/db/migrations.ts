// Schema migrations, applied in order and recorded in SQLite's user_version. Never edit a released
// migration; append a new one.
import type Database from 'better-sqlite3'

const MIGRATIONS: string[] = [
  `
  CREATE TABLE villages (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE TABLE grids (
    id TEXT PRIMARY KEY, village_id TEXT NOT NULL REFERENCES villages(id),
    name TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE TABLE homes (
    id TEXT PRIMARY KEY, grid_id TEXT NOT NULL REFERENCES grids(id),
    label TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE TABLE residents (
    id TEXT PRIMARY KEY, home_id TEXT NOT NULL REFERENCES homes(id),
    name TEXT NOT NULL, birth_year INTEGER, created_at INTEGER NOT NULL
  );
  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    home_id TEXT REFERENCES homes(id), grid_id TEXT REFERENCES grids(id), village_id TEXT REFERENCES villages(id),
    name TEXT NOT NULL, phone TEXT NOT NULL, role TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    home_id TEXT NOT NULL REFERENCES homes(id),
    kind TEXT NOT NULL CHECK (kind IN ('sensor', 'hub', 'hub-sensor')),
    room TEXT,
    hub_id TEXT REFERENCES devices(id),
    friendly_name TEXT,
    secret_hash TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    online INTEGER,
    last_seen INTEGER,
    battery REAL,
    rssi REAL,
    linkquality REAL,
    fw TEXT,
    dropped TEXT NOT NULL DEFAULT '{}',
    config TEXT NOT NULL DEFAULT '{}',
    UNIQUE (hub_id, friendly_name)
  );
  CREATE INDEX devices_home ON devices(home_id);
  CREATE INDEX grids_village ON grids(village_id);
  CREATE INDEX homes_grid ON homes(grid_id);
  `,
  // Notifications (gateway/notify): the durable outbox and per-contact channel preferences.
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    alert_id TEXT,
    dedupe_key TEXT UNIQUE,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    delivered_at INTEGER,
    last_error TEXT,
    dead_at INTEGER
  );
  CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
  CREATE INDEX outbox_recipient ON outbox(recipient, id);
  CREATE INDEX outbox_alert ON outbox(alert_id) WHERE alert_id IS NOT NULL;
  CREATE TABLE contact_channels (
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'wecom', 'dingtalk', 'mqtt', 'sms')),
    config TEXT NOT NULL DEFAULT '{}',
    enabled INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (contact_id, channel)
  );
  `,
  // Alerts (gateway/alerts): the closed loop. At most one unresolved alert per home and type; every
  // transition is an alert_events row (who, when, why); away mode and per-home overrides are audited.
  `
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    home_id TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    rung INTEGER NOT NULL,
    since INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    next_rung_at INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    resolved_at INTEGER,
    resolved_by TEXT,
    outcome TEXT,
    note TEXT
  );
  CREATE UNIQUE INDEX alerts_one_unresolved ON alerts(home_id, type) WHERE state != 'resolved';
  CREATE INDEX alerts_home ON alerts(home_id, opened_at);
  CREATE INDEX alerts_state ON alerts(state, opened_at);
  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    rung INTEGER,
    detail TEXT
  );
  CREATE INDEX alert_events_alert ON alert_events(alert_id, id);
  CREATE TABLE home_alert_settings (
    home_id TEXT PRIMARY KEY,
    away_until INTEGER,
    inactivity_threshold_ms INTEGER,
    quiet_hours TEXT,
    ladder TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE TABLE home_alert_settings_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    home_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL
  );
  CREATE INDEX home_alert_settings_audit_home ON home_alert_settings_audit(home_id, id);
  `,
  // Village content (gateway/content) that the TV app shows and the console publishes, TV screens
  // (gateway/tv) and one audit log of staff writes. Finance statements are revisions: a published one is
  // never updated; a correction is a new row that supersedes it, hash-chained per village.
  `
  CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    grid_id TEXT REFERENCES grids(id),
    category TEXT NOT NULL CHECK (category IN ('party', 'study', 'safety', 'health', 'general')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    images TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'high', 'urgent')),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    published_at INTEGER,
    withdrawn_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX notices_village ON notices(village_id, starts_at);
  CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    kind TEXT NOT NULL CHECK (kind IN ('branch_assembly', 'branch_committee', 'group_meeting', 'party_lecture', 'theme_day')),
    title TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    place TEXT NOT NULL,
    note TEXT,
    cancelled_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX meetings_village ON meetings(village_id, starts_at);
  CREATE TABLE care_visits (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    team TEXT NOT NULL,
    place TEXT NOT NULL,
    services TEXT,
    cancelled_at INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX care_visits_village ON care_visits(village_id, starts_at);
  CREATE TABLE broadcasts (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    kind TEXT NOT NULL CHECK (kind IN ('typhoon', 'flood', 'fire', 'earthquake', 'other')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ends_at INTEGER,
    ended_at INTEGER,
    ended_by TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX broadcasts_village ON broadcasts(village_id, started_at);
  CREATE TABLE finance_statements (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'year')),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'published', 'superseded')),
    revision INTEGER NOT NULL DEFAULT 1,
    supersedes_id TEXT REFERENCES finance_statements(id),
    correction_reason TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    submitted_at INTEGER,
    reviewed_by TEXT,
    reviewed_at INTEGER,
    review_comment TEXT,
    published_at INTEGER,
    content_hash TEXT,
    prev_hash TEXT
  );
  CREATE INDEX finance_statements_village ON finance_statements(village_id, period_start);
  CREATE TABLE finance_entries (
    statement_id TEXT NOT NULL REFERENCES finance_statements(id),
    seq INTEGER NOT NULL,
    date TEXT NOT NULL,
    voucher_no TEXT NOT NULL,
    account_code TEXT NOT NULL,
    account_name TEXT NOT NULL,
    summary TEXT NOT NULL,
    income_cents INTEGER NOT NULL DEFAULT 0,
    expense_cents INTEGER NOT NULL DEFAULT 0,
    handler TEXT NOT NULL,
    approver TEXT NOT NULL,
    PRIMARY KEY (statement_id, seq)
  );
  CREATE TABLE screens (
    id TEXT PRIMARY KEY,
    village_id TEXT NOT NULL REFERENCES villages(id),
    home_id TEXT REFERENCES homes(id),
    label TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    paired_at INTEGER NOT NULL,
    paired_by TEXT NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT,
    last_seen_at INTEGER
  );
  CREATE INDEX screens_home ON screens(home_id);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    detail TEXT
  );
  CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);
  `,
  // Console accounts (gateway/console/auth): users with one role each, their scope (villages for clerks
  // and reviewers, grids for grid workers, homes for family), and sessions stored by the SHA-256 of the
  // cookie token (a database leak gives no usable session). Login failures are counted in memory.
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'reviewer', 'grid_worker', 'family')),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    password_changed_at INTEGER
  );
  CREATE TABLE user_scopes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    village_id TEXT REFERENCES villages(id),
    grid_id TEXT REFERENCES grids(id),
    home_id TEXT REFERENCES homes(id),
    CHECK ((village_id IS NOT NULL) + (grid_id IS NOT NULL) + (home_id IS NOT NULL) = 1)
  );
  CREATE INDEX user_scopes_user ON user_scopes(user_id);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ip TEXT,
    user_agent TEXT
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE INDEX sessions_expiry ON sessions(expires_at);
  `
]

export function migrate (db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
