// The map: drawn in the category colours, hover, search, export, shared
// links, cancelling a running reducer.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { canvasPixels, panAndZoom, pixelsDiffer, screenCensus, waitForMap } from "./harness.mjs";

export { waitForMap };

/// A category colour as drawn: alpha 215/255 over white (src/web/map_view.rs).
const onWhite = (rgb) => rgb.map((c) => Math.round((c * 215 + 255 * 40) / 255));
const PAPER = {
  standard: [0x00, 0x2f, 0xff],
  missing: [0xff, 0x12, 0x01],
  interesting: [0x22, 0xe0, 0x00],
  unlikely: [0xd9, 0xd9, 0xd9],
};

/// For each category, canvas pixels of its colour and the first such pixel (CSS px).
async function colourCensus(page) {
  const targets = Object.fromEntries(Object.entries(PAPER).map(([k, v]) => [k, onWhite(v)]));
  return page.evaluate((targets) => {
    const canvas = document.querySelector("#map");
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const out = {};
    for (const [name, [r, g, b]] of Object.entries(targets)) {
      let count = 0;
      let first = null;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) <= 2 && Math.abs(data[i + 1] - g) <= 2 && Math.abs(data[i + 2] - b) <= 2) {
          count++;
          if (!first) {
            const p = i / 4;
            first = { x: (p % canvas.width) / ratio, y: Math.floor(p / canvas.width) / ratio };
          }
        }
      }
      out[name] = { count, first };
    }
    return out;
  }, targets);
}

export const tests = [
  {
    name: "the map is drawn in the four category colours and hover names a point",
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      const census = await colourCensus(page);
      for (const [category, { count }] of Object.entries(census)) {
        assert.ok(count > 30, `${category} points are drawn (${count} pixels)`);
      }
      assert.equal(await page.getAttribute("#map", "data-drawn-points"), "11936");
      assert.match(await page.textContent("#legend"), /standard\s*\(2,936\)/);
      // Hover a pixel known to be a missing (red) point.
      const box = await page.locator("#map").boundingBox();
      const { x, y } = census.missing.first;
      await page.mouse.move(box.x + x + 1, box.y + y + 1);
      await page.locator("#tooltip").waitFor({ state: "visible" });
      assert.match(await page.textContent("#tooltip"), /— missing/);
      await shot("-hover");
      // Clicking it opens its explanation.
      await page.mouse.click(box.x + x + 1, box.y + y + 1);
      await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
      assert.match(await page.textContent("#details-body .summary"), /is allowed/);
      // Pan and zoom for a second and report the frame rate (measured, not asserted:
      // timings on a shared machine are noise).
      const frames = await panAndZoom(page);
      const { last, slowest } = frames;
      assert.ok(frames.draws > 0, "dragging and wheeling redraw the map");
      console.log(
        `  pan+zoom: ${frames.draws} redraws of 11,936 points in ${frames.ms.toFixed(0)} ms ` +
          `(${((frames.draws * 1000) / frames.ms).toFixed(0)} per second); last draw ${last} ms, slowest ${slowest} ms`,
      );
      // "0" right after the gesture, before it settles: the gesture's late
      // report must not put the view it replaced back into the link.
      await page.evaluate(() => document.querySelector("#map").dispatchEvent(new KeyboardEvent("keydown", { key: "0", bubbles: true })));
      await page.waitForTimeout(800);
      assert.doesNotMatch(page.url(), /v=/, "the link keeps the whole map after 0");
    },
  },
  {
    name: "searching a formula rings it and opens its details",
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      await page.fill("#search", "ZnO");
      await page.click("#search-form button[type=submit]");
      await page.waitForFunction(() => document.querySelector("#chips").textContent.includes("Ringed: ZnO (1 on the map)"));
      await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
      assert.match(await page.textContent("#details-body .summary"), /^ZnO is allowed/);
      assert.match(page.url(), /q=ZnO/);
      // An element rings every composition containing it.
      await page.fill("#search", "Zn");
      await page.click("#search-form button[type=submit]");
      await page.waitForFunction(() => /Ringed: Zn \([1-9]/.test(document.querySelector("#chips").textContent));
      // A bad formula says what is wrong and keeps the view.
      await page.fill("#search", "Zn2Qq");
      await page.click("#search-form button[type=submit]");
      await page.waitForFunction(() => /'Qq' is not an element symbol/.test(document.querySelector("#search-note").textContent));
      assert.match(await page.getAttribute("#search-note", "class"), /error/);
      assert.match(await page.textContent("#chips"), /Ringed: Zn \(/);
      await shot("-element");
    },
  },
  {
    name: "exports the sample as CSV, the map as SVG and PNG",
    async run({ page, url }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      const save = async (button) => {
        await page.click(".export summary");
        const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
        return { name: download.suggestedFilename(), body: await readFile(await download.path()) };
      };
      const csv = await save("#export-csv");
      assert.equal(csv.name, "crystal-atlas-n2-mat2vec-pca.csv");
      // Provenance lines lead (see yours.test.mjs), then the rows.
      const lines = csv.body.toString().trim().split("\n").filter((l) => !l.startsWith("#"));
      assert.equal(lines[0], "formula,category,pca_1,pca_2,source,selected");
      assert.equal(lines.length - 1, 11936, "one row per sampled composition");
      assert.ok(lines.slice(1).every((l) => /^[A-Za-z0-9]+,(standard|missing|interesting|unlikely),-?[0-9.e-]+,-?[0-9.e-]+,sample,false$/.test(l)));
      const svg = await save("#export-svg");
      assert.match(svg.body.toString(), /^<svg/);
      assert.equal((svg.body.toString().match(/<circle/g) ?? []).length >= 11000, true);
      const png = await save("#export-png");
      assert.deepEqual([...png.body.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
    },
  },
  {
    name: "a box selection exports as CSV",
    async run({ page, url }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      await page.check('input[name=mode][value=box]', { force: true });
      const box = await page.locator("#map").boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction(() => /[1-9][0-9,]* selected/.test(document.querySelector("#chips").textContent));
      const selected = Number((await page.textContent("#chips")).match(/([0-9,]+) selected/)[1].replaceAll(",", ""));
      await page.click(".export summary");
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-selection")]);
      const rows = (await readFile(await download.path())).toString().trim().split("\n").filter((l) => !l.startsWith("#")).length - 1;
      assert.equal(rows, selected);
      // A lasso around the same box's left half selects fewer.
      await page.check("input[name=mode][value=lasso]", { force: true });
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await page.mouse.down();
      for (const [fx, fy] of [[0.5, 0.3], [0.5, 0.7], [0.3, 0.7], [0.3, 0.31]]) {
        await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 4 });
      }
      await page.mouse.up();
      await page.waitForFunction((n) => {
        const m = document.querySelector("#chips").textContent.match(/([0-9,]+) selected/);
        return m && Number(m[1].replaceAll(",", "")) < n && Number(m[1].replaceAll(",", "")) > 0;
      }, selected);
    },
  },
  {
    name: "a shared link restores the same view",
    async run({ page, context, url, shot }) {
      await page.goto(url + "#red=pca&col=anion&pal=cb");
      await waitForMap(page, "PCA");
      const box = await page.locator("#map").boundingBox();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.6);
      await page.mouse.wheel(0, -600);
      await page.waitForFunction(() => location.hash.includes("v="));
      await page.mouse.move(box.x + 100, box.y + 100);
      await page.waitForTimeout(400);
      const link = page.url();
      const before = await canvasPixels(page);
      const other = await context.newPage();
      await other.goto(link);
      await waitForMap(other, "PCA");
      await other.mouse.move(box.x + 100, box.y + 100);
      await other.waitForTimeout(400);
      const after = await canvasPixels(other);
      const share = pixelsDiffer(before, after);
      assert.ok(share < 0.01, `the restored map matches (${(share * 100).toFixed(2)}% of pixels differ)`);
      assert.equal(await other.inputValue("#colour-by"), "anion");
      assert.ok(await other.isChecked("#cb-safe"));
      await other.screenshot({ path: "tests/e2e/screenshots/a-shared-link-restores-the-same-view-restored.png" });
      await shot("-original");
    },
  },
  {
    name: "a cross-origin isolated page maps on several threads, the same bits as on one",
    async run({ page, context, url, isolatedUrl, shot }) {
      // A UMAP the page computes (not the shipped default map).
      const link = "#seed=7";
      await page.goto(isolatedUrl + link);
      assert.equal(await page.evaluate(() => crossOriginIsolated), true);
      const threaded = await page.evaluate(() => !!document.querySelector("meta[name=crystal-atlas-threads]"));
      if (!threaded) {
        console.log("  notice: this build has no threaded map worker (no nightly toolchain); the page maps on one thread");
        return;
      }
      await waitForMap(page, "UMAP", 120_000);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = Number(await page.getAttribute("#debug", "data-map-threads"));
      assert.equal(threads, Math.min(Math.max(cores, 1), 8) >= 2 ? Math.min(cores, 8) : 1, `threads on ${cores} cores`);
      const several = await page.getAttribute("#map", "data-layout-hash");
      assert.match(several ?? "", /^[0-9a-f]{16}$/);
      await shot("-threads");
      // The same link where memory cannot be shared: the plain worker, one thread.
      const plain = await context.newPage();
      await plain.goto(url + link);
      assert.equal(await plain.evaluate(() => crossOriginIsolated), false);
      await waitForMap(plain, "UMAP", 120_000);
      assert.equal(await plain.getAttribute("#debug", "data-map-threads"), "1");
      assert.equal(await plain.getAttribute("#map", "data-layout-hash"), several, "the same layout, bit for bit");
      await plain.close();
      // Stopping a map stops its threads with its worker; the next map starts new ones.
      await page.goto(isolatedUrl + "#n=3");
      await page.waitForFunction(() => document.querySelector("#map")?.dataset.method === "UMAP" && document.querySelector("#map").dataset.final === "false", null, { timeout: 60_000 });
      await page.click("#map-action");
      await page.waitForFunction(() => document.querySelector("#map-status-text").textContent.startsWith("Stopped"));
      await page.evaluate(() => document.querySelector("#debug").removeAttribute("data-map-threads"));
      await page.goto(isolatedUrl + "#seed=8");
      await waitForMap(page, "UMAP", 120_000);
      const next = await page.getAttribute("#map", "data-layout-hash");
      assert.ok(next && next !== several, "a new map, computed");
      assert.equal(Number(await page.getAttribute("#debug", "data-map-threads")), threads, "by a new worker's threads");
    },
  },
  {
    name: "UMAP streams its layout and can be cancelled mid-run",
    async run({ page, url, shot }) {
      await page.goto(url + "#n=3");
      await page.waitForFunction(() => document.querySelector("#map")?.dataset.method === "UMAP" && document.querySelector("#map").dataset.final === "false", null, { timeout: 60_000 });
      await shot("-running");
      assert.match(await page.textContent("#map-status-text"), /UMAP/);
      await page.click("#map-action");
      await page.waitForFunction(() => document.querySelector("#map-status-text").textContent.startsWith("Stopped"));
      const drawn = Number(await page.getAttribute("#map", "data-drawn-points"));
      assert.ok(drawn > 0, "the partial layout stays on screen");
      await page.waitForTimeout(500);
      assert.equal(await page.getAttribute("#map", "data-final"), "false");
      // A new request after cancelling runs in a fresh worker.
      await page.click("input[name=reducer][value=pca]", { force: true });
      await waitForMap(page, "PCA");
    },
  },
];

tests.push({
  name: "small multiples fill in and open large",
  async run({ page, url, shot }) {
    await page.goto(url + "#tab=grid");
    // The PCA row is quick; t-SNE and UMAP panels follow.
    await page.waitForFunction(
      () => [...document.querySelectorAll('.sm-panel[data-cell^="pca-"] .sm-state')].every((s) => s.hidden),
      null,
      { timeout: 60_000 },
    );
    await shot("-pca-row");
    await page.click('.sm-panel[data-cell="pca-magpie"]');
    await page.locator("#panel-map").waitFor();
    await waitForMap(page, "PCA");
    assert.equal(await page.inputValue("#embedding"), "magpie");
    assert.match(await page.textContent("#legend"), /has no vector for, so they are left out/);
  },
});

/// A map big enough for the WebGL2 layer (more than 40,000 points drawn;
/// src/web/canvas.rs GL_MIN_POINTS): every binary, 225,879 points.
const BIG_MAP = "#n=2&k=all&red=pca";
const BIG_TIMEOUT = 240_000;
/// A point of colour `rgb` (alpha 215/255) over `under`.
const over = (rgb, under) => rgb.map((c, i) => Math.round((c * 215 + under[i] * 40) / 255));
/// On a map this dense most points lie over others: a category's colour
/// counts over white, over the unlikely grey and over its own colour.
const denseTargets = () =>
  Object.fromEntries(
    Object.entries(PAPER).map(([k, v]) => [k, [onWhite(v), over(v, onWhite(PAPER.unlikely)), over(v, onWhite(v))]]),
  );
/// The browser's WebGL2 renderer, or null without WebGL2.
const webGl2 = (page) =>
  page.evaluate(() => {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return null;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  });
const software = (renderer) => /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer ?? "");
/// The page draws with a software WebGL2 (headless Chromium's SwiftShader)
/// only when asked to: by default such a browser gets the CPU path.
const allowSoftwareGl = (context) => context.addInitScript(() => localStorage.setItem("crystal-atlas-webgl", "software"));
const census = (page) => screenCensus(page, denseTargets(), 3);
const counts = (c) => Object.keys(PAPER).map((k) => `${k} ${c[k].count}`).join(", ");
const rate = (f) =>
  `${f.draws} redraws of ${f.points.toLocaleString("en")} points in ${f.ms.toFixed(0)} ms ` +
  `(${((f.draws * 1000) / f.ms).toFixed(0)} per second); last draw ${f.last} ms, slowest ${f.slowest} ms`;
const settled = (page) => page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));

tests.push(
  {
    name: "the map of all 225,879 binaries draws its points with WebGL2 and falls back to the CPU when the context is lost",
    allowErrors: ["CONTEXT_LOST"],
    async run({ page, context, url, shot }) {
      const notes = [];
      page.on("console", (m) => m.text().startsWith("crystal-atlas: the map's points") && notes.push(m.text()));
      await page.goto(url + BIG_MAP);
      await waitForMap(page, "PCA", BIG_TIMEOUT);
      const points = Number(await page.getAttribute("#map", "data-drawn-points"));
      assert.ok(points > 40_000, `a big map (${points} points)`);
      const gl = await webGl2(page);
      const byDefault = await page.getAttribute("#map", "data-renderer");
      console.log(`  WebGL2 renderer: ${gl}; ${points.toLocaleString("en")} points drawn by ${byDefault} by default`);
      assert.equal(byDefault, gl && !software(gl) ? "webgl2" : "cpu");
      if (gl && software(gl)) {
        assert.match(notes.join(" "), /software rendering/, "the console says why");
        const frames = await panAndZoom(page);
        console.log(`  pan+zoom, CPU (software WebGL2 refused): ${rate(frames)}`);
      }
      if (!gl) return;
      // The whole map again (the link keeps no view), drawn by WebGL2.
      await page.focus("#map");
      await page.keyboard.press("0");
      await page.waitForFunction(() => !location.hash.includes("v="));
      await allowSoftwareGl(context);
      await page.reload();
      await waitForMap(page, "PCA", BIG_TIMEOUT);
      assert.equal(await page.getAttribute("#map", "data-renderer"), "webgl2");
      // The points are on screen in the four colours (the GL canvas under #map).
      const before = await census(page);
      for (const k of Object.keys(PAPER)) assert.ok(before[k].count > 30, `${k} points are drawn: ${counts(before)}`);
      await shot("-webgl2");
      // #map is on top and keeps its events: hovering a point names it (in
      // a map this dense, the nearest may lie under the red one seen).
      const box = await page.locator("#map").boundingBox();
      const { x, y } = before.missing.first;
      await page.mouse.move(box.x + x + 1, box.y + y + 1);
      await page.locator("#tooltip").waitFor({ state: "visible" });
      assert.match(await page.textContent("#tooltip"), /— (standard|missing|interesting|unlikely)/);
      await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2);
      // A hidden category is not drawn by GL either.
      await page.uncheck('#legend input[data-category="standard"]');
      await page.waitForFunction((n) => Number(document.querySelector("#map").dataset.drawnPoints) < n, points);
      await settled(page);
      const hidden = await census(page);
      assert.ok(hidden.standard.count <= 5, `no standard points once hidden: ${counts(hidden)}`);
      assert.ok(hidden.missing.count > 30);
      await page.check('#legend input[data-category="standard"]');
      await page.waitForFunction((n) => Number(document.querySelector("#map").dataset.drawnPoints) === n, points);
      // Rings are drawn on #map, over the GL points and transparent around them.
      const opaque = async () => {
        const pixels = await canvasPixels(page);
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) n += pixels[i] > 0 ? 1 : 0;
        return n / (pixels.length / 4);
      };
      const bare = await opaque();
      assert.ok(bare < 0.05, `#map is transparent but for its labels (${(bare * 100).toFixed(1)}% opaque)`);
      await page.fill("#search", "ZnO");
      await page.click("#search-form button[type=submit]");
      await page.waitForFunction(() => document.querySelector("#chips").textContent.includes("Ringed: ZnO (1 on the map)"));
      await settled(page);
      assert.ok((await opaque()) > bare, "the ring is drawn on #map");
      await shot("-webgl2-ringed");
      // Pan and zoom for a second (measured, not asserted).
      const glFrames = await panAndZoom(page);
      assert.ok(glFrames.draws > 0);
      assert.equal(await page.getAttribute("#map", "data-renderer"), "webgl2");
      console.log(`  pan+zoom, WebGL2 (${software(gl) ? "software" : "hardware"}): ${rate(glFrames)}`);
      await shot("-webgl2-zoomed");
      // Back to the whole map, then the context is lost: the CPU draws the same map.
      await page.focus("#map");
      await page.keyboard.press("0");
      await page.waitForFunction(() => !location.hash.includes("v="));
      await settled(page);
      const again = await census(page);
      await page.evaluate(() => document.querySelector(".map-gl").getContext("webgl2").getExtension("WEBGL_lose_context").loseContext());
      await page.waitForFunction(() => document.querySelector("#map").dataset.renderer === "cpu");
      await settled(page);
      assert.equal(await page.locator(".map-gl").count(), 0, "the GL canvas is gone");
      const cpu = await census(page);
      console.log(`  on screen, WebGL2: ${counts(again)}, ${(again.inked * 100).toFixed(1)}% inked`);
      console.log(`  on screen, CPU:    ${counts(cpu)}, ${(cpu.inked * 100).toFixed(1)}% inked`);
      for (const k of Object.keys(PAPER)) assert.ok(cpu[k].count > 30, `${k} drawn by the CPU: ${counts(cpu)}`);
      // Discs of the same radius cover about as much of the screen.
      const share = Math.abs(again.inked - cpu.inked) / cpu.inked;
      assert.ok(share < 0.15, `WebGL2 and CPU ink ${(again.inked * 100).toFixed(1)}% and ${(cpu.inked * 100).toFixed(1)}%`);
      await shot("-cpu");
    },
  },
  {
    name: "without WebGL2 the map of all 225,879 binaries is drawn on the CPU",
    async run({ page, context, url }) {
      await allowSoftwareGl(context);
      await context.addInitScript(() => {
        const getContext = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
          return kind === "webgl2" ? null : getContext.call(this, kind, ...rest);
        };
      });
      await page.goto(url + BIG_MAP);
      await waitForMap(page, "PCA", BIG_TIMEOUT);
      assert.equal(await page.getAttribute("#map", "data-renderer"), "cpu");
      assert.equal(await page.locator(".map-gl").count(), 0);
      const seen = await census(page);
      for (const k of Object.keys(PAPER)) assert.ok(seen[k].count > 30, `${k} points are drawn: ${counts(seen)}`);
    },
  },
  {
    name: "on a phone the map of all 225,879 binaries draws with WebGL2 at three device pixels per CSS pixel",
    viewport: { width: 390, height: 844 },
    mobile: true,
    scale: 3,
    async run({ page, context, url, shot }) {
      await allowSoftwareGl(context);
      await page.goto(url + BIG_MAP);
      await waitForMap(page, "PCA", BIG_TIMEOUT);
      const gl = await webGl2(page);
      assert.equal(await page.getAttribute("#map", "data-renderer"), gl ? "webgl2" : "cpu");
      await page.locator("#map").scrollIntoViewIfNeeded();
      await settled(page);
      const seen = await census(page);
      assert.equal(seen.ratio, 3);
      for (const k of Object.keys(PAPER)) assert.ok(seen[k].count > 30, `${k} points are drawn: ${counts(seen)}`);
      await shot("-phone");
      const frames = await panAndZoom(page);
      console.log(`  pan+zoom on a phone (${gl ? "WebGL2" : "CPU"}): ${rate(frames)}`);
    },
  },
);
