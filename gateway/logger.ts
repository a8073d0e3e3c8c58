// Structured logs (pino). Secrets and personal data never reach a log line: the redact list is the
// safety net; the code logs ids, never names, phones or payloads.
import { pino, type Logger } from 'pino'

export type { Logger }

export const REDACT_PATHS = [
  'password', 'secret', 'token', 'adminToken', 'authorization',
  '*.password', '*.secret', '*.token', '*.adminToken', '*.authorization',
  'req.headers.authorization', 'req.headers.cookie', 'name', 'phone', '*.name', '*.phone'
]

export function createLogger (level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'anju' } }, destination as pino.DestinationStream | undefined)
}
