// The privacy officer's week: a request for access about one address is
// answered from the access overview (exactly the accesses the audit service
// reports, organisation names and no employees); a restriction on the
// police's accesses hides them until it is lifted (by keyboard, with a
// confirmation in the page); the coordinator's break-the-glass read is
// reviewed; and an audit record is checked against the signed tree head in
// the browser, once as stored (verified) and once with one byte of the
// record changed on its way to the browser (not verified).
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const expected = new Set((process.env.EXPECTED_ACCESSES ?? "").split(";").filter(Boolean));
const postcode = process.env.ADDRESS_POSTCODE;
const houseNumber = process.env.ADDRESS_NUMBER;
const breakGlassReason = process.env.BREAK_GLASS_REASON;
const finding = "Nagegaan bij de regisseur: het gevaar was acuut, de inzage was terecht.";
const employees = ["sam.straatcoach", "carla.coordinator", "peter.politie"];

// Opens a screen and waits until it replaced the one before (the screen
// shown after logging in renders too, so a form filled too early would be
// thrown away).
async function go(page, path, title) {
  await page.locator(".hartslag-privacy h1").first().waitFor();
  if (new URL(page.url()).hash !== `#/${path}`) {
    const before = await page.$(".hartslag-privacy");
    await page.goto(`${new URL(page.url()).origin}/#/${path}`);
    await page.waitForFunction((element) => !element.isConnected, before);
  }
  await page.getByRole("heading", { name: title, level: 1 }).waitFor();
}

// The accesses the overview shows for the address, as
// "organisation|action|purpose".
async function overview(page) {
  await go(page, "inzage", "Inzageoverzicht");
  await page.getByLabel("Postcode").fill(postcode);
  await page.getByLabel("Huisnummer").fill(houseNumber);
  await page.getByRole("button", { name: "Inzages tonen" }).click();
  await page.getByRole("heading", { name: "Inzages", level: 2 }).waitFor();
  return new Set(
    await page.locator("tr.hartslag-privacy-access").evaluateAll((rows) =>
      rows.map((r) => `${r.dataset.organisationId}|${r.dataset.action}|${r.dataset.purpose}`)),
  );
}

run(async (browser) => {
  assert.ok(expected.size >= 3, `the test passed the week's accesses: ${[...expected]}`);
  const page = await newPage(browser, desk);
  await logIn(page, "pien.privacy");
  for (const label of ["Inzageoverzicht", "Beperkingen", "Spoedtoegang (break-the-glass)", "Auditlog"]) {
    await page.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: label }).waitFor();
  }

  // The access overview: exactly what the audit service reports, by name.
  assert.deepEqual(await overview(page), expected);
  const table = await page.locator("table.hartslag-privacy-table").textContent();
  assert.match(table, /Politie Limburg/);
  assert.match(table, /Gemeente Heerlen/);
  assert.match(table, /Uitvoeren van acties/);
  for (const who of employees) assert.ok(!table.includes(who), `no employee in the overview: ${who}`);
  await checkAccessibility(page, "inzage");

  // A restriction on the police's accesses to the address.
  await go(page, "beperkingen", "Beperkingen");
  await checkAccessibility(page, "beperkingen");
  await page.getByLabel("Postcode").fill(postcode);
  await page.getByLabel("Huisnummer").fill(houseNumber);
  await page.getByLabel("Alleen inzages van").selectOption({ label: "Politie Limburg" });
  await page.getByLabel("Reden").fill("Lopend politieonderzoek");
  const review = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
  await page.getByLabel("Herbeoordelen op").fill(review);
  await page.getByRole("button", { name: "Beperking instellen" }).click();
  await page.getByText("De beperking is ingesteld.").waitFor();
  const restriction = page.locator(".hartslag-privacy-restriction").filter({ hasText: "Lopend politieonderzoek" }).first();
  assert.match(await restriction.textContent(), /Actief/);
  await checkAccessibility(page, "beperkingen-ingesteld");

  const withoutPolice = new Set([...expected].filter((e) => !e.startsWith("politie|")));
  assert.notEqual(withoutPolice.size, expected.size, "the police read the case");
  assert.deepEqual(await overview(page), withoutPolice, "the restricted accesses are left out");

  // Lifted by keyboard only: the confirmation is in the page, no dialog.
  await go(page, "beperkingen", "Beperkingen");
  const card = page.locator(".hartslag-privacy-restriction").filter({ hasText: "Lopend politieonderzoek" }).first();
  await card.getByRole("button", { name: "Opheffen" }).focus();
  await page.keyboard.press("Enter");
  const confirm = card.getByRole("button", { name: "Ja, beperking opheffen" });
  await confirm.waitFor();
  assert.equal(await confirm.evaluate((b) => b === document.activeElement), true, "the focus moves to the confirmation");
  await page.keyboard.press("Escape");
  assert.equal(await card.getByRole("button", { name: "Opheffen" }).evaluate((b) => b === document.activeElement), true, "Escape goes back");
  await page.keyboard.press("Enter");
  await confirm.waitFor();
  await page.keyboard.press("Enter");
  await page.getByText("De beperking is opgeheven.").waitFor();
  assert.match(await card.textContent(), /Opgeheven/);
  assert.match(await card.textContent(), /pien\.privacy/);
  assert.deepEqual(await overview(page), expected, "lifted: the police's accesses show again");

  // The break-the-glass read, reviewed.
  await go(page, "spoedtoegang", "Spoedtoegang (break-the-glass)");
  const item = page.locator(".hartslag-privacy-review").filter({ hasText: breakGlassReason });
  assert.match(await item.textContent(), /carla\.coordinator/);
  assert.match(await item.textContent(), /Gemeente Heerlen/);
  assert.match(await item.textContent(), /Te beoordelen/);
  await checkAccessibility(page, "spoedtoegang");
  await item.getByRole("button", { name: "Beoordeling afronden" }).click();
  await item.getByText("Vul uw bevinding in.").waitFor();
  await item.getByLabel("Bevinding").fill(finding);
  await item.getByLabel("Ja, terecht").check();
  await item.getByRole("button", { name: "Beoordeling afronden" }).click();
  await page.getByText("De beoordeling is afgerond.").waitFor();
  assert.match(await item.textContent(), /Beoordeeld/);
  assert.match(await item.textContent(), /Terecht/);
  assert.ok((await item.textContent()).includes(finding));
  assert.match(await item.textContent(), /pien\.privacy/);
  await checkAccessibility(page, "spoedtoegang-beoordeeld");

  // The audit log: the signed tree head and a record checked in the browser.
  await go(page, "auditlog", "Auditlog");
  const size = Number(await page.getByTestId("boomgrootte").textContent());
  assert.ok(size > 0, `the tree head counts records: ${size}`);
  await checkAccessibility(page, "auditlog");
  const records = page.locator(".hartslag-privacy-record");
  assert.ok((await records.count()) >= 2);
  const first = records.nth(0);
  await first.getByRole("button", { name: "Controleer opname in de log" }).click();
  const verified = first.getByText(/^Geverifieerd: het record zit in de log met root [0-9a-f]{64}$/);
  await verified.waitFor();
  const root = (await verified.textContent()).slice(-64);
  const shownRoot = (await page.locator(".hartslag-privacy-tree-head code").first().textContent()).replace(/\s/g, "");
  assert.equal(root, shownRoot, "the root computed in the browser is the signed tree head's");

  // One byte of the record changed before the browser verifies it.
  await page.route("**/api/v1/hartslag.audit.v1.AuditService/GetInclusionProof", async (route) => {
    const response = await route.fetch();
    const proof = await response.json();
    const entry = Buffer.from(proof.entry, "base64");
    entry[entry.length - 1] ^= 0x01;
    proof.entry = entry.toString("base64");
    await route.fulfill({ response, json: proof });
  });
  const second = records.nth(1);
  await second.getByRole("button", { name: "Controleer opname in de log" }).click();
  const refused = second.getByText(/^Niet geverifieerd: de berekende root [0-9a-f]{64} wijkt af/);
  await refused.waitFor();
  await page.unroute("**/api/v1/hartslag.audit.v1.AuditService/GetInclusionProof");
  await second.getByRole("button", { name: "Controleer opname in de log" }).click();
  await second.getByText(/^Geverifieerd: /).waitFor();
  await checkAccessibility(page, "auditlog-gecontroleerd");

  // Each screen on a phone.
  const small = await newPage(browser, phone);
  await logIn(small, "pien.privacy");
  await overview(small);
  await checkAccessibility(small, "inzage");
  for (const [path, title] of [["beperkingen", "Beperkingen"], ["spoedtoegang", "Spoedtoegang (break-the-glass)"], ["auditlog", "Auditlog"]]) {
    await go(small, path, title);
    await checkAccessibility(small, path);
  }
  await small.locator(".hartslag-privacy-record").first().getByRole("button", { name: "Controleer opname in de log" }).click();
  await small.getByText(/^Geverifieerd: /).first().waitFor();
  await checkAccessibility(small, "auditlog-gecontroleerd");
});
