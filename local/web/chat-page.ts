import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { StaticFiles } from '../http/http-api-server';

/** The chat page: `index.html` and its script, bundled once at start-up from `chat.ts` and the SDK. */
export async function chatPageFiles(): Promise<StaticFiles> {
  const html = await readFile(resolve(__dirname, 'index.html'));
  const bundle = await build({
    entryPoints: [resolve(__dirname, 'chat.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const script = Buffer.from(bundle.outputFiles[0]!.contents);
  return async (path) => {
    if (path === '/' || path === '/index.html') return { contentType: 'text/html; charset=utf-8', body: html };
    if (path === '/chat.js') return { contentType: 'text/javascript; charset=utf-8', body: script };
    return undefined;
  };
}
