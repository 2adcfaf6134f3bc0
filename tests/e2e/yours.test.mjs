// Your compositions on the map (issue 12): a typed Zn2O placed on the binary
// UMAP map without recomputing it, an uploaded list of 40 formulas placed,
// listed and exported with provenance, the neighbours of the composition in
// focus, a selection's summary, density contours; on a desktop and a phone.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { axe, canvasPixels, waitForMap } from "./harness.mjs";

/// Records the kind of every request the page posts to its workers.
async function watchRequests(context) {
  await context.addInitScript(() => {
    window.posted = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.msg?.kind) window.posted.push(message.msg.kind);
      return post.call(this, message, ...rest);
    };
  });
}

/// The placed marks drawn on the map, in CSS pixels.
async function placedMarks(page) {
  const xy = (await page.getAttribute("#map", "data-placed-xy")) ?? "";
  return xy ? xy.split(";").map((p) => p.split(",").map(Number)) : [];
}

/// Pure black pixels (a placed mark's outline) within `r` CSS px of (x, y).
function blackAround(pixels, width, ratio, [x, y], r) {
  let n = 0;
  const [cx, cy] = [Math.round(x * ratio), Math.round(y * ratio)];
  const rr = Math.round(r * ratio);
  for (let j = cy - rr; j <= cy + rr; j++) {
    for (let i = cx - rr; i <= cx + rr; i++) {
      const k = (j * width + i) * 4;
      if (pixels[k] === 0 && pixels[k + 1] === 0 && pixels[k + 2] === 0) n++;
    }
  }
  return n;
}

async function canvasGeometry(page) {
  return page.evaluate(() => {
    const c = document.querySelector("#map");
    return { width: c.width, ratio: c.width / c.getBoundingClientRect().width };
  });
}

async function download(page, button) {
  await page.click(".export summary");
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  return { name: file.suggestedFilename(), text: (await readFile(await file.path())).toString() };
}

/// 40 oxides, as a researcher's CSV would hold them.
const FORTY = ["Li", "Na", "K", "Mg", "Ca", "Zn", "Fe", "Cu", "Al", "Ti"].flatMap((m) =>
  [[2, 1], [1, 2], [3, 4], [2, 5]].map(([a, b]) => `${m}${a}O${b}`),
);

export const tests = [
  {
    name: "a typed Zn2O appears on the binary UMAP map without recomputing it",
    async run({ page, context, url, shot }) {
      await watchRequests(context);
      await page.goto(url);
      await waitForMap(page, "UMAP", 180_000);
      const before = {
        firstMap: await page.getAttribute("#debug", "data-first-map-ms"),
        map: (await page.textContent("#debug-text")).match(/map: .*/)[0],
        reduces: await page.evaluate(() => window.posted.filter((k) => k === "reduce" || k === "embed").length),
      };
      assert.match(before.map, /map: UMAP of mat2vec, 11936 points$/);
      const pixels = await canvasPixels(page);
      const { width, ratio } = await canvasGeometry(page);
      await page.fill("#place-input", "Zn2O");
      await page.click("#place-form button[type=submit]");
      await page.waitForFunction(() => document.querySelector("#map").dataset.placed === "1", null, { timeout: 60_000 });
      await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
      // The same finished map: no new sample, embedding or reducer run.
      assert.equal(await page.getAttribute("#map", "data-final"), "true");
      assert.equal(await page.getAttribute("#debug", "data-first-map-ms"), before.firstMap);
      assert.equal((await page.textContent("#debug-text")).match(/map: .*/)[0], before.map);
      const posted = await page.evaluate(() => window.posted);
      assert.equal(posted.filter((k) => k === "reduce" || k === "embed").length, before.reduces, `requests: ${posted}`);
      assert.ok(posted.includes("place"), `a placing request: ${posted}`);
      assert.match(page.url(), /place=Zn2O/);
      // Its mark is drawn: a missing-red diamond outlined in black where there was none.
      const [mark] = await placedMarks(page);
      const after = await canvasPixels(page);
      const at = (buf) => {
        const k = (Math.round(mark[1] * ratio) * width + Math.round(mark[0] * ratio)) * 4;
        return [buf[k], buf[k + 1], buf[k + 2]];
      };
      assert.deepEqual(at(after), [0xff, 0x12, 0x01], "the diamond is filled in the missing category's red");
      const black = [blackAround(pixels, width, ratio, mark, 8), blackAround(after, width, ratio, mark, 8)];
      assert.ok(black[0] < 4 && black[1] > 20, `black outline pixels before and after: ${black}`);
      const item = await page.textContent("#placed-list");
      assert.match(item, /Zn2O/);
      assert.match(item, /missing/);
      assert.match(item, /placed/);
      assert.match(await page.textContent("#place-status"), /placed by its own method without recomputing it/);
      assert.match(await page.textContent("#placed-legend"), /your formula, placed on this map/);
      await shot("-placed");
      // Clicking the mark explains Zn2O.
      const box = await page.locator("#map").boundingBox();
      await page.mouse.click(box.x + mark[0], box.y + mark[1]);
      await page.waitForFunction(() => /^Zn2O is allowed/.test(document.querySelector("#details-body .summary")?.textContent ?? ""), null, { timeout: 20_000 });
      assert.match(page.url(), /sel=Zn2O/);
    },
  },
  {
    name: "an uploaded list of 40 formulas is placed, listed and exported with provenance",
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      const csv = ["formula,energy_above_hull", ...FORTY.map((f) => `${f},0.05`)].join("\n");
      await page.setInputFiles("#place-file", { name: "mine.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await page.waitForFunction(() => document.querySelectorAll("#placed-list li").length === 40, null, { timeout: 30_000 });
      await page.waitForFunction(() => /placed by its own method/.test(document.querySelector("#place-status").textContent), null, { timeout: 60_000 });
      assert.match(await page.textContent("#place-note"), /40 formulas added from 'mine.csv'/);
      const states = await page.$$eval("#placed-list .placed-state", (s) => s.map((e) => e.textContent));
      assert.ok(states.every((s) => s === "placed" || s.startsWith("in the sample")), states.join(" | "));
      const placed = states.filter((s) => s === "placed").length;
      assert.equal(Number(await page.getAttribute("#map", "data-placed")), 40, "every one is marked (placed or at its own point)");
      await shot("-list");
      const { name, text } = await download(page, "#export-csv");
      assert.equal(name, "crystal-atlas-n2-mat2vec-pca.csv");
      const lines = text.trim().split("\n");
      const comments = lines.filter((l) => l.startsWith("#"));
      assert.match(comments[0], /^# Crystal Atlas \d+\.\d+\.\d+/);
      for (const want of [/^# link: http.*#red=pca&place=Li2O,LiO2,/, /^# seed: 42$/, /^# setting reducer: pca$/, /^# setting element embedding: mat2vec$/, /^# data smact: 4\.0\.2/]) {
        assert.ok(comments.some((c) => want.test(c)), `${want} among ${comments.join(" | ")}`);
      }
      const data = lines.filter((l) => !l.startsWith("#"));
      assert.equal(data[0], "formula,category,pca_1,pca_2,source,selected");
      assert.equal(data.filter((l) => l.includes(",sample,")).length, 11936);
      const rows = data.filter((l) => l.includes(",placed,"));
      assert.equal(rows.length, placed);
      for (const row of rows) {
        assert.match(row, /^[A-Za-z0-9]+,(standard|missing|interesting|unlikely),-?[0-9.e-]+,-?[0-9.e-]+,placed,false$/);
      }
      // With the embedding vectors: 200 mat2vec columns.
      const vectors = await download(page, "#export-csv-vectors");
      const header = vectors.text.split("\n").find((l) => l.startsWith("formula,"));
      assert.equal(header.split(",").length, 6 + 200);
      assert.ok(header.endsWith(",mat2vec_199,mat2vec_200"));
    },
  },
  {
    name: "the neighbours of the composition in focus are listed and clickable",
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca&k=300&sel=ZnO");
      await waitForMap(page, "PCA");
      await page.waitForFunction(() => document.querySelectorAll("#neighbours .nearby-list").length === 2, null, { timeout: 60_000 });
      assert.match(await page.textContent("#neighbours h3"), /What ZnO resembles/);
      const lists = await page.$$eval("#neighbours .nearby-list", (ls) => ls.map((l) => l.querySelectorAll("li").length));
      assert.deepEqual(lists, [10, 10]);
      const distances = await page.$$eval("#neighbours .nearby:last-of-type .distance", (d) => d.map((e) => Number(e.textContent)));
      assert.ok(distances.every((d, i) => i === 0 || d >= distances[i - 1]), `nearest first: ${distances}`);
      const known = await page.textContent("#neighbours .nearby:last-of-type");
      assert.match(known, /Known materials in the Materials Project: [0-9,]+ compositions searched/);
      assert.doesNotMatch(known, /\b(missing|unlikely)\b/, "known materials are standard or interesting");
      await shot("-zno");
      const next = await page.getAttribute("#neighbours .nearby:last-of-type button", "data-formula");
      await page.click("#neighbours .nearby:last-of-type button");
      await page.waitForFunction((f) => location.hash.includes(`sel=${f}`), next);
      await page.waitForFunction((f) => document.querySelector("#neighbours h3")?.textContent === `What ${f} resembles`, next, { timeout: 30_000 });
      await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
      assert.ok((await page.textContent("#details-body .summary")).startsWith(next));
    },
  },
  {
    name: "a box selection is summarised and its summary exported",
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca");
      await waitForMap(page, "PCA");
      assert.equal(await page.isVisible("#selection-card"), false);
      await page.check("input[name=mode][value=box]", { force: true });
      const box = await page.locator("#map").boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 5 });
      await page.mouse.up();
      await page.locator("#selection-card").waitFor({ state: "visible" });
      const selected = Number((await page.textContent("#chips")).match(/([0-9,]+) selected/)[1].replaceAll(",", ""));
      const text = await page.textContent("#selection-card");
      assert.match(text, new RegExp(`${selected.toLocaleString("en-GB")} points selected: \\d+% known to the database, \\d+% allowed`));
      assert.match(text, /Most frequent elements: [A-Z][a-z]? \(/);
      assert.match(text, /Most frequent systems: [A-Z][a-z]?-/);
      const counts = await page.$$eval(".selection-cats li", (li) => li.map((l) => Number(l.textContent.match(/([0-9,]+)$/)[1].replaceAll(",", ""))));
      assert.equal(counts.reduce((a, b) => a + b, 0), selected);
      await page.locator("#selection-card").scrollIntoViewIfNeeded();
      await shot("-card");
      assert.deepEqual(await axe(page), [], "the selection card passes axe-core");
      const [file] = await Promise.all([page.waitForEvent("download"), page.click("#selection-export")]);
      const csv = (await readFile(await file.path())).toString();
      assert.equal(file.suggestedFilename(), "crystal-atlas-n2-mat2vec-pca-selection-summary.csv");
      const data = csv.trim().split("\n").filter((l) => !l.startsWith("#"));
      assert.equal(data[0], "part,name,count,share");
      assert.equal(data[1], `points,selected,${selected},`);
      assert.ok(csv.startsWith("# Crystal Atlas"));
      // Density contours under the points, kept in the link.
      const plain = await canvasPixels(page);
      await page.check("#density-toggle");
      await page.waitForFunction(() => document.querySelector("#map").dataset.contours === "4");
      assert.match(page.url(), /dens=1/);
      await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
      const contoured = await canvasPixels(page);
      let changed = 0;
      for (let i = 0; i < plain.length; i += 4) if (plain[i] !== contoured[i] || plain[i + 2] !== contoured[i + 2]) changed++;
      assert.ok(changed > 500, `contours drawn (${changed} pixels changed)`);
      await shot("-density");
    },
  },
  {
    name: "on a phone the placed formulas, their list and the neighbours fit the screen",
    viewport: { width: 390, height: 844 },
    mobile: true,
    async run({ page, url, shot }) {
      await page.goto(url + "#red=pca&k=500&place=Zn2O,LiZnO,CfO9&sel=Zn2O");
      await waitForMap(page, "PCA");
      await page.waitForFunction(() => Number(document.querySelector("#map").dataset.placed) >= 2, null, { timeout: 60_000 });
      await shot("-map");
      await page.locator("#place-card").scrollIntoViewIfNeeded();
      for (const e of await page.locator("#place-card, #placed-list li, #place-input").all()) {
        const b = await e.boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= 390, `inside the screen: ${JSON.stringify(b)}`);
      }
      await shot("-list");
      await page.waitForFunction(() => document.querySelectorAll("#neighbours .nearby-list").length === 2, null, { timeout: 60_000 });
      await page.locator("#neighbours").scrollIntoViewIfNeeded();
      const b = await page.locator("#neighbours").boundingBox();
      assert.ok(b.x >= 0 && b.x + b.width <= 390);
      await shot("-neighbours");
      assert.deepEqual(await axe(page), [], "the placed list and the neighbours pass axe-core");
    },
  },
];
