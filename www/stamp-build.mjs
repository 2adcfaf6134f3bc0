// Trunk post_build hook: makes the staged build safe to cache and to lock down.
//
// 1. Versions the worker: Trunk names the worker's files without a content
//    hash, so a service worker could pair an old page with a new worker. They
//    are renamed with the build's hash, and the page learns the name from a
//    <meta name="crystal-atlas-build"> tag.
// 2. Adds the SHA-256 of Trunk's inline loader script to the
//    Content-Security-Policy, so no other inline script can run.
// 3. Writes the build's version and file list into the service worker.
// The map worker's threaded build, when scripts/build-threaded-worker made one,
// is versioned like the worker and named in <meta name="crystal-atlas-threads">.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("stamp-build: TRUNK_STAGING_DIR is not set; run this as a Trunk hook");
  process.exit(1);
}

function files(root) {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const hash = createHash("sha256");
for (const path of files(dir).sort()) {
  hash.update(relative(dir, path));
  hash.update(readFileSync(path));
}
const build = hash.digest("hex").slice(0, 16);

const worker = `worker-${build}`;
renameSync(join(dir, "worker.js"), join(dir, `${worker}.js`));
renameSync(join(dir, "worker_bg.wasm"), join(dir, `${worker}_bg.wasm`));
renameSync(join(dir, "worker_loader.js"), join(dir, `${worker}_loader.js`));
writeFileSync(
  join(dir, `${worker}_loader.js`),
  `importScripts("./${worker}.js");wasm_bindgen("./${worker}_bg.wasm");\n`,
);
// The map worker's threaded build (scripts/build-threaded-worker), when there
// is one: the page then learns its name from <meta name="crystal-atlas-threads">.
const threaded = existsSync(join(dir, "worker_mt.js"));
if (threaded) {
  const mt = `worker_mt-${build}`;
  renameSync(join(dir, "worker_mt.js"), join(dir, `${mt}.js`));
  renameSync(join(dir, "worker_mt_bg.wasm"), join(dir, `${mt}_bg.wasm`));
  writeFileSync(join(dir, `${mt}_loader.js`), `importScripts("./${mt}.js");wasm_bindgen("./${mt}_bg.wasm");\n`);
}

const indexPath = join(dir, "index.html");
let index = readFileSync(indexPath, "utf8");
const inline = [...index.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const hashes = inline.map((body) => `'sha256-${createHash("sha256").update(body).digest("base64")}'`);
if (!index.includes("__INLINE_SCRIPT_HASHES__")) {
  console.error("stamp-build: index.html lacks the __INLINE_SCRIPT_HASHES__ placeholder in its CSP");
  process.exit(1);
}
index = index.replace("__INLINE_SCRIPT_HASHES__", hashes.join(" "));
index = index.replace(
  "<head>",
  `<head>\n  <meta name="crystal-atlas-build" content="${build}">` +
    (threaded ? `\n  <meta name="crystal-atlas-threads" content="worker_mt-${build}">` : ""),
);
writeFileSync(indexPath, index);

const swPath = join(dir, "sw.js");
const assets = ["./", ...files(dir).map((p) => "./" + relative(dir, p).split(sep).join("/")).filter((p) => p !== "./sw.js")].sort();
let sw = readFileSync(swPath, "utf8");
sw = sw.replace("__BUILD__", build).replace("__ASSETS__", JSON.stringify(assets, null, 1));
writeFileSync(swPath, sw);
console.log(
  `stamp-build: build ${build}, ${assets.length} files, ${hashes.length} inline script(s) hashed` +
    (threaded ? ", threaded map worker" : ", no threaded map worker"),
);
