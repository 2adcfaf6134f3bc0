// The page's budgets, measured on the release build (dist/) in headless
// Chromium served from a local static server under a sub-path:
//   - bytes a first visit downloads before the first map is finished, raw and
//     gzipped (GitHub Pages serves gzip), and everything in dist/ for scale;
//   - when the binary row of Table 2 and the first finished map appear,
//     in milliseconds after the page began loading (the page's own debug
//     panel, performance.now()), on first visits (fresh browser contexts)
//     and on returning visits (one context, files served with GitHub
//     Pages' "max-age=600", so the browser reuses them and its compiled
//     wasm);
//   - redraws during one second of drag + wheel over the default map.
// Usage: node scripts/bench_page.mjs [RUNS]   (default 5)
import { readdir, readFile, stat } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launch, panAndZoom, serve } from "../tests/e2e/harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const runs = Number(process.argv[2] ?? 5);
if (!(await stat(join(dist, "index.html")).catch(() => null))) {
  console.error("bench-page: dist/index.html is missing; run `trunk build --release` first");
  process.exit(2);
}

async function files(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const mb = (n) => (n / 1e6).toFixed(2) + " MB";

const { server, url } = await serve(dist, "/crystal-atlas/", "max-age=600");
const browser = await launch();
const times = { counts: [], firstLayout: [], firstMap: [] };
const again = { counts: [], firstLayout: [], firstMap: [] };

/// Loads the page and waits for Table 2's binary row and the first finished map.
async function load(page, into) {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const d = document.querySelector("#debug");
      return d?.dataset.firstMapMs && d?.dataset.binaryCountsMs;
    },
    null,
    { timeout: 60_000 },
  );
  const d = await page.evaluate(() => ({ ...document.querySelector("#debug").dataset }));
  into.counts.push(Number(d.binaryCountsMs));
  into.firstLayout.push(Number(d.firstLayoutMs));
  into.firstMap.push(Number(d.firstMapMs));
}
const loaded = new Map();
let pan = null;
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: "block" });
  await context.addInitScript(() => localStorage.setItem("crystal-atlas-tour", "done"));
  const page = await context.newPage();
  if (run === 0) {
    page.on("requestfinished", (request) => {
      const path = new URL(request.url()).pathname.replace(/^\/crystal-atlas\//, "");
      loaded.set(path || "index.html", true);
    });
  }
  await load(page, times);
  if (run === runs - 1) {
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    pan = await panAndZoom(page);
  }
  await context.close();
}
{
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: "block" });
  await context.addInitScript(() => localStorage.setItem("crystal-atlas-tour", "done"));
  const page = await context.newPage();
  await load(page, { counts: [], firstLayout: [], firstMap: [] });
  for (let run = 0; run < runs; run++) {
    await page.goto("about:blank");
    // Chromium stores the optimised wasm code a little after a visit.
    await page.waitForTimeout(1500);
    await load(page, again);
  }
  await context.close();
}
await browser.close();
server.close();

let firstRaw = 0, firstGz = 0, allRaw = 0, allGz = 0;
const rows = [];
for (const path of await files(dist)) {
  const rel = path.slice(dist.length + 1);
  const bytes = await readFile(path);
  const z = gz(bytes);
  allRaw += bytes.length;
  allGz += z;
  if (loaded.has(rel)) {
    firstRaw += bytes.length;
    firstGz += z;
    rows.push([rel, bytes.length, z]);
  }
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]} ms (${s[0]}-${s[s.length - 1]})`;
};
console.log(`bench-page: dist/ (trunk build --release), headless Chromium, ${runs} fresh loads`);
console.log("\nfirst visit downloads (to the first finished map):");
for (const [rel, raw, z] of rows.sort((a, b) => b[2] - a[2])) {
  console.log(`  ${rel.padEnd(44)} ${String(raw).padStart(9)} B  gzip ${String(z).padStart(8)} B`);
}
console.log(`  total: ${mb(firstRaw)}, gzipped ${mb(firstGz)}   (budget: wasm + data under 2 MB gzipped)`);
console.log(`  all of dist/ (with data fetched on demand: OQMD, AFLOW, other embeddings): ${mb(allRaw)}, gzipped ${mb(allGz)}`);
console.log("\nafter the page began loading (budget: Table 2 and a first map under 2 s):");
for (const [title, t] of [["first visit", times], ["returning visit", again]]) {
  console.log(`  ${title}:`);
  console.log(`    binary row of Table 2 shown: ${stats(t.counts)}`);
  console.log(`    first layout on screen:      ${stats(t.firstLayout)}`);
  console.log(`    first finished map:          ${stats(t.firstMap)}`);
}
console.log(
  `\npan + zoom for 1 s over ${pan.points} points: ${pan.draws} redraws in ${pan.ms.toFixed(0)} ms ` +
    `(${((pan.draws * 1000) / pan.ms).toFixed(0)} per second); last draw ${pan.last} ms, slowest ${pan.slowest} ms ` +
    "(budget: 60 per second, a draw under 16 ms)",
);
