// Errors of the TV API and screen pairing. The HTTP error handler sends any error with a 4xx
// `statusCode` as {error: code, message}; these codes belong in src/errors.ts's catalogue (not this
// module's file to edit), where they should move.
export const TV_ERRORS = {
  /** No or an unknown screen token where one is needed; the screen re-pairs. */
  SCREEN_UNAUTHORIZED: 401,
  /** The screen was revoked by staff; the screen goes back to pairing. */
  SCREEN_REVOKED: 401,
  /** A household action from a screen not paired to a household. */
  HOUSEHOLD_ONLY: 403,
  PAIRING_CODE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  INVALID_INPUT: 400
} as const

export type TvErrorCode = keyof typeof TV_ERRORS

export class TvError extends Error {
  readonly statusCode: number
  constructor (readonly code: TvErrorCode, message: string) {
    super(message)
    this.name = 'TvError'
    this.statusCode = TV_ERRORS[code]
  }
}
