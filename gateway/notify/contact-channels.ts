// Per-contact channel preferences (table contact_channels) and the address each outbox row is sent to.
// Addresses are resolved when a row is sent, not when it is queued, so a corrected webhook URL or a
// re-enabled channel fixes the retries of messages already waiting.
import { z } from 'zod'
import { AnjuError } from '../../src/errors.ts'
import type { Clock } from '../../src/clock.ts'
import type { Db } from '../db/open-database.ts'
import type { ChannelName } from './channel.ts'

const httpUrl = z.url({ protocol: /^https?$/ })
const enabled = z.boolean().default(true)

/** One channel of one contact as the admin API accepts it. Robot URLs and secrets are credentials. */
export const contactChannelInput = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('webhook'), enabled, config: z.object({ url: httpUrl }) }),
  z.object({ channel: z.literal('wecom'), enabled, config: z.object({ url: httpUrl.describe('the robot webhook URL, key included') }) }),
  z.object({ channel: z.literal('dingtalk'), enabled, config: z.object({ url: httpUrl.describe('the robot webhook URL, access_token included'), secret: z.string().min(8).describe('the robot secret (加签, SEC...)') }) }),
  z.object({ channel: z.literal('mqtt'), enabled, config: z.object({}).default({}) }),
  z.object({ channel: z.literal('sms'), enabled, config: z.object({ to: z.string().trim().regex(/^\+?[0-9 -]{5,20}$/).optional().describe('defaults to the contact\'s phone') }).default({}) })
])
export type ContactChannelInput = z.infer<typeof contactChannelInput>
export type ContactChannelName = ContactChannelInput['channel']

export interface UrlAddress { url: string }
export interface DingTalkAddress { url: string, secret: string }
export interface MqttAddress { contactId: string }
export interface SmsAddress { to: string }
export interface SseAddress { homeId: string }
export type Address = UrlAddress | DingTalkAddress | MqttAddress | SmsAddress | SseAddress

const TV_PREFIX = 'tv:'
const VILLAGE_PREFIX = 'village:'

export class ContactChannels {
  constructor (private readonly db: Db, private readonly clock: Clock) {}

  /** Replace all channels of a contact (one PUT = the whole preference set). */
  replace (contactId: string, channels: ContactChannelInput[]): ContactChannelInput[] {
    if (this.db.prepare('SELECT 1 FROM contacts WHERE id = ?').get(contactId) === undefined) {
      throw new AnjuError('NOT_FOUND', `contact ${contactId} does not exist`)
    }
    const names = channels.map((c) => c.channel)
    if (new Set(names).size !== names.length) throw new AnjuError('INVALID_INPUT', 'each channel may appear once')
    const now = this.clock.now()
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM contact_channels WHERE contact_id = ?').run(contactId)
      const insert = this.db.prepare('INSERT INTO contact_channels (contact_id, channel, config, enabled, updated_at) VALUES (?, ?, ?, ?, ?)')
      for (const c of channels) insert.run(contactId, c.channel, JSON.stringify(c.config), c.enabled ? 1 : 0, now)
    })()
    return this.list(contactId)
  }

  list (contactId: string): ContactChannelInput[] {
    if (this.db.prepare('SELECT 1 FROM contacts WHERE id = ?').get(contactId) === undefined) {
      throw new AnjuError('NOT_FOUND', `contact ${contactId} does not exist`)
    }
    const rows = this.db.prepare('SELECT channel, config, enabled FROM contact_channels WHERE contact_id = ? ORDER BY channel')
      .all(contactId) as Array<{ channel: string, config: string, enabled: number }>
    return rows.map((r) => contactChannelInput.parse({ channel: r.channel, enabled: r.enabled === 1, config: JSON.parse(r.config) }))
  }

  /**
   * The enabled channels of a contact, for fanning one message out. A contact nobody has configured yet
   * (no rows at all) gets SMS to the phone the registry requires of every contact.
   */
  enabledChannels (contactId: string): ContactChannelName[] {
    const rows = this.db.prepare('SELECT channel, enabled FROM contact_channels WHERE contact_id = ? ORDER BY channel')
      .all(contactId) as Array<{ channel: ContactChannelName, enabled: number }>
    if (rows.length === 0) return this.phoneIfNoChannels(contactId) === null ? [] : ['sms']
    return rows.filter((r) => r.enabled === 1).map((r) => r.channel)
  }

  private phoneIfNoChannels (contactId: string): SmsAddress | null {
    const row = this.db.prepare(`SELECT phone FROM contacts c WHERE id = ?
      AND NOT EXISTS (SELECT 1 FROM contact_channels WHERE contact_id = c.id)`).get(contactId) as { phone: string } | undefined
    return row === undefined ? null : { to: row.phone }
  }

  /**
   * Where a message for `recipient` on `channel` goes, or null when there is no such address (unknown
   * contact, channel disabled or not configured). `tv:<homeId>` is the home's screens (SSE only);
   * `village:<villageId>` is the village's first village_duty contact (by priority) with that channel.
   */
  resolve (recipient: string, channel: ChannelName): Address | null {
    if (recipient.startsWith(TV_PREFIX)) return channel === 'sse' ? { homeId: recipient.slice(TV_PREFIX.length) } : null
    if (channel === 'sse') return null
    let contactId = recipient
    if (recipient.startsWith(VILLAGE_PREFIX)) {
      const duty = this.db.prepare(`SELECT c.id FROM contacts c JOIN contact_channels cc ON cc.contact_id = c.id
        WHERE c.village_id = ? AND c.role = 'village_duty' AND cc.channel = ? AND cc.enabled = 1 ORDER BY c.priority, c.id LIMIT 1`)
        .get(recipient.slice(VILLAGE_PREFIX.length), channel) as { id: string } | undefined
      if (duty === undefined) return null
      contactId = duty.id
    }
    const row = this.db.prepare(`SELECT cc.config, c.phone FROM contact_channels cc JOIN contacts c ON c.id = cc.contact_id
      WHERE cc.contact_id = ? AND cc.channel = ? AND cc.enabled = 1`).get(contactId, channel) as { config: string, phone: string } | undefined
    if (row === undefined) return channel === 'sms' ? this.phoneIfNoChannels(contactId) : null
    const config = JSON.parse(row.config) as Record<string, string | undefined>
    switch (channel) {
      case 'webhook':
      case 'wecom':
        return { url: config.url as string }
      case 'dingtalk':
        return { url: config.url as string, secret: config.secret as string }
      case 'mqtt':
        return { contactId }
      case 'sms':
        return { to: config.to ?? row.phone }
    }
  }
}

/** A channel as the admin API shows it: URL query values (robot keys) and robot secrets replaced by ***. */
export interface RedactedChannel { channel: ContactChannelName, enabled: boolean, config: Record<string, string> }

export function redact (c: ContactChannelInput): RedactedChannel {
  const config: Record<string, string> = {}
  for (const [key, value] of Object.entries(c.config)) {
    if (typeof value !== 'string') continue
    config[key] = key === 'secret' ? '***' : key === 'url' ? redactUrl(value) : value
  }
  return { channel: c.channel, enabled: c.enabled, config }
}

export function redactUrl (raw: string): string {
  const url = new URL(raw)
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, '***')
  if (url.password !== '') url.password = '***'
  return url.toString()
}
