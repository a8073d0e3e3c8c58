// Writes line protocol to InfluxDB 2.x / 3.x / Cloud (POST /api/v2/write with a token, org and bucket)
// through the official client, @influxdata/influxdb-client, with its own buffering switched off.
//
// The client's traps (checked against its source, v1.35): its retry buffer is in memory only (32,000
// lines by default, then it discards the oldest), `close()` discards what waits for a retry, and against
// an InfluxDB 1.x server (no /api/v2/write: 404) it logs and drops the batch. So every batch gets a
// throw-away WriteApi with maxRetries 0 and a `writeFailed` that turns the failure into a rejected flush:
// the result goes back to InfluxWriter, which keeps failed batches in Anju's durable spool (spool.ts) and
// replays them in order. One WriteApi per batch also keeps concurrent batches from mixing.
import { HttpError, InfluxDB } from '@influxdata/influxdb-client'
import type { LineSink, WriteResult } from './influx-http.ts'

export interface Influx2Options {
  url: string
  token: string
  org: string
  bucket: string
  timeoutMs: number
}

/**
 * 400: line protocol InfluxDB will never accept (the valid lines of the batch were written); 422: points
 * outside the bucket's retention (2.x). Resending either cannot succeed, so the batch is dropped and logged.
 */
const POISON = new Set([400, 422])

export class Influx2Lines implements LineSink {
  readonly client: InfluxDB

  constructor (private readonly opts: Influx2Options) {
    this.client = new InfluxDB({ url: opts.url, token: opts.token, timeout: opts.timeoutMs })
  }

  async write (body: string): Promise<WriteResult> {
    const lines = body.split('\n')
    const api = this.client.getWriteApi(this.opts.org, this.opts.bucket, 'ms', {
      batchSize: lines.length + 1,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: lines.length + 1,
      writeFailed: async (error: Error) => { throw error }
    })
    try {
      api.writeRecords(lines)
      await api.flush()
      return { ok: true }
    } catch (err) {
      if (err instanceof HttpError) return { ok: false, poison: POISON.has(err.statusCode), status: err.statusCode, error: err.body?.slice(0, 200) ?? err.message }
      return { ok: false, poison: false, status: 0, error: (err as Error).message }
    } finally {
      api.dispose()
    }
  }
}
