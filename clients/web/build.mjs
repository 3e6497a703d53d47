// Builds the front end into static files for hartslag-web:
//   node build.mjs [--outdir DIR]     (default: dist)
// app-<hash>.js (TypeScript bundled and minified), app-<hash>.css (NL Design
// System CSS and the theme, bundled) and index.html naming them. A file named
// by its content's hash can be cached for good; index.html never is.
// Prints what a phone downloads, compressed as hartslag-web sends it (gzip or
// brotli), and fails above the budget of 250 kB.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--outdir");
const outdir = flag > 0 ? process.argv[flag + 1] : join(here, "dist");
const kBudget = 250 * 1024;

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const names = {};
for (const entry of ["src/main.ts", "src/styles.css"]) {
  const result = await build({
    entryPoints: { app: join(here, entry) },
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020"],
    outdir,
    metafile: true,
    logLevel: "warning",
  });
  for (const output of Object.keys(result.metafile.outputs)) names[output.split(".").pop()] = basename(output);
}
const page = readFileSync(join(here, "src/index.html"), "utf8").replace('href="app.css"', `href="${names.css}"`).replace('src="app.js"', `src="${names.js}"`);
writeFileSync(join(outdir, "index.html"), page);

// Measured with gzip at zlib's default level, as hartslag-web's httplib
// compresses; browsers that take brotli get less.
let total = 0;
let brotli = 0;
for (const file of ["index.html", names.js, names.css]) {
  const bytes = readFileSync(join(outdir, file));
  const gzipped = gzipSync(bytes).length;
  total += gzipped;
  brotli += brotliCompressSync(bytes).length;
  console.log(`${file}: ${bytes.length} bytes, ${gzipped} gzip`);
}
console.log(`front end: ${total} bytes gzip, ${brotli} brotli (budget ${kBudget})`);
if (total > kBudget) {
  console.error("over the budget of 250 kB compressed");
  process.exit(1);
}
