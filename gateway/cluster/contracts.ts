// Cluster mode (issue 8; design in docs/cluster.md): the contracts between its parts. Devices connect to an
// external broker (Mosquitto or EMQX); N stateless gateway workers consume with a shared subscription;
// homes are hashed into partitions, each owned by one live worker through a Redis lease; the worker that
// receives a home's event appends it to the partition's Redis stream, and the owner's alert engine reads
// it; alerts, their notifications (the outbox) and the registry live in PostgreSQL.
// Embedded single-process mode (gateway/build.ts) is the default and does not use any of this.
import type { Alert, AlertEvent, Notification, Outcome } from '../../src/alerts.ts'
import type { AlertSettings, AlertSettingsInput } from '../../src/escalation/alert-schemas.ts'
import type { ActivityEvent, DeviceStateEvent } from '../../src/events.ts'

export interface ClusterSettings {
  /** This worker's id: unique among live workers (default: hostname + pid). */
  workerId: string
  /** Number of home partitions. Fixed for the life of a cluster (changing it re-homes every alert). */
  partitions: number
  /** A lease not renewed for this long passes to another worker (the takeover time after a crash). */
  leaseMs: number
  /** How often a worker renews its leases and its membership. Must be well under leaseMs. */
  renewMs: number
  /** How long partition streams keep events: a new owner replays this much after a takeover. */
  streamRetentionMs: number
  redisUrl: string
  postgresUrl: string
}

/** A person's action on an alert, routed from whichever worker took the HTTP request to the owner. */
export type AlertCommand =
  | { kind: 'ack', alertId: string, by: string }
  | { kind: 'resolve', alertId: string, by: string, outcome: Outcome, note: string | null }
  | { kind: 'check-in', homeId: string }
  /** Away mode until `until` (null: back now), set by family, a grid worker or the TV. */
  | { kind: 'away', homeId: string, until: number | null, by: string }
  /** Per-home thresholds, quiet hours and ladder, set by staff (audited with the settings). */
  | { kind: 'settings', homeId: string, input: AlertSettingsInput }

/** What travels on a partition's stream: ids only, like the in-process bus (no names, no phone numbers). */
export type PartitionEvent =
  | { type: 'activity', event: ActivityEvent }
  | { type: 'device-state', event: DeviceStateEvent }
  | { type: 'command', command: AlertCommand }

/** Told by PartitionLeases when this worker gains or loses a partition. */
export interface LeaseListener {
  /** This worker now holds the lease; start owning the partition (load state, start timers). */
  acquired(partition: number): Promise<void> | void
  /**
   * This worker no longer holds (or can no longer be sure it holds) the lease: stop acting for the
   * partition at once. Called before the lease could have passed to another worker.
   */
  lost(partition: number): void
}

/**
 * Everything one alert transition wrote, committed to PostgreSQL in one transaction (with the partition's
 * fencing epoch checked), so notifications are sent exactly once whichever worker owns the home.
 */
export interface AlertBatch {
  /** Latest state of each alert written in the transition (upsert by id). */
  alerts: Alert[]
  /** Appended audit rows. */
  events: AlertEvent[]
  /** Outbox rows to insert (the PostgreSQL outbox delivers them). */
  notifications: Array<{ notification: Notification, createdAt: number }>
  /** Per-home settings written, each with the audit change that caused it. */
  settings: Array<{ settings: AlertSettings & { updatedAt: number, updatedBy: string }, change: Record<string, unknown> }>
  /**
   * The id of the last partition-stream entry the engine had handled when it made this batch. Stored with
   * the batch (same transaction), it is where the next owner resumes the stream: replaying from further
   * back would re-raise alerts already closed (a low battery reading, then the new battery's).
   */
  streamId?: string
}

/** A partition's durable alert state, loaded by a new owner before it starts the partition's engine. */
export interface PartitionState {
  /** Unresolved (open or acknowledged) alerts of the partition's homes. */
  alerts: Alert[]
  /** The audit rows of those alerts (the engine reads them to decide a re-ask). */
  events: AlertEvent[]
  settings: AlertSettings[]
  /** Where to resume the partition's stream (the streamId of the last committed batch); null: never. */
  streamId?: string | null
}

/** The commit was refused: another worker has claimed the partition since (its epoch is newer). */
export class FencedError extends Error {
  constructor (readonly partition: number, readonly epoch: number) {
    super(`partition ${partition}: epoch ${epoch} superseded by a newer owner`)
    this.name = 'FencedError'
  }
}
