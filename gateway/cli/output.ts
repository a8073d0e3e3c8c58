// Printing for the CLI: JSON for scripts, plain aligned text for people. No table library: a clerk's
// terminal needs columns padded by *display* width, because a Chinese character takes two cells.

/** Terminal cells a code point takes: 2 for East Asian wide/fullwidth (Unicode UAX #11), else 1. */
function cellWidth (cp: number): number {
  const wide = (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) || (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  return wide ? 2 : 1
}

export function displayWidth (text: string): number {
  let width = 0
  for (const ch of text) width += cellWidth(ch.codePointAt(0) as number)
  return width
}

/** Names and labels are typed by people: never let one carry terminal escape sequences to the screen. */
export function clean (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

export interface Column<T> {
  header: string
  value: (row: T) => string | number | null | undefined
  align?: 'left' | 'right'
}

const cell = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : clean(String(v)))

function pad (text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)))
  return align === 'right' ? fill + text : text + fill
}

/** Rows as aligned columns under a header; `empty` is printed instead when there are no rows. */
export function table<T> (rows: readonly T[], columns: Column<T>[], empty: string): string {
  if (rows.length === 0) return empty
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))))
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i] as string))))
  const line = (values: string[]): string =>
    values.map((v, i) => pad(v, widths[i] as number, columns[i]?.align ?? 'left')).join('  ').trimEnd()
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n')
}

/** A record as `key  value` lines, keys aligned. */
export function keyValues (pairs: Array<[string, string | number | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => displayWidth(k)))
  return pairs.map(([k, v]) => `  ${pad(k, width, 'left')}  ${cell(v)}`).join('\n')
}

const two = (n: number): string => String(n).padStart(2, '0')

/** Local time, to the second: what a clerk compares with the clock on the wall. */
export function formatTime (ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-'
  const d = new Date(ms)
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

export function printJson (value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

export function print (text: string): void {
  process.stdout.write(text + '\n')
}

/** Notes for people go to stderr, so `--json` output on stdout stays parseable. */
export function note (text: string): void {
  process.stderr.write(text + '\n')
}
