// The page's shell: shared links restore what was on screen (zoomed UMAP
// and t-SNE maps included), captions never describe settings left behind,
// uploads stay chosen, phones work, and axe-core finds no serious or
// critical accessibility problems on any tab.
import assert from "node:assert/strict";
import { axe, canvasPixels, pixelsDiffer, waitForMap } from "./harness.mjs";

/// Opens `hash`, waits for the finished `method` map, zooms into it with the
/// wheel, and returns the link the page wrote and the canvas's pixels.
async function zoomed(page, url, hash, method) {
  await page.goto(url + hash);
  await waitForMap(page, method, 90_000);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.55);
  await page.mouse.wheel(0, -500);
  await page.waitForFunction(() => location.hash.includes("v="));
  // Away from the points, so no hover ring is drawn.
  await page.mouse.move(box.x + box.width - 2, box.y + box.height - 2);
  await page.waitForTimeout(500);
  return { link: page.url(), pixels: await canvasPixels(page) };
}

/// A zoomed map's link opened in a fresh browser context shows the same map at the same view.
function restores(method, hash) {
  return {
    name: `a zoomed ${method} link restores the same view in a fresh browser`,
    async run({ page, context, url, shot }) {
      const { link, pixels } = await zoomed(page, url, hash, method);
      assert.match(link, /v=[-0-9.e]+,[-0-9.e]+,[0-9.e]+/);
      const fresh = await context.browser().newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: "block" });
      await fresh.addInitScript(() => localStorage.setItem("crystal-atlas-tour", "done"));
      const other = await fresh.newPage();
      await other.goto(link);
      // While it computes, the link keeps the view (a reload resumes it).
      await other.waitForFunction(() => document.querySelector("#map")?.dataset.method, null, { timeout: 60_000 });
      assert.equal(other.url(), link);
      await waitForMap(other, method, 90_000);
      const box = await other.locator("#map").boundingBox();
      await other.mouse.move(box.x + box.width - 2, box.y + box.height - 2);
      await other.waitForTimeout(500);
      const after = await canvasPixels(other);
      const share = pixelsDiffer(pixels, after);
      await other.screenshot({ path: `tests/e2e/screenshots/zoomed-${method.toLowerCase()}-restored.png` });
      await shot("-original");
      assert.ok(share < 0.01, `the restored ${method} map matches (${(share * 100).toFixed(2)}% of pixels differ)`);
      await fresh.close();
    },
  };
}

export const tests = [
  restores("UMAP", "#k=1000"),
  restores("t-SNE", "#red=tsne&k=1000"),
  {
    name: "captions describe the map on screen, never settings left behind",
    async run({ page, url }) {
      await page.goto(url + "#red=pca&k=500");
      await waitForMap(page, "PCA");
      const label = () => page.getAttribute("#map", "aria-label");
      assert.match(await label(), /binaries shown of 2,000 sampled/);
      // Every caption the map shows from now on is recorded as it is drawn.
      await page.evaluate(() => {
        window.captions = [];
        new MutationObserver(() => window.captions.push(document.querySelector("#map").getAttribute("aria-label")))
          .observe(document.querySelector("#map"), { attributes: true, attributeFilter: ["aria-label"] });
        window.actions = [];
        new MutationObserver(() => window.actions.push(document.querySelector("#map-action").textContent))
          .observe(document.querySelector("#map-status"), { subtree: true, childList: true, characterData: true, attributes: true });
      });
      await page.selectOption("#order", "3");
      await page.waitForFunction(
        () => /ternaries shown/.test(document.querySelector("#map").getAttribute("aria-label")) && document.querySelector("#map").dataset.final === "true",
        null,
        { timeout: 60_000 },
      );
      const captions = await page.evaluate(() => window.captions);
      const actions = await page.evaluate(() => window.actions);
      assert.ok(actions.length > 0 && actions.every((a) => a === "Cancel"), `never 'Run again' while computing: ${actions}`);
      assert.ok(captions.some((c) => /binaries shown.*earlier settings/.test(c)), "the binary map said it was of earlier settings");
      for (const text of captions) {
        assert.ok(!/binaries shown/.test(text) || /earlier settings/.test(text), `no stale caption: ${text}`);
        assert.ok(!(/ternaries/.test(text) && /earlier/.test(text)), `no stale caption: ${text}`);
      }
      assert.doesNotMatch(await label(), /earlier/);
    },
  },
  {
    name: "cancelling t-SNE during its preview says so in the title and the status",
    async run({ page, url }) {
      await page.goto(url + "#red=tsne&n=3");
      await page.waitForFunction(() => document.querySelector("#map")?.dataset.method === "PCA", null, { timeout: 60_000 });
      await page.click("#map-action");
      await page.waitForFunction(() => /Stopped/.test(document.querySelector("#map-status-text").textContent));
      const title = await page.getAttribute("#map", "aria-label");
      assert.ok(/t-SNE was stopped/.test(title) || /unfinished/.test(title), title);
      assert.equal(await page.textContent("#map-action"), "Run again");
      await page.click("#map-action");
      await page.waitForFunction(() => document.querySelector("#map-action").textContent === "Cancel");
    },
  },
  {
    name: "choosing an uploaded set again uses it, and editing the link keeps it",
    async run({ page, url }) {
      await page.goto(url);
      const allowed = () => page.getAttribute('#counts-table [data-order="2"] [data-allowed]', "data-allowed");
      await page.locator('#counts-table [data-order="2"] [data-allowed]').waitFor({ timeout: 20_000 });
      // Only Zn(+2) and O(-2): the binaries allowed are ZnO alone.
      await page.setInputFiles("#ox-file", { name: "tiny.txt", mimeType: "text/plain", buffer: Buffer.from("Zn +2\nO -2\n") });
      await page.waitForFunction(() => document.querySelector('#counts-table [data-order="2"] [data-allowed]')?.dataset.allowed === "1", null, { timeout: 20_000 });
      assert.match(await page.textContent("#note-ox-file"), /Using 'tiny.txt' \(2 species\)/);
      assert.match(await page.getAttribute("#note-ox-file", "class"), /success/);
      await page.selectOption("#ox-set", "wiki");
      await page.waitForFunction(() => (document.querySelector('#counts-table [data-order="2"] [data-allowed]')?.dataset.allowed ?? "1") !== "1", null, { timeout: 20_000 });
      assert.notEqual(await allowed(), "1");
      await page.selectOption("#ox-set", "upload");
      await page.waitForFunction(() => document.querySelector('#counts-table [data-order="2"] [data-allowed]')?.dataset.allowed === "1", null, { timeout: 20_000 });
      assert.match(page.url(), /ox=upload/);
      // Editing the link keeps the upload in memory.
      await page.evaluate(() => { location.hash = location.hash + "&seed=7"; });
      await page.waitForFunction(() => document.querySelector("#seed").value === "7");
      assert.equal(await page.inputValue("#ox-set"), "upload");
      assert.equal(await allowed(), "1");
      assert.equal(await page.locator("#messages .message").count(), 0, "no link complaint");
      // Sharing says what the link cannot carry.
      await page.click("#share");
      await page.locator("#share-note").waitFor();
      assert.match(await page.textContent("#share-note"), /cannot carry your uploaded tiny.txt/);
    },
  },
  {
    name: "a refused value is said beside its field until fixed",
    async run({ page, url }) {
      await page.goto(url);
      await page.fill("#max-stoich", "99");
      await page.press("#max-stoich", "Tab");
      await page.locator("#note-ms").waitFor();
      assert.match(await page.textContent("#note-ms"), /must be a whole number from 1 to 16\. The map still uses 8/);
      assert.equal(await page.inputValue("#max-stoich"), "99", "the typed value stays to be fixed");
      assert.equal(await page.locator("#messages .message").count(), 0, "not a banner far away");
      await page.fill("#max-stoich", "6");
      await page.press("#max-stoich", "Tab");
      await page.waitForFunction(() => document.querySelector("#note-ms").hidden);
      assert.match(page.url(), /ms=6/);
      // A seed JavaScript cannot hold is refused here, not by a dead worker.
      await page.fill("#seed", "18446744073709551615");
      await page.press("#seed", "Tab");
      await page.locator("#note-seed").waitFor();
      assert.match(await page.textContent("#note-seed"), /from 0 to 9007199254740991/);
      // Help is a tap away.
      await page.click('[aria-controls="help-seed"]');
      assert.match(await page.textContent("#help-seed"), /same seed always gives the same sample/);
    },
  },
  {
    name: "a link with a huge seed gets a message and a working page",
    async run({ page, url }) {
      await page.goto(url + "#seed=18446744073709551615&red=pca");
      await waitForMap(page, "PCA");
      assert.match(await page.textContent("#messages"), /'seed=18446744073709551615'.*from 0 to 9007199254740991; using 42/);
      assert.equal(await page.getAttribute('#counts-table [data-order="2"] [data-allowed]', "data-allowed"), "13464");
    },
  },
  {
    name: "the tour does not start over a link to another panel or a composition",
    tour: true,
    async run({ page, url }) {
      await page.goto(url + "#tab=system&sel=ZnO");
      await page.waitForTimeout(2500);
      assert.equal(await page.isVisible("#tour"), false);
    },
  },
  {
    name: "on a phone a tapped point opens a card at the finger and Table 2 fits",
    viewport: { width: 390, height: 844 },
    mobile: true,
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      assert.equal(
        await page.evaluate(() => getComputedStyle(document.querySelector("#map")).touchAction),
        "pan-x pan-y",
        "one finger scrolls the page",
      );
      // Tap the first drawn point.
      const point = await page.evaluate(() => {
        const c = document.querySelector("#map");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const ratio = c.width / c.getBoundingClientRect().width;
        for (let y = 80; y < c.height; y++) {
          for (let x = 0; x < c.width; x++) {
            const i = (y * c.width + x) * 4;
            if (d[i] < 100 && d[i + 2] > 200) return { x: x / ratio, y: y / ratio };
          }
        }
        return null;
      });
      assert.ok(point, "a standard point is drawn");
      const box = await page.locator("#map").boundingBox();
      await page.touchscreen.tap(box.x + point.x + 1, box.y + point.y + 1);
      const card = page.locator("#tap-card");
      await card.waitFor({ state: "visible", timeout: 10_000 });
      await page.waitForFunction(() => /is allowed|is forbidden/.test(document.querySelector("#tap-card").textContent), null, { timeout: 20_000 });
      const at = await card.boundingBox();
      assert.ok(at.y >= 0 && at.y + at.height <= 844 && at.x >= 0 && at.x + at.width <= 390, "the card is on screen");
      await shot("-card");
      await page.click('#tap-card [data-action="full"]');
      await page.waitForTimeout(400);
      const details = await page.locator("#details .summary").boundingBox();
      assert.ok(details && details.y < 844 && details.y > -details.height, "the full explanation is scrolled into view");
      // The settings are a tap away, without scrolling past the map.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.click("#settings-toggle");
      await page.locator("#max-stoich").waitFor({ state: "visible" });
      await shot("-settings");
      await page.click("#settings-close");
      await page.click("#tab-counts");
      await page.locator('#counts-full td[data-label="Unlikely"]').first().waitFor({ timeout: 20_000 });
      for (const cell of await page.locator("#counts-full td").all()) {
        const b = await cell.boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= 390, `a Table 2 cell is inside the screen (${JSON.stringify(b)})`);
      }
      await shot("-table2");
      await page.click("#tab-elements");
      await page.locator('#ptable [data-symbol="Lr"]').waitFor();
      const lr = await page.locator('#ptable [data-symbol="Lr"]').boundingBox();
      const h = await page.locator('#ptable [data-symbol="H"]').boundingBox();
      assert.ok(lr.x + lr.width <= 390 && h.x >= 0, "the periodic table fits");
      await shot("-ptable");
    },
  },
  {
    name: "the map works from the keyboard",
    async run({ page, url }) {
      await page.goto(url + "#red=pca&k=200");
      await waitForMap(page, "PCA");
      await page.focus("#map");
      await page.keyboard.press("n");
      await page.waitForFunction(() => /point 1 of/.test(document.querySelector("#map-cursor").textContent));
      await page.keyboard.press("n");
      const said = await page.textContent("#map-cursor");
      assert.match(said, /point 2 of/);
      const formula = said.split(",")[0];
      await page.keyboard.press("Enter");
      await page.waitForFunction((f) => location.hash.includes(`sel=${f}`), formula);
      await page.keyboard.press("+");
      await page.waitForFunction(() => location.hash.includes("v="));
    },
  },
];

tests.push({
  name: "the quiz: predict, check, score, and the same questions from the same link",
  async run({ page, context, url, shot }) {
    const link = url + "#tab=quiz&quiz=3&red=pca&k=300";
    await page.goto(link);
    await page.locator("#quiz .quiz-formula").waitFor({ timeout: 30_000 });
    const first = await page.textContent("#quiz .quiz-formula");
    // Pick a charge for each element, then say "Allowed".
    for (const select of await page.locator("#quiz select[data-element]").all()) {
      const values = await select.locator("option").evaluateAll((os) => os.map((o) => o.value).filter((v) => v));
      await select.selectOption(values[0]);
    }
    await page.click('#quiz [data-action="allowed"]');
    await page.locator("#quiz .verdict").waitFor();
    assert.match(await page.textContent("#quiz .verdict"), /^(Right|Not quite): .* is (allowed|forbidden)/);
    assert.match(await page.textContent("#quiz"), /Your charges .* add up to/);
    assert.match(await page.textContent("#quiz .quiz-score"), /^[01] of 1 right$/);
    await page.locator("#quiz .summary").waitFor({ timeout: 20_000 });
    await shot("-answered");
    await page.click('#quiz [data-action="next"]');
    await page.waitForFunction(() => /Composition 2/.test(document.querySelector("#quiz .quiz-head").textContent));
    const other = await context.newPage();
    await other.goto(link);
    await other.locator("#quiz .quiz-formula").waitFor({ timeout: 30_000 });
    assert.equal(await other.textContent("#quiz .quiz-formula"), first, "the same link gives the same first question");
  },
});

/// axe-core on every tab, desktop and phone.
for (const [label, viewport] of [["desktop", { width: 1400, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  tests.push({
    name: `axe-core finds no serious or critical problems on any tab (${label})`,
    viewport,
    mobile: label === "phone",
    async run({ page, url }) {
      await page.goto(url + "#red=pca&k=300&sel=ZnO");
      await waitForMap(page, "PCA");
      await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
      const problems = [];
      for (const tab of ["map", "grid", "system", "elements", "counts", "quiz", "glossary"]) {
        await page.click(`#tab-${tab}`);
        await page.waitForTimeout(tab === "system" || tab === "elements" ? 2500 : 300);
        for (const v of await axe(page)) problems.push(`${tab}: ${v}`);
      }
      assert.deepEqual(problems, []);
    },
  });
}
