// Spatial navigation by geometry: the remote's arrows move to the nearest focusable element in that
// direction, so layouts need no hand-written focus maps. Focus is real DOM focus (document.activeElement).
import { doc, type El, type Rect } from './dom.ts'

export type Dir = 'up' | 'down' | 'left' | 'right'

/**
 * Index of the best candidate from `from` towards `dir`, or -1. Candidates must lie beyond the current
 * element's edge in that direction; the score favours the ones that overlap it on the cross axis
 * (a column or row), then the nearest, so a long list is walked in order and a 2×2 grid moves like one.
 */
export function pickNext (from: Rect, cands: Rect[], dir: Dir): number {
  let best = -1
  let bestScore = Infinity
  const fx = (from.left + from.right) / 2
  const fy = (from.top + from.bottom) / 2
  const vertical = dir === 'up' || dir === 'down'
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i] as Rect
    const cx = (c.left + c.right) / 2
    const cy = (c.top + c.bottom) / 2
    // Truly beyond in that direction: its centre is past ours and its near edge starts past our near
    // edge (a full-width row above is not "to the right" of a button, however far right its centre is).
    const beyond = dir === 'down' ? cy > fy + 1 && c.top > from.top + 1
      : dir === 'up' ? cy < fy - 1 && c.bottom < from.bottom - 1
        : dir === 'right' ? cx > fx + 1 && c.left > from.left + 1
          : cx < fx - 1 && c.right < from.right - 1
    if (!beyond) continue
    const gap = Math.max(0, dir === 'down' ? c.top - from.bottom : dir === 'up' ? from.top - c.bottom : dir === 'right' ? c.left - from.right : from.left - c.right)
    const overlap = vertical ? Math.min(from.right, c.right) - Math.max(from.left, c.left) : Math.min(from.bottom, c.bottom) - Math.max(from.top, c.top)
    const cross = vertical ? Math.abs(cx - fx) : Math.abs(cy - fy)
    // Off the row/column, only within a 45° cone: from the top-right tile, Up must not jump to a list
    // far to the right; from the end of a row, Down may still reach the button below and to the side.
    if (overlap <= 0 && cross > (vertical ? Math.abs(cy - fy) : Math.abs(cx - fx))) continue
    // Overlapping on the cross axis (same column/row) beats everything else; then nearest.
    const score = (overlap > 0 ? 0 : 100000) + gap + cross * (overlap > 0 ? 0.1 : 2)
    if (score < bestScore) { bestScore = score; best = i }
  }
  return best
}

export function focusables (root: El): El[] {
  const list = root.querySelectorAll('[data-focus]')
  const out: El[] = []
  for (let i = 0; i < list.length; i++) {
    const el = list[i] as El
    const r = el.getBoundingClientRect()
    if (r.width > 0 || r.height > 0) out.push(el)
  }
  return out
}

export function focusEl (el: El | null): boolean {
  if (!el) return false
  el.focus()
  return doc.activeElement === el
}

/** Focuses the element with data-focus=key inside root, else the first focusable; true if anything got focus. */
export function focusKey (root: El, key: string | null | undefined): boolean {
  const all = focusables(root)
  if (key) {
    for (let i = 0; i < all.length; i++) if ((all[i] as El).getAttribute('data-focus') === key) return focusEl(all[i] as El)
  }
  return focusEl(all[0] || null)
}

/** Scrollable boxes (data-scroll) take up/down first, by most of a screen, until they reach an end. */
function scrollWithin (el: El, dir: Dir): boolean {
  if (!el.hasAttribute('data-scroll') || (dir !== 'up' && dir !== 'down')) return false
  const step = Math.max(40, Math.floor(el.clientHeight * 0.7))
  const before = el.scrollTop
  const max = el.scrollHeight - el.clientHeight
  if (dir === 'down' && before < max - 1) el.scrollTop = Math.min(max, before + step)
  else if (dir === 'up' && before > 0) el.scrollTop = Math.max(0, before - step)
  return el.scrollTop !== before
}

/** Moves focus within root; stays put at an edge (never loses focus). */
export function moveFocus (root: El, dir: Dir): void {
  const cur = doc.activeElement
  const all = focusables(root)
  if (!cur || all.indexOf(cur) < 0) { focusEl(all[0] || null); return }
  if (scrollWithin(cur, dir)) return
  const others = all.filter((el) => el !== cur)
  const i = pickNext(cur.getBoundingClientRect(), others.map((el) => el.getBoundingClientRect()), dir)
  if (i >= 0) focusEl(others[i] as El)
}
