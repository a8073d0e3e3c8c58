// The canonical form a published statement is hashed in. Per village, each published statement's
// content_hash = sha256(canonical(statement, entries, prevHash)) and prevHash is the previous one's
// content_hash, so changing, inserting or removing anything already shown breaks the chain from there on
// (the villagers' supervisors — 村务监督委员会 — can re-check it at any time).
import type { FinanceEntry } from './finance-logic.ts'

export interface HashedStatement {
  id: string
  villageId: string
  periodKind: string
  periodStart: string
  periodEnd: string
  title: string
  revision: number
  supersedesId: string | null
  correctionReason: string | null
  createdBy: string
  reviewedBy: string
  reviewedAt: number
  publishedAt: number
}

/** JSON with object keys sorted at every level and no whitespace: one byte string per content. */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

/**
 * What is hashed. Status is left out on purpose: a published revision later becomes 'superseded'
 * without its content changing. `v` versions the form itself.
 */
export function canonicalStatement (s: HashedStatement, entries: readonly FinanceEntry[], prevHash: string | null): string {
  return canonicalJson({ v: 1, statement: s, entries: [...entries].sort((a, b) => a.seq - b.seq), prevHash })
}
