// Builds the front end into static files for hartslag-web:
//   node build.mjs [--outdir DIR]     (default: dist)
// app-<hash>.js (TypeScript bundled and minified), chunk-<hash>.js (the desk
// roles' screens, split off and loaded when first opened: see main.ts
// lazy()), app-<hash>.css (NL Design System CSS and the theme, bundled) and
// index.html naming them. A file named by its content's hash can be cached
// for good; index.html never is. Prints what a phone downloads for the
// signal form, compressed as hartslag-web sends it (gzip or brotli), and
// fails above the budget of 250 kB; and what the other screens add.
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
const chunks = [];  // loaded when a screen is first opened
const startup = [];  // loaded with the page
for (const entry of ["src/main.ts", "src/styles.css"]) {
  const result = await build({
    entryPoints: { app: join(here, entry) },
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    splitting: entry.endsWith(".ts"),
    chunkNames: "chunk-[hash]",
    target: ["es2020"],
    outdir,
    absWorkingDir: here,  // the metafile's paths are relative to it, whatever the caller's directory
    metafile: true,
    logLevel: "warning",
  });
  const outputs = result.metafile.outputs;
  for (const [output, meta] of Object.entries(outputs)) {
    // The screens split off are entry points too (of their import()).
    if (meta.entryPoint !== entry) continue;
    names[output.split(".").pop()] = basename(output);
    // What the page loads with the entry: the chunks it imports statically
    // (code it shares with the split-off screens), and theirs.
    const pending = [output];
    while (pending.length) {
      for (const i of outputs[pending.pop()].imports) {
        if (i.kind !== "import-statement" || !outputs[i.path] || startup.includes(basename(i.path))) continue;
        startup.push(basename(i.path));
        pending.push(i.path);
      }
    }
  }
  for (const output of Object.keys(outputs)) {
    if (output.endsWith(".js") && outputs[output].entryPoint !== entry && !startup.includes(basename(output))) chunks.push(basename(output));
  }
}
const page = readFileSync(join(here, "src/index.html"), "utf8").replace('href="app.css"', `href="${names.css}"`).replace('src="app.js"', `src="${names.js}"`);
writeFileSync(join(outdir, "index.html"), page);

// Measured with gzip at zlib's default level, as hartslag-web's httplib
// compresses; browsers that take brotli get less.
let total = 0;
let brotli = 0;
for (const file of ["index.html", names.js, ...startup, names.css]) {
  const bytes = readFileSync(join(outdir, file));
  const gzipped = gzipSync(bytes).length;
  total += gzipped;
  brotli += brotliCompressSync(bytes).length;
  console.log(`${file}: ${bytes.length} bytes, ${gzipped} gzip`);
}
console.log(`front end for the signal form: ${total} bytes gzip, ${brotli} brotli (budget ${kBudget})`);
const split = chunks.reduce((sum, file) => sum + gzipSync(readFileSync(join(outdir, file))).length, 0);
console.log(`the other screens' ${chunks.length} chunks, loaded when opened: ${split} bytes gzip`);
if (total > kBudget) {
  console.error("over the budget of 250 kB compressed");
  process.exit(1);
}
