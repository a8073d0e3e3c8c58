// Raw MQTT over node:net for the fuzz and attack tests: valid packets built with mqtt-packet (the
// parser/generator aedes and mqtt use), seeded mutations of them, and a session runner that reports
// what the broker answered and whether it closed the socket. Not a test file (no .test.ts suffix).
import { connect } from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'
import type { Random } from '../../device-sim/prng.ts'
import { encodeLength } from '../helpers/mqtt-bytes.ts'

export type { Random }

/** Seed from ANJU_FUZZ_SEED or the clock; printed by the caller so a failure can be replayed. */
export function fuzzSeed (): number {
  const fixed = process.env.ANJU_FUZZ_SEED
  return fixed !== undefined && fixed !== '' ? Number(fixed) >>> 0 : (Date.now() % 2 ** 31) >>> 0
}

export const generate = (packet: Packet): Buffer => mqttPacket.generate(packet)

export function connectPacket (login: { id: string, secret: string } | null, extra: Record<string, unknown> = {}): Buffer {
  return generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30,
    clientId: login?.id ?? 'anon-fuzz', ...(login === null ? {} : { username: login.id, password: Buffer.from(login.secret) }), ...extra
  } as Packet)
}

export const publishPacket = (topic: string, payload: Buffer | string, qos: 0 | 1 = 1, messageId = 1): Buffer =>
  generate({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, messageId } as Packet)

export const subscribePacket = (topic: string, messageId = 1): Buffer =>
  generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos: 1 }] } as Packet)

export const PINGREQ = Buffer.from([0xc0, 0x00])

/** PUBLISH with raw topic bytes (e.g. invalid UTF-8 or a NUL), which mqtt-packet cannot generate from a string. */
export function rawPublish (topic: Buffer, payload: Buffer, messageId = 1): Buffer {
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, Buffer.from([messageId >> 8, messageId & 0xff]), payload])
  return Buffer.concat([Buffer.from([0x32]), encodeLength(body.length), body])
}

export { encodeLength }

/** One seeded mutation of a valid packet: bit flips, truncation, a bad remaining length, splices, garbage. */
export function mutate (rnd: Random, packet: Buffer): Buffer {
  const b = Buffer.from(packet)
  const at = (): number => Math.floor(rnd() * b.length)
  switch (Math.floor(rnd() * 7)) {
    case 0: { for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) { const p = at(); b[p] = (b[p] as number) ^ (1 << Math.floor(rnd() * 8)) } return b }
    case 1: return b.subarray(0, Math.max(1, at()))
    // Remaining length: five continuation bytes are illegal [MQTT-2.2.3]; or a length beyond the body.
    case 2: return Buffer.concat([b.subarray(0, 1), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), b.subarray(2)])
    case 3: return Buffer.concat([b.subarray(0, 1), encodeLength(b.length + 1 + Math.floor(rnd() * 1000)), b.subarray(2)])
    case 4: { const p = at(); b[p] = Math.floor(rnd() * 256); return b }
    case 5: return Buffer.concat([b, randomBytes(rnd, 1 + Math.floor(rnd() * 64))])
    default: { const p = at(); return Buffer.concat([b.subarray(0, p), randomBytes(rnd, 1 + Math.floor(rnd() * 16)), b.subarray(p)]) }
  }
}

export function randomBytes (rnd: Random, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256)
  return b
}

export interface Session { closed: boolean, packets: Packet[], error?: string }

/**
 * Connect, write `first` (then wait for CONNACK if `awaitConnack`), write `then`, and finish when the
 * broker closes the socket or `idleMs` pass without it. `packets` are what the broker sent back.
 */
export async function rawSession (port: number, first: Buffer, then: Buffer[] = [], options: { awaitConnack?: boolean, idleMs?: number } = {}): Promise<Session> {
  const socket = connect({ port, host: '127.0.0.1' })
  const parser = mqttPacket.parser()
  const result: Session = { closed: false, packets: [] }
  let onPacket = (): void => {}
  parser.on('packet', (p: Packet) => { result.packets.push(p); onPacket() })
  parser.on('error', (err: Error) => { result.error = err.message })
  socket.on('data', (d: Buffer) => parser.parse(d))
  const closed = new Promise<void>((resolve) => socket.once('close', () => { result.closed = true; resolve() }))
  socket.on('error', () => undefined) // ECONNRESET is one of the answers we accept
  try {
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    socket.write(first)
    if (options.awaitConnack === true) {
      const connack = new Promise<void>((resolve) => { onPacket = () => { if (result.packets.some((p) => p.cmd === 'connack')) resolve() } })
      await Promise.race([connack, closed, sleep(5000)])
      if (result.closed) return result
    }
    for (const b of then) if (!socket.destroyed) socket.write(b)
    await Promise.race([closed, sleep(options.idleMs ?? 300)])
    return result
  } finally {
    socket.destroy()
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Run `tasks` with at most `limit` at a time (sockets to one broker on a 2-core machine). */
export async function inBatches<T> (items: T[], limit: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => { while (next < items.length) { const i = next++; await run(items[i] as T, i) } }))
}
