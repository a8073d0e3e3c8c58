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
  PAIRING_CODE_NOT_FOUND: { status: 404, message: 'no screen is showing this pairing code (it may have expired)' },
  // Console accounts (gateway/console/auth). One answer for unknown user, wrong password and disabled
  // account, so the login cannot be used to probe which usernames exist.
  BAD_CREDENTIALS: { status: 401, message: 'wrong username or password' },
  NOT_SIGNED_IN: { status: 401, message: 'sign in first (no session or it expired)' },
  FORBIDDEN: { status: 403, message: 'not allowed for your role or scope' },
  CSRF: { status: 403, message: 'missing or wrong x-csrf-token header' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: 'change your one-time password first' },
  WEAK_PASSWORD: { status: 400, message: 'password too weak: at least 10 characters and not the username' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send content-type: application/json' },
  // The admin node of a cluster acting on an alert without a way to the workers (gateway/cluster/admin-node.ts).
  CLUSTER_UNREACHABLE: { status: 503, message: 'the cluster\'s workers cannot be reached from this gateway' }
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
