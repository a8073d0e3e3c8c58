// Messages between the load pool (parent) and its worker processes. One request at a time per worker,
// each answered by exactly one message, so the pool can await them in order.

export interface LoadCred { id: string, secret: string }

export type ToLoadWorker =
  /**
   * Open one MQTT 3.1.1 client per cred at `at` (epoch ms, so every worker starts together), `batch` at
   * a time (0: all at once, a storm).
   */
  | { type: 'connect', url: string, creds: LoadCred[], subscribe: boolean, at: number, batch: number }
  /**
   * What the clients publish from now on: status heartbeats (default), or motion reports alternating
   * `true`/`false`, so every other message is a rising edge the target must store as activity.
   */
  | { type: 'messages', kind: LoadMessageKind }
  /** Saturation: every client keeps `window` QoS 1 publishes unacknowledged. */
  | { type: 'window', window: number }
  /** A fixed rate over all this worker's clients, round robin, at most `maxInFlight` unacknowledged. */
  | { type: 'rate', perSecond: number, maxInFlight: number }
  /** Start a measured window: latency samples from here on. */
  | { type: 'mark' }
  | { type: 'report' }
  /** Stop publishing and wait (bounded) for the outstanding PUBACKs. */
  | { type: 'halt' }
  | { type: 'disconnect' }

export type FromLoadWorker =
  | { type: 'connected', connected: number, failed: number, refusedSubscriptions: number, firstError: string | null, doneAt: number }
  /** Counters are cumulative since the worker started; `samples` are publish→PUBACK ms since the last mark. */
  | { type: 'report', sent: number, acked: number, inFlight: number, closed: number, samples: number[], cpuMs: number }
  | { type: 'halted', inFlight: number }
  | { type: 'disconnected' }
  | { type: 'failed', message: string }

/** The status heartbeat of device protocol v1 (`src/device-payloads.ts` statusPayload), with the send time. */
export const statusMessage = (battery: number, rssi: number): string => `{"battery":${battery},"rssi":${rssi},"ts":${Date.now()}}`
export const statusTopic = (id: string): string => `anju/v1/dev/${id}/status`
export type LoadMessageKind = 'status' | 'motion'
/**
 * A motion report of device protocol v1 (`src/device-payloads.ts` motionPayload) with its time stamp. A
 * window of 20 publishes goes out in the same millisecond; a stored activity point's key is (home, time,
 * device), so the caller gives each report of a device a later `ts` than its previous one (at most a few
 * ms ahead of the clock at saturation), as a real sensor's reports are.
 */
export const motionMessage = (motion: boolean, ts: number): string => `{"motion":${String(motion)},"ts":${ts}}`
export const motionTopic = (id: string): string => `anju/v1/dev/${id}/motion`
export const configTopic = (id: string): string => `anju/v1/dev/${id}/config`
