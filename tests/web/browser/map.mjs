// "Kaart": hartslag-web runs with the test's tile server. The coordinator
// opens the map of Heerlen-Noord: the tiles load, each signal with
// coordinates (PLACED: id and address) is a marker named by its category
// and address, and the list below the map names the same signals; the
// signal without coordinates is counted, not placed. By keyboard alone a
// marker is reached with Tab and Enter selects its signal in the list.
// With cases, the case of the first signal (PLACED_CASE) stands at its
// place and the case without signals is counted as not placed.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const placed = JSON.parse(process.env.PLACED);
const placedCase = process.env.PLACED_CASE;

async function markers(page, kind) {
  return page.locator(`.leaflet-marker-icon[data-kind="${kind}"]`).evaluateAll((all) =>
    all.map((m) => ({ id: m.dataset.id, name: m.getAttribute("aria-label"), role: m.getAttribute("role"), tabindex: m.getAttribute("tabindex") })));
}

async function listed(page, kind) {
  return page.locator(`.hartslag-map-list li[data-kind="${kind}"]`).evaluateAll((all) =>
    all.map((li) => ({ id: li.dataset.id, name: li.querySelector("strong").textContent })));
}

run(async (browser) => {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  await page.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Kaart" }).click();
  await page.getByRole("heading", { name: "Kaart", level: 1 }).waitFor();
  await page.locator(".leaflet-marker-icon").first().waitFor();

  // Tiles from the tile server, shown.
  await page.waitForFunction(() => [...document.querySelectorAll("img.leaflet-tile")].some((t) => t.complete && t.naturalWidth === 256));

  const onMap = await markers(page, "signal");
  assert.deepEqual(onMap.map((m) => m.id).sort(), placed.map((p) => p.id).sort(), "a marker for each signal with coordinates");
  for (const m of onMap) {
    const address = placed.find((p) => p.id === m.id).address;
    assert.match(m.name, new RegExp(`^[^,]+, ${address}, `), `marker ${m.id} named by category and address`);
    assert.equal(m.role, "button");
    assert.equal(m.tabindex, "0");
  }
  const inList = await listed(page, "signal");
  assert.deepEqual(inList.map((i) => i.id).sort(), onMap.map((m) => m.id).sort(), "the list holds the signals on the map");
  for (const item of inList) assert.equal(item.name.replace(": ", ", "), onMap.find((m) => m.id === item.id).name);
  assert.match(await page.getByTestId("kaart-samenvatting").textContent(), /3 meldingen op de kaart; 1 melding zonder coördinaten staat niet op de kaart/);
  assert.equal(await page.getByText("Zonder Plekstraat").count(), 0, "a signal without coordinates is not on the map");
  await checkAccessibility(page, "kaart");

  // Keyboard only: Tab from the form's button until a marker has the focus.
  await page.getByRole("button", { name: "Kaart bijwerken" }).focus();
  let focused = null;
  for (let i = 0; i < 25 && !focused; ++i) {
    await page.keyboard.press("Tab");
    focused = await page.evaluate(() => {
      const e = document.activeElement;
      return e?.classList.contains("leaflet-marker-icon") ? e.dataset.id : null;
    });
  }
  assert.ok(focused, "a marker is reached with Tab");
  await page.keyboard.press("Enter");
  const chosen = page.locator(`.hartslag-map-list li[data-id="${focused}"]`);
  assert.equal(await chosen.getAttribute("aria-current"), "true", "the chosen signal is the list's current entry");
  assert.equal(await page.locator('.hartslag-map-list li[aria-current]').count(), 1, "and the only one");
  assert.ok(await chosen.evaluate((li) => li === document.activeElement), "Enter takes the focus to the signal in the list");

  // Cases, on request: one at the place of its signal, one counted.
  await page.getByLabel("Ook casussen tonen").check();
  await page.getByRole("button", { name: "Kaart bijwerken" }).click();
  await page.locator('.leaflet-marker-icon[data-kind="case"]').first().waitFor();
  assert.deepEqual((await markers(page, "case")).map((m) => m.id), [placedCase]);
  assert.match(await page.getByTestId("kaart-samenvatting").textContent(), /1 casus op de plek van een melding; 1 casus staat niet op de kaart/);
  await checkAccessibility(page, "kaart-casussen");

  const small = await newPage(browser, phone);
  await logIn(small, "carla.coordinator");
  await small.goto(`${new URL(small.url()).origin}/#/kaart`);
  await small.locator(".leaflet-marker-icon").first().waitFor();
  assert.equal(await small.locator('.leaflet-marker-icon[data-kind="signal"]').count(), placed.length);
  await checkAccessibility(small, "kaart");
});
