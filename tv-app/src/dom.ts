// The few DOM types the app uses, declared here instead of pulling TypeScript's "dom" lib into the whole
// repository's program (it would change the types of setTimeout & co. for the gateway's Node code).
// `document` and `window` are module-scoped ambient declarations: esbuild emits plain global accesses.
export interface Rect { left: number, top: number, right: number, bottom: number, width: number, height: number }
export interface El {
  tagName: string
  className: string
  textContent: string | null
  innerHTML: string
  hidden: boolean
  style: { [prop: string]: string }
  parentNode: El | null
  firstChild: El | null
  scrollTop: number
  scrollHeight: number
  clientHeight: number
  appendChild (child: El): El
  removeChild (child: El): El
  setAttribute (name: string, value: string): void
  getAttribute (name: string): string | null
  removeAttribute (name: string): void
  hasAttribute (name: string): boolean
  querySelector (sel: string): El | null
  querySelectorAll (sel: string): { length: number, [i: number]: El }
  getBoundingClientRect (): Rect
  focus (): void
  contains (other: El): boolean
}
export interface KeyEvt { keyCode: number, key?: string, target: El | null, preventDefault (): void }
export interface Xhr {
  readyState: number
  status: number
  responseText: string
  timeout: number
  onreadystatechange: (() => void) | null
  open (method: string, url: string, async: boolean): void
  setRequestHeader (name: string, value: string): void
  send (body?: string | null): void
  abort (): void
}
export interface Es {
  onopen: (() => void) | null
  onerror: (() => void) | null
  addEventListener (name: string, fn: (e: { data: string, lastEventId?: string }) => void): void
  close (): void
}
export interface Storage { getItem (k: string): string | null, setItem (k: string, v: string): void, removeItem (k: string): void }
interface Doc {
  body: El
  documentElement: El
  activeElement: El | null
  getElementById (id: string): El | null
  createElement (tag: string): El
  createTextNode (text: string): El
  addEventListener (name: string, fn: (e: KeyEvt) => void, capture?: boolean): void
}
interface Win {
  innerHeight: number
  innerWidth: number
  location: { search: string }
  localStorage?: Storage
  XMLHttpRequest: new () => Xhr
  EventSource?: new (url: string) => Es
  addEventListener (name: string, fn: () => void): void
  anjuKey?: (name: string) => void
}
declare const document: Doc
declare const window: Win
// Guarded so the pure modules can be unit-tested in Node, where neither exists.
export const doc: Doc = typeof document !== 'undefined' ? document : (null as unknown as Doc)
export const win: Win = typeof window !== 'undefined' ? window : (null as unknown as Win)

type Child = El | string | null | undefined | false
export type Attrs = { [name: string]: string | number | boolean | null | undefined }

/** Creates an element; `class` and `data-*` are plain attributes, false/null attributes are left off. */
export function h (tag: string, attrs?: Attrs | null, children?: Child[] | string): El {
  const el = doc.createElement(tag)
  if (attrs) {
    for (const k in attrs) {
      const v = attrs[k]
      if (v === null || v === undefined || v === false) continue
      el.setAttribute(k, v === true ? '' : String(v))
    }
  }
  if (typeof children === 'string') el.textContent = children
  else if (children) {
    for (let i = 0; i < children.length; i++) {
      const c = children[i]
      if (c === null || c === undefined || c === false) continue
      el.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c)
    }
  }
  return el
}

/** Drops every child: re-rendering replaces content rather than accumulating nodes. */
export function clear (el: El): void {
  while (el.firstChild) el.removeChild(el.firstChild)
}

export function byId (id: string): El | null { return doc.getElementById(id) }
