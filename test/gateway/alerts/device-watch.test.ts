// DeviceWatchList (gateway/alerts/device-watch.ts): every status heartbeat says `online: true` and repeats
// its battery, so repeats answer "nothing to do" — but never when an alert could still need clearing.
import { describe, expect, it } from 'vitest'
import { DeviceWatchList } from '../../../gateway/alerts/device-watch.ts'

const T0 = Date.UTC(2024, 4, 1, 2)

describe('device watch', () => {
  it('reports a repeated online state as unchanged and a change with the home state', () => {
    const watch = new DeviceWatchList()
    watch.seed('dev-a', 'home-1', 'sensor', 80, T0)
    expect(watch.setOnline('dev-a', 'home-1', 'sensor', true, T0 + 1)).toBeNull()
    expect(watch.setOnline('dev-a', 'home-1', 'sensor', true, T0 + 2)).toBe('unchanged')
    expect(watch.setOnline('dev-a', 'home-1', 'sensor', false, T0 + 3)).toBe(T0 + 3)
    // The same device reporting from another home (moved in the registry) is a change there.
    expect(watch.setOnline('dev-a', 'home-2', 'sensor', false, T0 + 4)).toBe(T0 + 4)
  })

  it('answers null for healthy readings, and lists the low devices while any is or was low', () => {
    const watch = new DeviceWatchList()
    watch.seed('dev-a', 'home-1', 'sensor', 80, T0)
    watch.seed('dev-b', 'home-1', 'sensor', 80, T0)
    expect(watch.setBattery('dev-a', 'home-1', 'sensor', 79, T0)).toBeNull()
    expect(watch.setBattery('dev-a', 'home-1', 'sensor', 10, T0)).toEqual({ low: ['dev-a'], became: true })
    // Another device's healthy reading still reports the low one (the engine keeps the alert open).
    expect(watch.setBattery('dev-b', 'home-1', 'sensor', 80, T0)).toEqual({ low: ['dev-a'], became: false })
    // Recovered (hysteresis: back at 25 %): the empty list once, so the engine clears the alert...
    expect(watch.setBattery('dev-a', 'home-1', 'sensor', 90, T0)).toEqual({ low: [], became: false })
    // ...then null again.
    expect(watch.setBattery('dev-b', 'home-1', 'sensor', 80, T0)).toBeNull()
  })

  it('re-checks the old home after its low device moved away, and a home whose alert was loaded at start', () => {
    const watch = new DeviceWatchList()
    watch.seed('dev-a', 'home-1', 'sensor', 10, T0)
    watch.seed('dev-b', 'home-1', 'sensor', 80, T0)
    expect(watch.setBattery('dev-a', 'home-2', 'sensor', 10, T0)).toEqual({ low: ['dev-a'], became: true }) // new to home-2
    expect(watch.setBattery('dev-b', 'home-1', 'sensor', 80, T0)).toEqual({ low: [], became: false })

    const restarted = new DeviceWatchList()
    restarted.seed('dev-c', 'home-3', 'sensor', 80, T0) // the registry's last battery says fine
    restarted.mayHaveLowBattery('home-3') // but a low-battery alert is open
    expect(restarted.setBattery('dev-c', 'home-3', 'sensor', 80, T0)).toEqual({ low: [], became: false })
    expect(restarted.setBattery('dev-c', 'home-3', 'sensor', 80, T0)).toBeNull()
  })
})
