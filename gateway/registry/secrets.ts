// Device secrets: 256 random bits, shown once, stored as SHA-256.
//
// Why not bcrypt/scrypt/argon2: a slow KDF protects *low-entropy* human passwords from offline guessing.
// A 256-bit random secret cannot be guessed (2^256 tries), so stretching adds no security, while it would
// cost ~100 ms of CPU per connect: 10,000 sensors reconnecting after a village power cut would queue for
// ~17 minutes on one core. SHA-256 costs ~1 µs. This is the same reasoning as API tokens elsewhere
// (GitHub, Stripe): high-entropy token + fast hash + constant-time compare.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export const SECRET_BYTES = 32

export function generateSecret (): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

export function hashSecret (secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

export function verifySecret (candidate: string | Buffer, storedHash: string): boolean {
  const actual = createHash('sha256').update(candidate).digest()
  const expected = Buffer.from(storedHash, 'hex')
  return expected.length === actual.length && timingSafeEqual(actual, expected)
}

/** Readable random ids: a prefix and 10 base32 characters (50 bits; collisions are checked on insert). */
export function newId (prefix: string): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'
  const bytes = randomBytes(10)
  let out = prefix + '-'
  for (const b of bytes) out += alphabet[b % alphabet.length]
  return out
}
