// One catalogue of error codes for the HTTP API and the CLI. Messages here are safe to show a client.

export const ERROR_CODES = {
  NOT_FOUND: { status: 404, message: 'not found' },
  CONFLICT: { status: 409, message: 'already exists' },
  INVALID_INPUT: { status: 400, message: 'invalid input' },
  UNAUTHORIZED: { status: 401, message: 'missing or wrong admin token' },
  REFERENCED: { status: 409, message: 'still referenced by other records' }
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
