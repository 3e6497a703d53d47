// Builds the front end into static files for hartslag-web:
//   node build.mjs [--outdir DIR]     (default: dist)
// app-<hash>.js (TypeScript bundled and minified), app-<hash>.css (NL Design
// System CSS and the theme, bundled), index.html naming them, and a .gz
// beside each that hartslag-web sends to browsers that take gzip. A file
// named by its content's hash can be cached for good; index.html never is.
// Prints what a phone downloads, compressed, against the 250 kB budget.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

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

let total = 0;
for (const file of ["index.html", names.js, names.css]) {
  const bytes = readFileSync(join(outdir, file));
  const compressed = gzipSync(bytes, { level: 9 });
  writeFileSync(join(outdir, `${file}.gz`), compressed);
  total += compressed.length;
  console.log(`${file}: ${bytes.length} bytes, ${compressed.length} gzip`);
}
console.log(`front end: ${total} bytes gzip (budget ${kBudget})`);
if (total > kBudget) {
  console.error("over the budget of 250 kB compressed");
  process.exit(1);
}
