// aedes 1.x (mqtt-packet) has no maximum packet size: it buffers a packet until its declared remaining
// length (up to 256 MB) has arrived, even before CONNECT is authenticated. Measured here: one socket that
// declared a 200 MB CONNECT and streamed 150 MB made the gateway hold 159 MB within 1.4 s. This guard
// reads each packet's fixed header as aedes reads the socket and closes the connection as soon as a
// packet declares more than `maxBytes`, so no connection can make the broker buffer more than that.
import type { Duplex } from 'node:stream'

/** Largest packet worth buffering: a publish with the largest allowed payload and a 64 KiB topic. */
export const maxPacketBytes = (maxPayloadBytes: number): number => maxPayloadBytes + 65_536 + 64

export class PacketSizeTracker {
  // Where in the current packet we are: its header byte, its remaining-length bytes, or its body.
  private phase: 'type' | 'length' | 'body' = 'type'
  private length = 0
  private multiplier = 1
  private bodyLeft = 0

  constructor (private readonly maxBytes: number) {}

  /** Feed the next bytes of the stream; false as soon as a packet declares more than the maximum. */
  feed (chunk: Buffer): boolean {
    let i = 0
    while (i < chunk.length) {
      if (this.phase === 'type') {
        i++
        this.phase = 'length'
        this.length = 0
        this.multiplier = 1
      } else if (this.phase === 'length') {
        const byte = chunk[i++] as number
        this.length += (byte & 0x7f) * this.multiplier
        this.multiplier *= 128
        if (this.length > this.maxBytes) return false
        if ((byte & 0x80) === 0) {
          this.bodyLeft = this.length
          this.phase = this.bodyLeft === 0 ? 'type' : 'body'
        } else if (this.multiplier > 128 ** 4) {
          return false // a fifth length byte: malformed (mqtt-packet refuses it too)
        }
      } else {
        const take = Math.min(this.bodyLeft, chunk.length - i)
        i += take
        this.bodyLeft -= take
        if (this.bodyLeft === 0) this.phase = 'type'
      }
    }
    return true
  }
}

/**
 * Watch what aedes reads from `conn` (it reads on 'readable'; a 'data' listener added after it sees each
 * chunk that read() returns without changing the flow) and destroy the connection at the first packet
 * over the limit. Call after `aedes.handle(conn)`.
 */
export function guardPacketSize (conn: Duplex, maxBytes: number, onOversize: () => void): void {
  const tracker = new PacketSizeTracker(maxBytes)
  const watch = (chunk: Buffer): void => {
    if (tracker.feed(chunk)) return
    conn.off('data', watch)
    onOversize()
    conn.destroy()
  }
  conn.on('data', watch)
}
