// The page as a whole: the periodic table, the guided tour, working offline,
// small screens.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { waitForMap } from "./harness.mjs";

// The project's shared reference data: ../shared beside the repository (or $CRYSTAL_ATLAS_SHARED).
const shared = process.env.CRYSTAL_ATLAS_SHARED ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared");
const reference = join(shared, "reference", "binary_labels.csv");

/// Allowed binaries containing `symbol`, from the paper's published labels.
function allowedBinariesWith(symbol) {
  const lines = readFileSync(reference, "utf8").trim().split("\n").slice(1);
  return lines.filter((line) => {
    const [formula, allowed] = line.split(",");
    return allowed === "True" && (formula.match(/[A-Z][a-z]?/g) ?? []).includes(symbol);
  }).length;
}

export const tests = [
  {
    name: "periodic table counts allowed binaries per element and filters the map",
    async run({ page, url, shot }) {
      await page.goto(url + "#tab=elements");
      await page.waitForFunction(() => document.querySelector('#ptable [data-symbol="O"]')?.dataset.count, null, { timeout: 20_000 });
      const shown = Number(await page.getAttribute('#ptable [data-symbol="O"]', "data-count"));
      if (existsSync(reference)) {
        assert.equal(shown, allowedBinariesWith("O"), "oxygen's count matches the paper's binary labels");
        const zinc = Number(await page.getAttribute('#ptable [data-symbol="Zn"]', "data-count"));
        assert.equal(zinc, allowedBinariesWith("Zn"));
      } else {
        console.log(`  (skipped the comparison with ${reference}: not present)`);
        assert.ok(shown > 0);
      }
      await shot("-table");
      await page.click('#ptable [data-symbol="Zn"]');
      await page.locator("#panel-map").waitFor();
      await page.waitForFunction(() => /Only compositions containing Zn \([1-9]/.test(document.querySelector("#chips").textContent), null, { timeout: 60_000 });
      assert.match(page.url(), /el=Zn/);
      // The filter filters: every point drawn contains Zn, and the caption counts them.
      await page.waitForFunction(() => document.querySelector("#map").dataset.final === "true", null, { timeout: 60_000 });
      const drawn = Number(await page.getAttribute("#map", "data-drawn-points"));
      const chip = Number((await page.textContent("#chips")).match(/containing Zn \(([0-9,]+)/)[1].replaceAll(",", ""));
      assert.equal(drawn, chip);
      assert.ok(drawn < 11936 && drawn > 0);
      assert.match(await page.getAttribute("#map", "aria-label"), new RegExp(`${drawn.toLocaleString("en")} binaries shown`));
      await page.click('#chips [data-clear="element"]');
      await page.waitForFunction(() => !location.hash.includes("el="));
    },
  },
  {
    name: "the guided tour runs on a first visit and is remembered",
    tour: true,
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.locator("#tour").waitFor({ state: "visible", timeout: 10_000 });
      assert.match(await page.textContent("#tour-title"), /A map of possible compounds/);
      await shot("-step1");
      const visited = new Set();
      for (let step = 2; step <= 12; step++) {
        await page.click("#tour-next");
        assert.match(await page.textContent("#tour-step"), new RegExp(`Step ${step} of 12`));
        visited.add(await page.evaluate(() => document.querySelector("[role=tab][aria-selected=true]").id));
      }
      for (const tab of ["tab-grid", "tab-system", "tab-elements", "tab-counts", "tab-quiz", "tab-glossary"]) {
        assert.ok(visited.has(tab), `the tour shows ${tab}`);
      }
      await shot("-last-step");
      await page.click("#tour-next");
      assert.equal(await page.isVisible("#tour"), false);
      await page.reload();
      await page.waitForTimeout(2000);
      assert.equal(await page.isVisible("#tour"), false, "not shown again");
    },
  },
  {
    name: "works offline after the first visit",
    serviceWorkers: "allow",
    async run({ page, context, url }) {
      await page.goto(url);
      await page.locator('#counts-table [data-order="2"] [data-allowed]').waitFor({ timeout: 20_000 });
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return registration.active.state;
      });
      await context.setOffline(true);
      await page.reload();
      const cell = page.locator('#counts-table [data-order="2"] [data-allowed]');
      await cell.waitFor({ timeout: 20_000 });
      assert.equal(await cell.getAttribute("data-allowed"), "13464");
      // The service worker serves the page cross-origin isolated (GitHub Pages
      // cannot send the headers), so the map worker may share memory with its
      // threads.
      assert.equal(await page.evaluate(() => crossOriginIsolated), true, "isolated by the service worker");
      // A map computed offline: on the threaded map worker where the build has one.
      await page.goto(url + "#seed=7");
      await waitForMap(page, "UMAP", 120_000);
      const threaded = await page.evaluate(() => !!document.querySelector("meta[name=crystal-atlas-threads]"));
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = Number(await page.getAttribute("#debug", "data-map-threads"));
      assert.equal(threads > 1, threaded && cores > 1, `map worker on ${threads} thread(s), ${cores} cores`);
      await context.setOffline(false);
    },
  },
  {
    name: "a phone-sized screen stacks the panels",
    viewport: { width: 390, height: 844 },
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.locator('#counts-table [data-order="2"] [data-allowed]').waitFor({ timeout: 20_000 });
      const map = await page.locator("#map-wrap").boundingBox();
      assert.ok(map.width <= 390 && map.width > 300, `map fits the width (${map.width})`);
      await shot("-top");
    },
  },
];

tests.push({
  name: "a worker that dies is restarted and its work sent again",
  allowErrors: ["worker", "Failed to load"],
  async run({ page, context, url }) {
    // The first attempt to start a worker fails to load; later ones succeed.
    let failed = 0;
    await context.route(/worker-[0-9a-f]+_loader\.js/, (route) => {
      if (failed++ === 0) return route.fulfill({ status: 200, contentType: "text/javascript", body: "throw new Error('simulated crash')" });
      return route.continue();
    });
    await page.goto(url);
    await page.waitForFunction(() => /worker stopped/.test(document.querySelector("#messages").textContent), null, { timeout: 20_000 });
    assert.match(await page.textContent("#messages"), /restarted and its work sent again/);
    const cell = page.locator('#counts-table [data-order="2"] [data-allowed]');
    await cell.waitFor({ timeout: 30_000 });
    assert.equal(await cell.getAttribute("data-allowed"), "13464");
  },
});
