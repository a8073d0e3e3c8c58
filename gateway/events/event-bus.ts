// The gateway's in-process, typed event bus. Listeners run synchronously; one that throws is logged and
// does not stop the others or the emitter (a bug in the alert engine must not stop ingest).
import type { GatewayEvents } from '../../src/events.ts'
import type { Logger } from '../logger.ts'

type Listener<T> = (event: T) => void

export class EventBus {
  // Keyed by event name; the typed on/emit signatures keep each set's listeners matched to their event.
  private readonly listeners = new Map<keyof GatewayEvents, Set<Listener<never>>>()

  constructor (private readonly log: Logger) {}

  on<K extends keyof GatewayEvents> (name: K, listener: Listener<GatewayEvents[K]>): () => void {
    let set = this.listeners.get(name) as Set<Listener<GatewayEvents[K]>> | undefined
    if (set === undefined) {
      set = new Set()
      this.listeners.set(name, set as Set<Listener<never>>)
    }
    set.add(listener)
    return () => { set.delete(listener) }
  }

  emit<K extends keyof GatewayEvents> (name: K, event: GatewayEvents[K]): void {
    const set = this.listeners.get(name) as Set<Listener<GatewayEvents[K]>> | undefined
    if (set === undefined) return
    for (const listener of set) {
      try {
        listener(event)
      } catch (err) {
        this.log.error({ err, event: name }, 'event listener failed')
      }
    }
  }
}
