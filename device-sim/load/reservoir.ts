// A fixed-size uniform sample of a stream (Vitter's algorithm R): percentiles of 500,000 latencies from
// 20,000 of them, without holding or shipping them all over IPC.

export class Reservoir {
  private seen = 0
  private readonly items: number[] = []

  constructor (private readonly capacity = 20_000) {}

  add (x: number): void {
    this.seen++
    if (this.items.length < this.capacity) { this.items.push(x); return }
    const j = Math.floor(Math.random() * this.seen)
    if (j < this.capacity) this.items[j] = x
  }

  /** The sample so far, and start a new one. */
  take (): number[] {
    const out = this.items.splice(0)
    this.seen = 0
    return out
  }
}
