// The whole binary space on one map (#k=all: 225,879 compositions) in the
// page: seconds from navigation to the finished map for each reducer asked
// for, the stages seen on the way, the peak resident memory of Chromium's
// renderer processes, and pan + zoom redraws per second over the finished
// map. The native CLI's time for the same map is printed beside it by
// scripts/bench-whole-space. Each map is made twice when the build has the
// threaded map worker: served plainly (one thread) and cross-origin isolated
// (the map worker's threads), with whether the two layouts are the same bits.
// Usage: node scripts/bench_whole_space.mjs [--k N] [pca] [umap] [tsne]
//   --k N maps a sample of N per category instead (3000: the page's usual
//   12,000-point map; its reference tools run in scripts/bench-reduce).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ISOLATION, launch, panAndZoom, serve } from "../tests/e2e/harness.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// --k N: a sample of N per category instead of the whole space (seed 7, so the
// page computes the map rather than showing the shipped default one).
const args = process.argv.slice(2);
const kAt = args.indexOf("--k");
const k = kAt >= 0 ? Number(args.splice(kAt, 2)[1]) : null;
if (k !== null && !(k >= 1)) {
  console.error("bench_whole_space: --k takes a number of samples per category, e.g. --k 3000");
  process.exit(2);
}
const methods = args.length ? args : ["pca", "umap"];
const fragment = (method) => (k === null ? `#k=all&red=${method}` : `#k=${k}&seed=7&red=${method}`);
const leastPoints = k === null ? 200000 : 1;
const titles = { pca: "PCA", umap: "UMAP", tsne: "t-SNE" };

/** Resident memory of Chromium's renderer processes (MB), the largest one. */
function rendererMb() {
  try {
    const out = execFileSync("ps", ["-eo", "rss,args"], { encoding: "utf8" });
    return Math.max(0, ...out.split("\n").filter((l) => l.includes("--type=renderer")).map((l) => Number(l.trim().split(/\s+/)[0]) / 1024));
  } catch {
    return NaN;
  }
}

const plain = await serve(join(root, "dist"));
const isolated = await serve(join(root, "dist"), "/crystal-atlas/", "no-cache", ISOLATION);
const threaded = readFileSync(join(root, "dist", "index.html"), "utf8").includes("crystal-atlas-threads");
const runs = [["served plainly", plain.url]];
if (threaded) runs.push(["cross-origin isolated", isolated.url]);
else console.log("(this build has no threaded map worker: one thread only)");
const browser = await launch();
for (const method of methods) for (const [how, url] of runs) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => localStorage.setItem("crystal-atlas-tour", "done"));
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url + fragment(method));
  let peak = 0;
  const stages = [];
  const watch = setInterval(async () => {
    peak = Math.max(peak, rendererMb());
    const text = (await page.textContent("#map-status-text").catch(() => "")) ?? "";
    const stage = text.replace(/, epoch \d+ of \d+|\d+%|\(.*?\)/g, "").trim();
    if (stage && stages.at(-1)?.stage !== stage) stages.push({ stage, at: (Date.now() - t0) / 1000 });
  }, 500);
  await page.waitForFunction(
    ([m, least]) => {
      const c = document.querySelector("#map");
      return c?.dataset.final === "true" && c.dataset.method === m && Number(c.dataset.drawnPoints) >= least;
    },
    [titles[method], leastPoints],
    { timeout: 900_000, polling: 200 },
  );
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(watch);
  peak = Math.max(peak, rendererMb());
  const points = await page.getAttribute("#map", "data-drawn-points");
  const renderer = await page.getAttribute("#map", "data-renderer");
  const threads = await page.getAttribute("#debug", "data-map-threads");
  const hash = await page.getAttribute("#map", "data-layout-hash");
  const frames = await panAndZoom(page);
  const what = k === null ? `all ${Number(points).toLocaleString("en")} binaries` : `${Number(points).toLocaleString("en")} binaries (k=${k})`;
  console.log(`${titles[method]} of ${what}, ${how}, map worker on ${threads} thread(s): finished ${seconds.toFixed(1)} s after navigation; renderer peak ${peak.toFixed(0)} MB; layout ${hash}`);
  console.log(`  stages: ${stages.map((s) => `${s.stage} at ${s.at.toFixed(0)} s`).join("; ")}`);
  console.log(`  pan + zoom (${renderer}): ${frames.draws} redraws in ${frames.ms.toFixed(0)} ms (${Math.round((frames.draws * 1000) / frames.ms)} per second); last draw ${frames.last.toFixed(1)} ms`);
  await context.close();
}
await browser.close();
plain.server.close();
isolated.server.close();
