// "Overzicht": the coordinator opens the figures; each table holds, cell by
// cell, what GetSignalFigures and GetCaseFigures returned (the test passes
// them: EXPECTED_SIGNALS, EXPECTED_CASES), a small count as "<5"; nothing
// the test put in about persons, addresses or texts (PRIVATE) is on the
// page. hartslag-web runs without a tile server: no "Kaart". The filter
// by area asks the service for one wijk; the administrator sees the
// municipality's figures.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const expectedSignals = JSON.parse(process.env.EXPECTED_SIGNALS);
const expectedCases = JSON.parse(process.env.EXPECTED_CASES);
const personal = JSON.parse(process.env.PRIVATE);

// Each body row's cells as text (the row header first).
async function cells(page, table) {
  return page.locator(`table[data-table="${table}"] tbody tr`).evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll("th, td")].map((cell) => cell.textContent.trim())));
}

async function noPersonalData(page, screen) {
  const text = await page.locator("body").innerText();
  for (const value of personal) assert.ok(!text.includes(value), `${screen} shows no "${value}"`);
}

run(async (browser) => {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  const nav = page.getByRole("navigation", { name: "Hoofdmenu" });
  await nav.getByRole("link", { name: "Overzicht" }).click();
  assert.equal(await nav.getByRole("link", { name: "Kaart" }).count(), 0, "no map without a tile server");
  await page.getByRole("heading", { name: "Overzicht", level: 1 }).waitFor();
  await page.locator('table[data-table="meldingen"]').waitFor();

  assert.deepEqual(await cells(page, "meldingen"), expectedSignals, "the signals' figures as the service gave them");
  assert.deepEqual(await cells(page, "casussen"), expectedCases, "the cases' figures as the service gave them");
  assert.ok((await cells(page, "meldingen")).flat().includes("<5"), "a small count is withheld");
  assert.ok(await page.getByText("Geen acties gegeven in deze periode.").isVisible());
  // Tables a screen reader can read: a caption, column and row headers.
  for (const table of ["meldingen", "casussen"]) {
    const t = page.locator(`table[data-table="${table}"]`);
    assert.ok((await t.locator("caption").textContent()).length > 10, `${table} has a caption`);
    assert.ok(await t.locator('thead th[scope="col"]').count() >= 7);
    assert.equal(await t.locator('tbody th[scope="row"]').count(), await t.locator("tbody tr").count());
  }
  // The bars show the sizes of shown counts only.
  assert.ok(await page.locator(".hartslag-overview-bar").count() >= 1);
  await noPersonalData(page, "overzicht");
  await checkAccessibility(page, "overzicht");

  // One wijk: the service counts it alone.
  await page.getByLabel("Gebied", { exact: true }).selectOption({ label: "Kasteelbuurt (Heerlen-Noord)" });
  await page.getByRole("button", { name: "Toon cijfers" }).click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table[data-table="meldingen"] tbody tr')];
    return rows.length > 0 && rows.every((r) => r.children[1].textContent === "Kasteelbuurt");
  });
  const kasteelbuurt = expectedSignals.filter((row) => row[1] === "Kasteelbuurt");
  assert.deepEqual(await cells(page, "meldingen"), kasteelbuurt);

  // A period the service refuses: its sentence, beside the field.
  await page.getByLabel("Van week").fill("2030-W10");
  await page.getByLabel("Tot en met week").fill("2030-W02");
  await page.getByRole("button", { name: "Toon cijfers" }).click();
  await page.locator(".utrecht-alert--error").waitFor();
  assert.ok(await page.locator('[aria-invalid="true"]').count() >= 1, "the refusal is shown beside a field");
  await noPersonalData(page, "overzicht-fout");

  const small = await newPage(browser, phone);
  await logIn(small, "carla.coordinator");
  await small.goto(`${new URL(small.url()).origin}/#/overzicht`);
  await small.locator('table[data-table="meldingen"]').waitFor();
  assert.deepEqual(await cells(small, "meldingen"), expectedSignals);
  await checkAccessibility(small, "overzicht");

  // The administrator: the whole municipality, the same figures here.
  const admin = await newPage(browser, desk);
  await logIn(admin, "bart.beheer");
  await admin.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Overzicht" }).click();
  await admin.locator('table[data-table="meldingen"]').waitFor();
  // (Categories by id: their labels are the coordinator's list.)
  const withoutCategory = (rows) => rows.map((row) => row.filter((_, i) => i !== 2));
  assert.deepEqual(withoutCategory(await cells(admin, "meldingen")), withoutCategory(expectedSignals));
  assert.deepEqual(await cells(admin, "casussen"), expectedCases);
  await noPersonalData(admin, "overzicht-beheerder");
  await checkAccessibility(admin, "overzicht-beheerder");
});
