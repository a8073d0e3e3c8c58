// A durable FIFO of line-protocol batches waiting for InfluxDB (issue 3: "when InfluxDB is down, slow or
// rejects a batch, points go to a durable on-disk spool and are replayed in order"). One small SQLite
// file (`spool.db` beside the registry), one row per batch; the row's seq is its place in the queue.
//
// Bound: `maxBytes` counts the line-protocol payload (what would be replayed), not the file: SQLite
// reuses freed pages, so the file stays near the peak payload plus a few percent of page overhead.
// Crossing 80 % logs a warning once; a refused batch logs an error and counts its points as dropped.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Clock } from '../../src/clock.ts'
import type { Logger } from '../logger.ts'

export interface SpoolBatch {
  seq: number
  lines: string[]
  points: number
  /** The lines joined by newlines: the body of a /write request. */
  text: string
}

export interface SpoolStats {
  batches: number
  points: number
  bytes: number
  limitBytes: number
  /** Points refused because the spool was full, since open. */
  dropped: number
}

export interface SpoolOptions {
  path: string
  maxBytes: number
  log: Logger
  clock: Clock
}

const WARN_FRACTION = 0.8
/** At most one "spool full" error line per this interval; the dropped count is in every line and in stats. */
const FULL_LOG_INTERVAL_MS = 10_000

interface Row { seq: number, lines: string, points: number }

export class Spool {
  private readonly db: Database.Database
  private readonly opts: SpoolOptions
  private batches = 0
  private points = 0
  private bytes = 0
  private dropped = 0
  private lastSeq = 0
  private warned = false
  private lastFullLog = -Infinity
  private readonly stmts: {
    insert: Database.Statement<[number, string, number, number]>
    head: Database.Statement<[number], Row>
    after: Database.Statement<[number], Row>
    remove: Database.Statement<[number], { points: number, bytes: number }>
    all: Database.Statement<[], Row>
  }

  constructor (opts: SpoolOptions) {
    this.opts = opts
    mkdirSync(dirname(opts.path), { recursive: true })
    this.db = new Database(opts.path)
    this.db.pragma('journal_mode = WAL')
    // FULL, not NORMAL: in WAL mode NORMAL survives a process kill but may lose the commits since the
    // last checkpoint (up to ~4 MB of spool) on a power cut, and power cuts are how a village gateway
    // most often dies. The price is one fsync per appended batch (measured here: 6.6 ms per 5,000-line
    // batch with FULL, 4.7 with NORMAL), and the spool only commits while InfluxDB is unavailable or
    // slower than ingest: at village rates a batch per flush interval. Removals skip it (see remove()).
    this.db.pragma('synchronous = FULL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS batches (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      lines TEXT NOT NULL,
      points INTEGER NOT NULL,
      bytes INTEGER NOT NULL
    )`)
    this.stmts = {
      insert: this.db.prepare('INSERT INTO batches (seq, lines, points, bytes) VALUES (?, ?, ?, ?)'),
      head: this.db.prepare('SELECT seq, lines, points FROM batches ORDER BY seq LIMIT ?'),
      after: this.db.prepare('SELECT seq, lines, points FROM batches WHERE seq > ? ORDER BY seq LIMIT 1'),
      remove: this.db.prepare('DELETE FROM batches WHERE seq = ? RETURNING points, bytes'),
      all: this.db.prepare('SELECT seq, lines, points FROM batches ORDER BY seq')
    }
    const totals = this.db.prepare('SELECT count(*) AS n, coalesce(sum(points), 0) AS p, coalesce(sum(bytes), 0) AS b, coalesce(max(seq), 0) AS m FROM batches')
      .get() as { n: number, p: number, b: number, m: number }
    const sequence = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'batches'").get() as { seq: number } | undefined
    this.batches = totals.n
    this.points = totals.p
    this.bytes = totals.b
    this.lastSeq = Math.max(totals.m, sequence?.seq ?? 0)
    this.warned = this.bytes >= WARN_FRACTION * opts.maxBytes
    if (this.batches > 0) opts.log.info({ batches: this.batches, points: this.points, bytes: this.bytes }, 'telemetry spool: found points waiting from before')
  }

  /**
   * A place in the queue for a batch that may be appended later (a batch in flight to InfluxDB): if it
   * fails after newer batches were spooled, it still goes in front of them.
   */
  reserveSeq (): number {
    return ++this.lastSeq
  }

  /**
   * Append a batch at the tail (or at a reserved seq). Never throws: false when the byte bound would be
   * exceeded (or the disk refuses the write); the points are then dropped, counted and logged.
   */
  append (lines: readonly string[], seq?: number): boolean {
    if (lines.length === 0) return true
    const text = lines.join('\n')
    const size = Buffer.byteLength(text)
    if (this.bytes + size > this.opts.maxBytes) return this.refuse(lines.length, 'telemetry spool FULL: points are being dropped until InfluxDB is back')
    const at = seq ?? this.reserveSeq()
    if (at > this.lastSeq) this.lastSeq = at
    try {
      this.stmts.insert.run(at, text, lines.length, size)
    } catch (err) {
      return this.refuse(lines.length, 'telemetry spool cannot write (disk full?): points are being dropped', err)
    }
    this.batches++
    this.points += lines.length
    this.bytes += size
    if (!this.warned && this.bytes >= WARN_FRACTION * this.opts.maxBytes) {
      this.warned = true
      this.opts.log.warn({ spoolBytes: this.bytes, limitBytes: this.opts.maxBytes, points: this.points }, 'telemetry spool above 80 % of its bound: InfluxDB has been unavailable for a while')
    }
    return true
  }

  private refuse (points: number, msg: string, err?: unknown): false {
    this.dropped += points
    const now = this.opts.clock.now()
    if (now - this.lastFullLog >= FULL_LOG_INTERVAL_MS) {
      this.lastFullLog = now
      this.opts.log.error({ droppedPoints: this.dropped, spoolBytes: this.bytes, limitBytes: this.opts.maxBytes, err: (err as Error | undefined)?.message }, msg)
    }
    return false
  }

  /** The oldest batch, if any. */
  peek (): SpoolBatch | undefined {
    return this.peekMany(1)[0]
  }

  /** Up to `limit` oldest batches, oldest first. */
  peekMany (limit: number): SpoolBatch[] {
    return this.stmts.head.all(limit).map(toBatch)
  }

  /** The oldest batch behind `seq` (a replay with several batches in flight). */
  peekAfter (seq: number): SpoolBatch | undefined {
    const row = this.stmts.after.get(seq)
    return row === undefined ? undefined : toBatch(row)
  }

  remove (seq: number): void {
    // A removal may skip the fsync: losing it in a power cut only means the batch is sent again, and
    // InfluxDB stores a resent point once. (SQLite measured here: 3.3 ms per removal with FULL, 0.5 with NORMAL.)
    let row: { points: number, bytes: number } | undefined
    this.db.pragma('synchronous = NORMAL')
    try {
      row = this.stmts.remove.get(seq)
    } finally {
      this.db.pragma('synchronous = FULL')
    }
    if (row === undefined) return
    this.batches--
    this.points -= row.points
    this.bytes -= row.bytes
    if (this.warned && this.bytes < WARN_FRACTION * this.opts.maxBytes) this.warned = false
  }

  /** Drop every spooled line for which `keep` is false (privacy deletion); rewrites affected batches in place. */
  filterLines (keep: (line: string) => boolean): number {
    let removed = 0
    this.db.transaction(() => {
      for (const row of this.stmts.all.all()) {
        const lines = row.lines.split('\n')
        const kept = lines.filter(keep)
        if (kept.length === lines.length) continue
        removed += lines.length - kept.length
        const text = kept.join('\n')
        const size = Buffer.byteLength(text)
        const old = this.stmts.remove.get(row.seq)
        if (old === undefined) continue
        this.points -= old.points
        this.bytes -= old.bytes
        if (kept.length === 0) {
          this.batches--
          continue
        }
        this.stmts.insert.run(row.seq, text, kept.length, size)
        this.points += kept.length
        this.bytes += size
      }
    })()
    return removed
  }

  stats (): SpoolStats {
    return { batches: this.batches, points: this.points, bytes: this.bytes, limitBytes: this.opts.maxBytes, dropped: this.dropped }
  }

  close (): void {
    if (this.db.open) this.db.close()
  }
}

function toBatch (row: Row): SpoolBatch {
  // lines on demand: the replay only needs the text.
  return { seq: row.seq, points: row.points, text: row.lines, get lines () { return row.lines.split('\n') } }
}
