// End-to-end tests of the built page (dist/, from `trunk build --release`) in
// headless Chromium: starts a static server on a free port, runs every test
// in tests/e2e/*.test.mjs in a fresh browser context, saves a screenshot of
// each to tests/e2e/screenshots/, and exits non-zero if any test fails.
//
//   node tests/e2e/run.mjs [part of a test's name or file name]
//
// Chromium comes from the system (/usr/bin/chromium, or $CHROMIUM); this
// never downloads a browser.
import { mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ISOLATION, launch, serve } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "..", "dist");
const shots = join(here, "screenshots");
const filter = process.argv[2] ?? "";

if (!(await stat(join(dist, "index.html")).catch(() => null))) {
  console.error("tests/e2e: dist/index.html is missing; run `trunk build --release` first");
  process.exit(2);
}
await mkdir(shots, { recursive: true });

const tests = [];
for (const file of (await readdir(here)).filter((f) => f.endsWith(".test.mjs")).sort()) {
  const module = await import(pathToFileURL(join(here, file)).href);
  for (const t of module.tests) tests.push({ ...t, file });
}
const selected = tests.filter((t) => t.name.includes(filter) || t.file.includes(filter));

const { server, url } = await serve(dist);
// The same site served cross-origin isolated (as its service worker serves it).
const isolated = await serve(dist, "/crystal-atlas/", "no-cache", ISOLATION);
const browser = await launch();
let failed = 0;
for (const t of selected) {
  const context = await browser.newContext({
    viewport: t.viewport ?? { width: 1400, height: 900 },
    acceptDownloads: true,
    serviceWorkers: t.serviceWorkers ?? "block",
    // A phone: touch events and `pointer: coarse`.
    hasTouch: t.mobile ?? false,
    isMobile: t.mobile ?? false,
    // Device pixels per CSS pixel (a phone's 3, say).
    ...(t.scale ? { deviceScaleFactor: t.scale } : {}),
  });
  if (!t.tour) {
    // The guided tour greets first visits; tests other than the tour's skip it.
    await context.addInitScript(() => localStorage.setItem("crystal-atlas-tour", "done"));
  }
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const slug = t.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  const shot = (suffix = "") => page.screenshot({ path: join(shots, `${slug}${suffix}.png`), fullPage: false });
  const started = Date.now();
  try {
    await t.run({ page, context, url, isolatedUrl: isolated.url, shot });
    const unexpected = errors.filter((e) => !(t.allowErrors ?? []).some((a) => e.includes(a)));
    if (unexpected.length) throw new Error(`errors in the page: ${unexpected.join(" | ")}`);
    console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t.name} (${t.file}): ${e.stack ?? e}`);
  }
  await shot().catch(() => {});
  await context.close();
}
await browser.close();
server.close();
isolated.server.close();
console.log(`${selected.length - failed} passed, ${failed} failed; screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
