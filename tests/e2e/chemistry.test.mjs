// Table 2, the chemical-system explorer, explanations and bad input.
import assert from "node:assert/strict";

/// Waits for the binary row of Table 2 and returns its allowed count.
async function binaryAllowed(page) {
  const cell = page.locator('#counts-table [data-order="2"] [data-allowed]');
  await cell.waitFor({ timeout: 20_000 });
  return Number(await cell.getAttribute("data-allowed"));
}

export const tests = [
  {
    name: "Table 2 shows 13,464 allowed binaries",
    async run({ page, url }) {
      await page.goto(url);
      assert.equal(await binaryAllowed(page), 13464);
      await assert.match(await page.textContent('#counts-table [data-order="2"]'), /13,464 of 225,879 allowed/);
      await page.click("#tab-counts");
      await page.locator("#counts-full table").waitFor();
      assert.match(await page.textContent("#counts-full"), /225,879/);
    },
  },
  {
    name: "explorer lists Li-Zn-O in the four categories",
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.click("#tab-system");
      await page.fill("#system-input", "Li-Zn-Sn-O");
      await page.click("#system-form button[type=submit]");
      const block = page.locator('[data-system="Li-Zn-O"]');
      await block.waitFor({ timeout: 20_000 });
      // Paper Table 1: LiZnO2 and Li6ZnO4 are standard, LiZnO missing, LiZnO4 unlikely.
      const column = (i) => block.locator(".system-cat").nth(i);
      assert.ok(await column(0).locator('[data-formula="LiZnO2"]').count(), "LiZnO2 standard");
      assert.ok(await column(0).locator('[data-formula="Li6ZnO4"]').count(), "Li6ZnO4 standard");
      assert.ok(await column(1).locator('[data-formula="LiZnO"]').count(), "LiZnO missing");
      await page.click('[data-system="Li-Zn-O"] [data-formula="LiZnO2"]');
      await page.locator("#details-body .summary").waitFor();
      assert.match(await page.textContent("#details-body"), /LiZnO2 is allowed/);
      await shot("-details");
    },
  },
  {
    name: "explaining Zn2O draws charges that sum to zero",
    async run({ page, url }) {
      await page.goto(url);
      await page.fill("#explain-input", "Zn2O");
      await page.click("#explain-form button[type=submit]");
      await page.locator("#details-body .charges").first().waitFor({ timeout: 20_000 });
      const charges = await page.textContent("#details-body .charges");
      assert.match(charges, /Zn\(\+1\)× 2 = \+2/);
      assert.match(charges, /O\(−2\)× 1 = −2/);
      assert.equal(await page.textContent("#details-body .total"), "0");
      assert.ok(await page.locator("#details-body .en-mark.cation").count(), "the cation is on the electronegativity scale");
      // A malformed formula gets an inline message; the explanation stays.
      await page.fill("#explain-input", "Zn2Qq");
      await page.click("#explain-form button[type=submit]");
      await page.locator("#explain-note").waitFor();
      assert.match(await page.textContent("#explain-note"), /'Qq' is not an element symbol/);
      assert.match(await page.textContent("#details-body"), /Zn2O is allowed/);
    },
  },
  {
    name: "a malformed upload gets a message and changes nothing",
    async run({ page, url }) {
      await page.goto(url);
      assert.equal(await binaryAllowed(page), 13464);
      await page.setInputFiles("#ox-file", { name: "broken.txt", mimeType: "text/plain", buffer: Buffer.from("Fe +2 +3\nXx 3\n") });
      await page.waitForFunction(() => /was not used/.test(document.querySelector("#note-ox-file").textContent), null, { timeout: 20_000 });
      assert.match(await page.textContent("#note-ox-file"), /'broken.txt' was not used: .*line 2: 'Xx' is not an element symbol/);
      assert.equal(await page.inputValue("#ox-set"), "smact14");
      assert.equal(await binaryAllowed(page), 13464);
      await page.setInputFiles("#known-file", { name: "mine.csv", mimeType: "text/csv", buffer: Buffer.from("id,energy\n1,2\n") });
      await page.waitForFunction(() => document.querySelector("#note-known-file").textContent.includes("mine.csv"), null, { timeout: 20_000 });
      assert.match(await page.textContent("#note-known-file"), /no 'formula' column/);
      assert.equal(await page.inputValue("#known"), "mp");
    },
  },
  {
    name: "a good upload is used",
    async run({ page, url }) {
      await page.goto(url);
      assert.equal(await binaryAllowed(page), 13464);
      // Only Zn(+2) and O(-2): the binaries allowed are ZnO alone.
      await page.setInputFiles("#ox-file", { name: "tiny.txt", mimeType: "text/plain", buffer: Buffer.from("Zn +2\nO -2\n") });
      await page.waitForFunction(() => document.querySelector('#counts-table [data-order="2"] [data-allowed]')?.getAttribute("data-allowed") === "1", null, { timeout: 20_000 });
      assert.equal(await page.inputValue("#ox-set"), "upload");
    },
  },
  {
    name: "a bad link parameter is reported and the others still apply",
    async run({ page, url }) {
      await page.goto(url + "#n=3&ms=99&tab=system&sys=Li-Zn-O");
      await page.locator("#messages .message").first().waitFor();
      const text = await page.textContent("#messages");
      assert.match(text, /One setting of this link could not be used/);
      assert.match(text, /link setting 'ms=99': Largest stoichiometric factor must be a whole number from 1 to 16; using 8/);
      assert.equal(await page.inputValue("#order"), "3");
      assert.equal(await page.inputValue("#max-stoich"), "8");
      await page.locator('[data-system="Li-Zn-O"]').waitFor({ timeout: 20_000 });
    },
  },
];

tests.push({
  name: "OQMD is fetched when chosen and relabels the counts",
  async run({ page, url }) {
    const fetched = [];
    page.on("request", (r) => fetched.push(r.url()));
    await page.goto(url);
    const allowed = page.locator('#counts-table [data-order="2"] [data-allowed]');
    await allowed.waitFor({ timeout: 20_000 });
    const mp = await page.textContent('#counts-table [data-order="2"] .cats');
    await page.selectOption("#known", "oqmd");
    await page.waitForFunction(
      (before) => {
        const cats = document.querySelector('#counts-table [data-order="2"] .cats');
        return cats && cats.textContent !== before;
      },
      mp,
      { timeout: 30_000 },
    );
    assert.ok(fetched.some((u) => u.endsWith("data/known/oqmd.bin")), "oqmd.bin fetched on demand");
    assert.equal(await allowed.getAttribute("data-allowed"), "13464", "allowed does not depend on the database");
    assert.match(await page.textContent("#counts-note"), /known means in OQMD/);
    assert.match(page.url(), /db=oqmd/);
  },
});

tests.push({
  name: "a sampled composition in the explorer is located on the map",
  async run({ page, url, shot }) {
    await page.goto(url + "#red=pca&tab=system&sys=Zn-O");
    // Every standard binary is in the sample (there are fewer than 3,000), so ZnO is on the map.
    const zno = page.locator('[data-system="Zn-O"] button[data-formula="ZnO"].sampled');
    await zno.waitFor({ timeout: 60_000 });
    await zno.click();
    await page.locator("#panel-map").waitFor({ state: "visible" });
    await page.waitForFunction(() => location.hash.includes("sel=ZnO"));
    await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
    assert.match(await page.textContent("#details-body .summary"), /^ZnO is allowed/);
    await page.waitForTimeout(300);
    await shot("-located");
  },
});

tests.push({
  name: "Fe3O4 fails without mixed valence, says why, and passes with it",
  async run({ page, url, shot }) {
    await page.goto(url + "#sel=Fe3O4");
    await page.locator("#details-body .summary").waitFor({ timeout: 20_000 });
    assert.match(await page.textContent("#details-body .summary"), /Fe3O4 is forbidden/);
    assert.match(await page.textContent("#details-body"), /With mixed valence \(in the settings\)/);
    // The states tried, those of the closest charges marked.
    assert.equal(await page.textContent('#details-body .states-row:has(strong:text-is("Fe")) .state.used'), "+3");
    await shot("-without");
    await page.check("#mixed-valence");
    await page.waitForFunction(() => /mv=1/.test(location.hash));
    await page.waitForFunction(() => /Fe3O4 is allowed/.test(document.querySelector("#details-body .summary")?.textContent ?? ""), null, { timeout: 20_000 });
    const charges = await page.textContent("#details-body .charges");
    assert.match(charges, /Fe\(\+2\)/);
    assert.match(charges, /Fe\(\+3\)× 2/);
    // Table 2 counts with the option: 22,241 binaries (tests/smact_differential.rs checks it against SMACT).
    await page.waitForFunction(() => document.querySelector('#counts-table [data-order="2"] [data-allowed]')?.dataset.allowed === "22241", null, { timeout: 30_000 });
    await shot("-with");
  },
});

tests.push({
  name: "ZnO leads with the charges a chemist writes and ZnO3 says which state it would need",
  async run({ page, url }) {
    await page.goto(url + "#sel=ZnO");
    await page.locator("#details-body .charges").first().waitFor({ timeout: 20_000 });
    const first = await page.textContent("#details-body .charges");
    assert.match(first, /Zn\(\+2\)/);
    assert.match(first, /O\(−2\)/);
    await page.fill("#explain-input", "ZnO3");
    await page.click("#explain-form button[type=submit]");
    await page.waitForFunction(() => /ZnO3 is forbidden/.test(document.querySelector("#details-body .summary")?.textContent ?? ""), null, { timeout: 20_000 });
    assert.match(await page.textContent("#details-body"), /It would need Zn\(\+6\), a state smact14 does not list for Zn/);
  },
});
