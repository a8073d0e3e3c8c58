// Builds the console UI in memory at gateway start: esbuild bundles app/src (preact + htm) to one
// minified ES2019 file — office PCs and phones run evergreen browsers, so no ES5 lowering as for the TV.
// The CSS is a separate file, not inlined, so the CSP can forbid inline styles as well as inline scripts.
// Nothing is written to disk.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import * as esbuild from 'esbuild'

export interface ConsoleAppBuild {
  html: string
  js: string
  css: string
  /** Short content hashes, used as cache-busting queries (?v=). */
  jsHash: string
  cssHash: string
}

const SRC = new URL('./src/', import.meta.url)

function hash (s: string): string { return createHash('sha256').update(s).digest('hex').slice(0, 12) }

export async function buildConsoleApp (): Promise<ConsoleAppBuild> {
  const bundled = await esbuild.build({
    entryPoints: [new URL('main.ts', SRC).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2019',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent'
  })
  const js = bundled.outputFiles[0]?.text ?? ''
  const css = (await esbuild.transform(readFileSync(new URL('styles.css', SRC), 'utf8'), { loader: 'css', minify: true, target: 'chrome80' })).code
  const jsHash = hash(js)
  const cssHash = hash(css)
  // A static skeleton so a slow phone shows something before app.js runs; <noscript> for the rest.
  const html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>安居 · 管理后台</title>' +
    '<link rel="stylesheet" href="app.css?v=' + cssHash + '"></head><body>' +
    '<div id="app"><p class="loading">正在加载…</p></div><noscript>请启用 JavaScript 后使用管理后台。</noscript>' +
    '<script src="app.js?v=' + jsHash + '" defer></script></body></html>'
  return { html, js, css, jsHash, cssHash }
}
