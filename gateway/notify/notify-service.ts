// The notify feature: outbox, channels, SSE hub and schedules, wired from config. build.ts creates one;
// the alert engine enqueues through it; the HTTP routes use its SSE hub and contact channels.
import type { Registry } from 'prom-client'
import type { Notification } from '../../src/alerts.ts'
import type { Clock } from '../../src/clock.ts'
import type { Config } from '../config/config-schema.ts'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import type { Channel, ChannelName, Timers } from './channel.ts'
import { dingtalkChannel } from './channels/dingtalk.ts'
import { mqttPushChannel, type PushPublisher } from './channels/mqtt-push.ts'
import { smsChannel } from './channels/sms.ts'
import { SseHub, type SseSink } from './channels/sse-hub.ts'
import { webhookChannel } from './channels/webhook.ts'
import { wecomChannel } from './channels/wecom.ts'
import { ContactChannels } from './contact-channels.ts'
import { createNotifyMetrics } from './notify-metrics.ts'
import { Outbox } from './outbox.ts'
import type { OutboxQueue } from './outbox-queue.ts'
import { Schedules, type ScheduleDeps } from './schedules.ts'

export interface NotifyDeps {
  config: Config['notify']
  db: Db
  clock: Clock
  log: Logger
  registry?: Registry
  timers?: Timers
  random?: () => number
  /** Cluster mode: drain this shared queue (PostgreSQL) instead of the gateway's SQLite outbox table. */
  queue?: OutboxQueue
  /** Jobs other features provide to the schedules (summary text, model refresh, retention). */
  jobs?: Pick<ScheduleDeps, 'summaryProvider' | 'modelRefresh' | 'retention' | 'schedule'>
}

const MAX_REPLAY = 500

export class NotifyService {
  readonly outbox: Outbox
  readonly contactChannels: ContactChannels
  readonly sse: SseHub
  readonly schedules: Schedules
  /** Channels this gateway can send on (webhook needs its secret, SMS its provider URL, MQTT the broker). */
  readonly channels = new Set<ChannelName>()
  private readonly senders: Partial<Record<ChannelName, Channel<never>>>

  constructor (private readonly deps: NotifyDeps) {
    const { config, clock, db } = deps
    this.contactChannels = new ContactChannels(db, clock)
    this.sse = new SseHub(clock, deps.timers)
    const channels: Partial<Record<ChannelName, Channel<never>>> = this.senders = {
      wecom: wecomChannel({ timeoutMs: config.timeoutMs }),
      dingtalk: dingtalkChannel({ clock, timeoutMs: config.timeoutMs }),
      sse: this.sse.channel()
    }
    if (config.webhookSecret !== undefined) channels.webhook = webhookChannel({ secret: config.webhookSecret, clock, timeoutMs: config.timeoutMs })
    if (config.smsUrl !== undefined) channels.sms = smsChannel({ url: config.smsUrl, token: config.smsToken, timeoutMs: config.timeoutMs })
    for (const name of Object.keys(channels) as ChannelName[]) this.channels.add(name)

    const metrics = deps.registry === undefined
      ? undefined
      : createNotifyMetrics(deps.registry, { pending: () => db.open ? this.outbox.store.pendingByChannel() : [], sseClients: () => this.sse.clientCount })
    this.outbox = new Outbox({
      db, clock, log: deps.log, options: config, channels, metrics, timers: deps.timers, random: deps.random, queue: deps.queue,
      resolve: (recipient, channel) => this.contactChannels.resolve(recipient, channel)
    })
    this.schedules = new Schedules({
      cron: config,
      clock,
      log: deps.log,
      enqueueFor: (recipient, message, options) => this.enqueueFor(recipient, message, options),
      familyHomes: () => this.familyHomes(),
      ...deps.jobs,
      retention: [() => this.pruneOutbox(), ...(deps.jobs?.retention ?? [])]
    })
  }

  /**
   * Turn on MQTT push once there is a broker to publish to (the outbox is created before it, for the alert
   * engine): the embedded broker (`aedesPublisher`), or a cluster worker's broker connection.
   */
  attachMqtt (publish: PushPublisher): void {
    this.senders.mqtt = mqttPushChannel({ publish, clock: this.deps.clock })
    this.channels.add('mqtt')
  }

  /**
   * The alert engine's sink: a home's screens get the message as given (SSE); a contact or duty channel
   * gets it on each channel it has (the Notification's own channel is ignored). A recipient with no
   * usable channel still gets a row on the given channel: it fails "no enabled address" and is retried
   * until dead, so an admin who adds a channel in time still gets it delivered, and the gap shows in the
   * outbox, the logs and anju_notify_failed_attempts_total.
   */
  readonly sink = {
    enqueue: (n: Notification): void => { for (const m of this.expand(n)) this.enqueue(m) }
  }

  /**
   * The rows one engine notification becomes (the sink above; cluster mode commits them to PostgreSQL
   * instead): one per channel of the recipient, or the notification as given for a home's screens and
   * for a recipient with no usable channel.
   */
  expand (n: Notification): Notification[] {
    if (n.recipient.startsWith('tv:')) return [n]
    const channels = this.channelsOf(n.recipient)
    if (channels.length > 0) return channels.map((channel) => ({ ...n, channel }))
    this.deps.log.warn({ recipient: n.recipient, alertId: n.alertId, kind: n.kind }, 'recipient has no notification channel; queued on the default channel to wait for one')
    return [n]
  }

  start (): void {
    this.outbox.start()
    this.schedules.start()
  }

  async stop (): Promise<void> {
    await this.schedules.stop()
    this.sse.closeAll()
    await this.outbox.stop()
  }

  /** Queue one message on one channel (see Outbox.enqueue): synchronous, joins the caller's transaction. */
  enqueue (n: Notification, options: { dedupeKey?: string } = {}): number | null {
    return this.outbox.enqueue(n, options)
  }

  /**
   * Queue one message for a recipient on each channel it has: a contact's enabled channels, a home's
   * screens (`tv:<homeId>`, SSE), or a village duty channel (`village:<villageId>`). Channels this gateway
   * cannot send on are skipped. Returns the new outbox ids; synchronous like `enqueue`.
   */
  enqueueFor (recipient: string, message: Omit<Notification, 'recipient' | 'channel'>, options: { dedupeKey?: string } = {}): number[] {
    const ids: number[] = []
    for (const channel of this.channelsOf(recipient)) {
      const dedupeKey = options.dedupeKey === undefined ? undefined : `${options.dedupeKey}:${channel}`
      const id = this.outbox.enqueue({ ...message, recipient, channel }, { dedupeKey })
      if (id !== null) ids.push(id)
    }
    return ids
  }

  channelsOf (recipient: string): ChannelName[] {
    if (recipient.startsWith('tv:')) return ['sse']
    if (recipient.startsWith('village:')) {
      const rows = this.deps.db.prepare(`SELECT DISTINCT cc.channel FROM contacts c JOIN contact_channels cc ON cc.contact_id = c.id
        WHERE c.village_id = ? AND c.role = 'village_duty' AND cc.enabled = 1 ORDER BY cc.channel`).all(recipient.slice(8)) as Array<{ channel: ChannelName }>
      return rows.map((r) => r.channel).filter((c) => this.channels.has(c))
    }
    return this.contactChannels.enabledChannels(recipient).filter((c) => this.channels.has(c))
  }

  /**
   * Attach an SSE response for a home: first register it (so nothing new is missed), then replay the
   * home's messages after `lastEventId` (what a reconnecting client missed; at most MAX_REPLAY within the
   * outbox's max age), then make the home's still-waiting messages due now.
   */
  connectSse (homeId: string, sink: SseSink, lastEventId: number | null): () => void {
    const client = this.sse.add(homeId, sink)
    const recipient = `tv:${homeId}`
    if (lastEventId !== null) {
      const now = this.deps.clock.now()
      for (const d of this.outbox.store.replay(recipient, 'sse', lastEventId, now - this.deps.config.maxAgeMs, MAX_REPLAY)) {
        if (client.write(d)) this.outbox.store.markDelivered(Number(d.id), now, false)
      }
    }
    this.outbox.kick(recipient, 'sse')
    return client.remove
  }

  /** Homes with family contacts, and those contacts' ids by priority: who gets the 每日平安 summary. */
  familyHomes (): Array<{ homeId: string, contactIds: string[] }> {
    const rows = this.deps.db.prepare(`SELECT home_id AS homeId, id FROM contacts WHERE role = 'family' AND home_id IS NOT NULL
      ORDER BY home_id, priority, id`).all() as Array<{ homeId: string, id: string }>
    const homes = new Map<string, string[]>()
    for (const r of rows) homes.set(r.homeId, [...(homes.get(r.homeId) ?? []), r.id])
    return [...homes].map(([homeId, contactIds]) => ({ homeId, contactIds }))
  }

  private pruneOutbox (): { pruned: number } {
    const before = this.deps.clock.now() - this.deps.config.retentionDays * 86_400_000
    return { pruned: this.outbox.store.prune(before) }
  }
}
