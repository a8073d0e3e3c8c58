// A small seeded PRNG so that the same --seed gives the same village and the same events on every
// machine. Math.random cannot be seeded; a cryptographic generator would be overkill for a simulator.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, passes gjrand/PractRand to 2^32 outputs,
 * which is far more than one simulated home draws.
 */
export function mulberry32 (seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * Derive an independent seed for a named stream, e.g. ("home", 3, "day", 12). Each home and day draws
 * from its own stream, so the events of home 3 on day 12 do not depend on how many other homes were
 * simulated or in which order (what makes sharding across worker processes possible). FNV-1a 32-bit.
 */
export function deriveSeed (seed: number, ...labels: Array<string | number>): number {
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (const ch of labels.join('\u0000')) {
    h ^= ch.codePointAt(0) as number
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function rngFor (seed: number, ...labels: Array<string | number>): Random {
  return mulberry32(deriveSeed(seed, ...labels))
}

/** Uniform in [min, max). */
export const uniform = (rnd: Random, min: number, max: number): number => min + (max - min) * rnd()

/** Integer uniform in [min, max]. */
export const int = (rnd: Random, min: number, max: number): number => Math.floor(uniform(rnd, min, max + 1))

export const chance = (rnd: Random, p: number): boolean => rnd() < p

export function pick<T> (rnd: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list')
  return items[Math.floor(rnd() * items.length)] as T
}

/** Normal distribution (Box–Muller), clamped to [min, max] so a tail draw cannot make a 3 a.m. breakfast. */
export function normal (rnd: Random, mean: number, sd: number, min = -Infinity, max = Infinity): number {
  const u = 1 - rnd() // (0, 1]: log(0) would be -Infinity
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd())
  return Math.min(max, Math.max(min, mean + sd * z))
}

/** Poisson-distributed count (Knuth), for small means such as night-time bathroom trips. */
export function poisson (rnd: Random, mean: number): number {
  const limit = Math.exp(-mean)
  let k = 0
  let p = rnd()
  while (p > limit) { k++; p *= rnd() }
  return k
}

/** Fisher–Yates shuffle into a new array. */
export function shuffled<T> (rnd: Random, items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
