// One partition's alert engine on the worker that holds its lease. It is the single-process AlertEngine,
// unchanged, over: a local in-memory copy of the partition's alert state (loaded from PostgreSQL at
// takeover, the same path as a restart: AlertWatch.start), the registry replica cut to the partition's
// homes, the shared telemetry store cut the same way, and a bus fed from the partition's Redis stream.
// Every transition is shipped to PostgreSQL as one batch, fenced by the epoch of this ownership.
import type { LadderConfig, Notification, ThresholdProvider } from '../../src/alerts.ts'
import type { Clock, Timers } from '../../src/clock.ts'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { AlertEngine } from '../alerts/alert-engine.ts'
import type { AckLinks } from '../alerts/ack-links.ts'
import { openMemoryDatabase, type Db } from '../db/open-database.ts'
import { EventBus } from '../events/event-bus.ts'
import type { Logger } from '../logger.ts'
import type { DeviceStore } from '../registry/device-store.ts'
import type { PlacesStore } from '../registry/places-store.ts'
import { BatchCommitter } from './batch-committer.ts'
import type { AlertBatch, FencedError, PartitionEvent, PartitionState } from './contracts.ts'
import { partitionTelemetry } from './partition-telemetry.ts'
import { ReplicatingAlertStore } from './replicating-alert-store.ts'

export interface PartitionEngineDeps {
  partition: number
  /** Whether a home belongs to this partition (partitionOf(homeId) === partition). */
  owns: (homeId: string) => boolean
  /** Commit one batch under this ownership's epoch; throws FencedError once another worker owns it. */
  commit: (batch: AlertBatch) => Promise<void>
  /** Another worker took the partition: the caller stops this engine and unfollows the stream. */
  onFenced: (err: FencedError) => void
  places: PlacesStore
  devices: Pick<DeviceStore, 'list'>
  telemetry: TelemetryStore
  thresholds: ThresholdProvider
  timers: Timers & Clock
  log: Logger
  ladder?: LadderConfig
  ackLinks?: AckLinks
  /** The outbox rows one notification becomes (NotifyService.expand); default as given. */
  expand?: (n: Notification) => Notification[]
}

export class PartitionEngine {
  readonly alerts: AlertEngine
  private readonly db: Db
  private readonly bus: EventBus
  private readonly committer: BatchCommitter
  private readonly store: ReplicatingAlertStore
  private stopped = false
  /** The last stream entry handled: stored with each batch, so the next owner resumes after it. */
  private streamId: string | undefined

  constructor (private readonly deps: PartitionEngineDeps) {
    const log = deps.log.child({ partition: deps.partition })
    this.db = openMemoryDatabase()
    this.bus = new EventBus(log)
    this.committer = new BatchCommitter({ commit: deps.commit, onFenced: deps.onFenced, log })
    this.store = new ReplicatingAlertStore(this.db, deps.timers, (batch) => this.committer.push(this.streamId === undefined ? batch : { ...batch, streamId: this.streamId }), deps.expand)
    const devices = { list: () => deps.devices.list().filter((d) => deps.owns(d.homeId)) }
    this.alerts = new AlertEngine({
      db: this.db,
      store: this.store,
      sink: this.store.sink,
      bus: this.bus,
      places: deps.places,
      devices,
      telemetry: partitionTelemetry(deps.telemetry, deps.owns),
      thresholds: deps.thresholds,
      timers: deps.timers,
      log,
      ladder: deps.ladder,
      ackLinks: deps.ackLinks
    })
  }

  /** Load the partition's durable state, then start its timers (the restart path of AlertWatch). */
  async start (state: PartitionState): Promise<void> {
    this.streamId = state.streamId ?? undefined
    this.store.seed(state)
    await this.alerts.start()
  }

  /** One event from the partition's stream. Commands on unknown or closed alerts are logged, not thrown. */
  handle (event: PartitionEvent, streamId?: string): void {
    if (this.stopped) return
    if (streamId !== undefined) this.streamId = streamId
    if (event.type === 'activity') { this.bus.emit('activity', event.event); return }
    if (event.type === 'device-state') { this.bus.emit('device-state', event.event); return }
    const command = event.command
    try {
      if (command.kind === 'ack') this.alerts.acknowledge(command.alertId, command.by)
      else if (command.kind === 'resolve') this.alerts.resolve(command.alertId, command.by, command.outcome, command.note)
      else if (command.kind === 'away') this.alerts.setAway(command.homeId, command.until, command.by)
      else if (command.kind === 'settings') this.alerts.updateSettings(command.homeId, command.input)
      else this.alerts.checkIn(command.homeId)
    } catch (err) {
      this.deps.log.info({ err, partition: this.deps.partition, command: command.kind }, 'alert command not applied')
    }
  }

  /** Batches waiting for PostgreSQL (a gauge: it grows while PostgreSQL is down). */
  get pendingBatches (): number { return this.committer.pending }

  /** Resolves when every transition so far is committed. */
  async idle (): Promise<void> {
    await this.committer.idle()
  }

  /** Stop at once: no timer fires and nothing more is committed for this partition from here. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.alerts.stop()
    this.committer.stop()
    this.db.close()
  }
}
