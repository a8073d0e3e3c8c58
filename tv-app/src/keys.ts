// Remote keys to names. Back arrives as Backspace (8), Escape (27), webOS/HbbTV Back (461) or Tizen Back
// (10009); the Android bridge calls window.anjuKey(name) with the same names.
export type KeyName = 'up' | 'down' | 'left' | 'right' | 'ok' | 'back'

const CODES: { [code: number]: KeyName } = { 37: 'left', 38: 'up', 39: 'right', 40: 'down', 13: 'ok', 8: 'back', 27: 'back', 461: 'back', 10009: 'back' }
const NAMES: { [key: string]: KeyName } = { ArrowLeft: 'left', ArrowUp: 'up', ArrowRight: 'right', ArrowDown: 'down', Enter: 'ok', Backspace: 'back', Escape: 'back', GoBack: 'back', BrowserBack: 'back' }

export function keyName (code: number, key?: string): KeyName | null {
  return CODES[code] || (key ? NAMES[key] : undefined) || null
}

export function isKeyName (name: string): name is KeyName {
  return name === 'up' || name === 'down' || name === 'left' || name === 'right' || name === 'ok' || name === 'back'
}
