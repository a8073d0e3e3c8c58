// Commits a partition's alert batches to PostgreSQL one at a time, in the order the engine made them
// (a later transition must never land before an earlier one). A failed commit is retried with backoff,
// holding the batches behind it: while PostgreSQL is down the engine keeps deciding, and nobody is told
// anything until the decisions are durable. A fenced commit (another worker owns the partition now)
// stops everything: the owner that fenced us recomputes from PostgreSQL.
import type { Logger } from '../logger.ts'
import { FencedError, type AlertBatch } from './contracts.ts'

export interface BatchCommitterDeps {
  commit: (batch: AlertBatch) => Promise<void>
  onFenced: (err: FencedError) => void
  log: Logger
  /** First retry delay; doubles to 30 s. */
  retryMs?: number
}

const MAX_RETRY_MS = 30_000

export class BatchCommitter {
  private readonly queue: AlertBatch[] = []
  private running: Promise<void> | null = null
  private stopped = false
  private wake: (() => void) | null = null
  committed = 0

  constructor (private readonly deps: BatchCommitterDeps) {}

  get pending (): number { return this.queue.length }

  push (batch: AlertBatch): void {
    if (this.stopped) return
    this.queue.push(batch)
    this.running ??= this.drain().finally(() => { this.running = null })
  }

  /** Resolves when every batch pushed so far is committed (or the committer stopped). */
  async idle (): Promise<void> {
    while (this.running !== null) await this.running
  }

  /** Stop without committing what is queued (the partition was lost: its next owner recomputes). */
  stop (): void {
    this.stopped = true
    this.queue.length = 0
    this.wake?.()
  }

  private async drain (): Promise<void> {
    let delay = this.deps.retryMs ?? 1_000
    while (!this.stopped) {
      const next = this.queue[0]
      if (next === undefined) return
      try {
        await this.deps.commit(next)
        this.queue.shift()
        this.committed++
        delay = this.deps.retryMs ?? 1_000
      } catch (err) {
        if (err instanceof FencedError) {
          this.stop()
          this.deps.onFenced(err)
          return
        }
        this.deps.log.error({ err, pending: this.queue.length, retryInMs: delay }, 'could not commit alert transitions to PostgreSQL; retrying')
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          this.wake = () => { clearTimeout(timer); resolve() }
        })
        this.wake = null
        delay = Math.min(delay * 2, MAX_RETRY_MS)
      }
    }
  }
}
