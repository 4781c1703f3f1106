// After `vite build`: a Brotli (.br) and a gzip (.gz) copy of each text asset in dist/assets/,
// which Django serves to browsers that accept them (src/project/spa.py). Compressed once at
// build time, at the highest levels, instead of at every request.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ASSETS = new URL("../dist/assets/", import.meta.url).pathname;
const TEXT = /\.(js|css|svg|json|txt|map)$/;

for (const name of await readdir(ASSETS)) {
  if (!TEXT.test(name)) continue;
  const body = await readFile(join(ASSETS, name));
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: 9 });
  await writeFile(join(ASSETS, `${name}.br`), br);
  await writeFile(join(ASSETS, `${name}.gz`), gz);
  console.log(`${name}: ${body.length} B, gzip ${gz.length} B, brotli ${br.length} B`);
}
