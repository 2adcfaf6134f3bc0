// Shared pieces of the end-to-end tests: a static server for dist/ and a
// headless Chromium from the system (never downloaded), with the flags that
// keep it off the network.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { chromium } from "playwright-core";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".bin": "application/octet-stream",
  ".png": "image/png",
};

/// Serves `root` on 127.0.0.1 at a free port, under the sub-path `base`
/// (as GitHub Pages serves a project site), so relative URLs are tested.
/// `cacheControl` is sent with every file; GitHub Pages sends "max-age=600".
/// `headers` are sent with every file too (COOP and COEP, say, to serve the
/// page cross-origin isolated, as the service worker does).
export async function serve(root, base = "/crystal-atlas/", cacheControl = "no-cache", headers = {}) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://localhost");
      if (!url.pathname.startsWith(base)) {
        res.writeHead(404).end("not under " + base);
        return;
      }
      let path = normalize(join(root, decodeURIComponent(url.pathname.slice(base.length))));
      if (!path.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, "index.html");
      const body = await readFile(path);
      res.writeHead(200, {
        "content-type": TYPES[extname(path)] ?? "application/octet-stream",
        "cache-control": cacheControl,
        ...headers,
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { server, url: `http://127.0.0.1:${port}${base}` };
}

/// What makes a page cross-origin isolated, so it may share memory with its workers.
export const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
  // WebGL2 without a GPU is SwiftShader's (through ANGLE). Chromium 156 still
  // falls back to it by itself; this keeps it on when that fallback goes.
  "--enable-unsafe-swiftshader",
];

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: [...CHROMIUM_ARGS, ...(process.env.CHROMIUM_EXTRA_ARGS ?? "").split(" ").filter(Boolean)] });
}

/// Drags and wheels over the map for `ms` milliseconds, one event pair per
/// animation frame, and returns how many redraws the page made meanwhile
/// (from its debug panel), the time taken, the points drawn and the last and
/// slowest draw times in ms.
export async function panAndZoom(page, ms = 1000) {
  const frames = await page.evaluate(async (duration) => {
    const canvas = document.querySelector("#map");
    const rect = canvas.getBoundingClientRect();
    const draws = () => Number(document.querySelector("#debug-text").textContent.match(/(\d+) draws/)[1]);
    const before = draws();
    const start = performance.now();
    let x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const pointer = (type, extra = {}) =>
      canvas.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, pointerId: 7, bubbles: true, ...extra }));
    pointer("pointerdown");
    while (performance.now() - start < duration) {
      x += 2;
      pointer("pointermove", { buttons: 1 });
      canvas.dispatchEvent(new WheelEvent("wheel", { clientX: x, clientY: y, deltaY: -4, bubbles: true, cancelable: true }));
      await new Promise((ok) => requestAnimationFrame(ok));
    }
    pointer("pointerup");
    return { draws: draws() - before, ms: performance.now() - start, points: Number(canvas.dataset.drawnPoints) };
  }, ms);
  frames.last = Number(await page.getAttribute("#debug", "data-draw-ms"));
  frames.slowest = Number(await page.getAttribute("#debug", "data-slowest-draw-ms"));
  return frames;
}

/// Waits until the map shows a finished layout (of `method` when given).
export async function waitForMap(page, method, timeout = 60_000) {
  await page.waitForFunction(
    (m) => {
      const c = document.querySelector("#map");
      return c?.dataset.final === "true" && (!m || c.dataset.method === m) && Number(c.dataset.drawnPoints) > 0;
    },
    method,
    { timeout },
  );
  // The draw is scheduled on the next frame after the layout arrives.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
}

/// The map canvas's RGBA pixels (passed as base64: an array of numbers is slow to pass).
export async function canvasPixels(page) {
  return Buffer.from(
    await page.evaluate(() => {
      const c = document.querySelector("#map");
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let text = "";
      for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
      return btoa(text);
    }),
    "base64",
  );
}

/// What is on screen over the map, whichever canvas drew it (a WebGL2 layer
/// under #map included): for each of `targets` ({ name: [r, g, b] }, or
/// { name: [[r, g, b], ...] } for any of several colours), the pixels within
/// `tolerance` of that colour and the first such pixel (CSS px from the map's
/// corner), and the share of pixels that are not white.
export async function screenCensus(page, targets, tolerance = 2) {
  const box = await page.locator("#map").boundingBox();
  const png = (await page.screenshot({ clip: box })).toString("base64");
  return page.evaluate(
    async ({ png, targets, width, tolerance }) => {
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
      const image = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext("2d");
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, 0, image.width, image.height).data;
      const ratio = image.width / width;
      const out = { ratio, inked: 0 };
      for (const name of Object.keys(targets)) out[name] = { count: 0, first: null };
      const entries = Object.entries(targets).map(([name, c]) => [name, Array.isArray(c[0]) ? c : [c]]);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (r < 250 || g < 250 || b < 250) inked++;
        for (const [name, colours] of entries) {
          const near = ([tr, tg, tb]) => Math.abs(r - tr) <= tolerance && Math.abs(g - tg) <= tolerance && Math.abs(b - tb) <= tolerance;
          if (colours.some(near)) {
            const o = out[name];
            o.count++;
            if (!o.first) {
              const p = i / 4;
              o.first = { x: (p % image.width) / ratio, y: Math.floor(p / image.width) / ratio };
            }
          }
        }
      }
      out.inked = inked / (data.length / 4);
      return out;
    },
    { png, targets, width: box.width, tolerance },
  );
}

/// Share of pixels that differ between two RGBA buffers of the same size.
export function pixelsDiffer(a, b) {
  if (a.length !== b.length) return 1;
  let differing = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) differing++;
  }
  return differing / (a.length / 4);
}

/// Runs axe-core on the page; returns its serious and critical violations.
export async function axe(page) {
  const source = await readFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
  // Evaluated over the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  });
  return result;
}
