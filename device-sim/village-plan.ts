// The simulated village as data: which homes, who lives there, which rooms have a sensor, which homes
// have a Zigbee2MQTT hub instead of native sensors. Pure and seeded, so provisioning and a later run
// from a devices file agree on every home's person without storing the person anywhere.
import { drawProfile, type PersonProfile, type Room } from './routine.ts'
import { int, pick, rngFor, shuffled, type Random } from './prng.ts'

/**
 * Sensor placement by priority: a single-sensor home gets the living room (where most waking hours
 * are spent), then the bedroom (getting up), the bathroom (where falls happen), the kitchen (meals).
 */
export const ROOM_PRIORITY: readonly Room[] = ['living_room', 'bedroom', 'bathroom', 'kitchen']

/** Zigbee2MQTT friendly name of the hub sensor in a room, e.g. `bedroom_pir`. */
export const friendlyName = (room: Room): string => `${room}_pir`

export const roomOfFriendlyName = (name: string): Room | undefined =>
  ROOM_PRIORITY.find((room) => friendlyName(room) === name)

export interface HomePlan {
  index: number
  /** A house number, never the resident's name (the registry's rule for labels). */
  label: string
  gridIndex: number
  resident: { name: string, birthYear: number }
  family: { name: string, phone: string }
  rooms: Room[]
  hub: boolean
}

export interface VillagePlanInput {
  seed: number
  homes: number
  /** Fraction of homes with a Zigbee2MQTT hub instead of native sensors. */
  hubRatio: number
  grids: number
  /** Prefix of house labels, e.g. "山下庄" → "山下庄 3号". */
  labelPrefix: string
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '林', '何']
// Given names common among villagers born in the 1930s-50s.
const ELDER_NAMES = ['桂英', '秀英', '玉兰', '凤英', '秀兰', '德明', '志强', '国华', '阿根', '金花', '长生', '根娣', '福林', '杏娣', '永昌', '菊芳']
const CHILD_NAMES = ['建国', '建军', '丽华', '海燕', '伟', '军', '敏', '静', '磊', '芳', '勇', '红']

/** Sensors per home: most homes have two or three; the brief's range is one to four. */
function sensorCount (rnd: Random): number {
  const r = rnd()
  return r < 0.15 ? 1 : r < 0.5 ? 2 : r < 0.8 ? 3 : 4
}

/** The person living in home `index`: their habits, from the seed alone. */
export function profileFor (seed: number, index: number): PersonProfile {
  return drawProfile(rngFor(seed, 'profile', index))
}

export function planVillage (input: VillagePlanInput): HomePlan[] {
  if (!Number.isInteger(input.homes) || input.homes < 0) throw new Error(`homes must be a whole number >= 0, got ${input.homes}`)
  if (!(input.hubRatio >= 0 && input.hubRatio <= 1)) throw new Error(`hub ratio must be in 0..1, got ${input.hubRatio}`)
  // An exact number of hub homes (not a coin per home), so 3 homes at 0.3 reliably include one hub.
  const hubCount = Math.round(input.homes * input.hubRatio)
  const indices = Array.from({ length: input.homes }, (_, i) => i)
  const hubHomes = new Set(shuffled(rngFor(input.seed, 'hubs'), indices).slice(0, hubCount))
  return indices.map((index) => {
    const rnd = rngFor(input.seed, 'home', index)
    const surname = pick(rnd, SURNAMES)
    return {
      index,
      label: `${input.labelPrefix} ${index + 1}号`,
      gridIndex: index % Math.max(1, input.grids),
      resident: { name: surname + pick(rnd, ELDER_NAMES), birthYear: int(rnd, 1932, 1955) },
      // 100-xxxx is not an allocated mobile range in China: no real person gets a simulated call.
      family: { name: surname + pick(rnd, CHILD_NAMES), phone: `+86 100 0000 ${String(index).padStart(4, '0')}` },
      rooms: ROOM_PRIORITY.slice(0, sensorCount(rnd)),
      hub: hubHomes.has(index)
    }
  })
}
