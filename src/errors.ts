// One catalogue of error codes for the HTTP API and the CLI. Messages here are safe to show a client.

export const ERROR_CODES = {
  NOT_FOUND: { status: 404, message: 'not found' },
  CONFLICT: { status: 409, message: 'already exists' },
  INVALID_INPUT: { status: 400, message: 'invalid input' },
  UNAUTHORIZED: { status: 401, message: 'missing or wrong admin token' },
  REFERENCED: { status: 409, message: 'still referenced by other records' },
  RATE_LIMITED: { status: 429, message: 'too many requests, try again later' },
  // TV screens (gateway/tv): a screen that gets a 401 forgets its token and shows a pairing code again.
  SCREEN_UNAUTHORIZED: { status: 401, message: 'unknown screen token' },
  SCREEN_REVOKED: { status: 401, message: 'this screen was revoked' },
  HOUSEHOLD_ONLY: { status: 403, message: 'only a screen paired to a household can do this' },
  PAIRING_CODE_NOT_FOUND: { status: 404, message: 'no screen is showing this pairing code (it may have expired)' }
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class AnjuError extends Error {
  readonly status: number
  constructor (readonly code: ErrorCode, detail?: string) {
    super(detail ?? ERROR_CODES[code].message)
    this.name = 'AnjuError'
    this.status = ERROR_CODES[code].status
  }
}
