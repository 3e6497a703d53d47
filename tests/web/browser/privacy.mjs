// The privacy officer's week: a request for access about one address is
// answered from the access overview (exactly the accesses the audit service
// reports, in its order and with their times, over two pages; organisation
// names and no employees); a restriction on the police's accesses hides
// them until it is lifted (by keyboard, with a confirmation in the page,
// once however often Enter is pressed); the coordinator's break-the-glass
// read is reviewed (once, however often the button is pressed; listed
// among the open reviews until then); and an audit record is checked against
// the signed tree head in the browser: verified as stored, refused with one
// byte of the record changed on its way, refused when the tree head's
// signature was changed on its way, and refused when the record shown says
// something else than the entry in the log.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const expected = (process.env.EXPECTED_ACCESSES ?? "").split(";").filter(Boolean);
const postcode = process.env.ADDRESS_POSTCODE;
const houseNumber = process.env.ADDRESS_NUMBER;
const breakGlassReason = process.env.BREAK_GLASS_REASON;
const finding = "Nagegaan bij de regisseur: het gevaar was acuut, de inzage was terecht.";
const employees = ["sam.straatcoach", "carla.coordinator", "peter.politie"];
const api = (method) => `**/api/v1/hartslag.${method}`;

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

// The same screen anew (for an answer routed differently).
async function reopen(page, path, title) {
  await go(page, "inzage", "Inzageoverzicht");
  await go(page, path, title);
}

// The accesses the overview shows for the address, every page, in order, as
// "occurred_at|organisation|action|purpose". After "more", the focus is on
// the first new row.
async function overview(page) {
  await go(page, "inzage", "Inzageoverzicht");
  await page.getByLabel("Postcode").fill(postcode);
  await page.getByLabel("Huisnummer").fill(houseNumber);
  await page.getByRole("button", { name: "Inzages tonen" }).click();
  await page.getByRole("heading", { name: "Inzages", level: 2 }).waitFor();
  const rows = page.locator("tr.hartslag-privacy-access");
  const more = page.getByRole("button", { name: "Meer inzages tonen" });
  let pages = 1;
  while (await more.isVisible()) {
    const before = await rows.count();
    await more.click();
    await rows.nth(before).waitFor();
    assert.equal(await rows.nth(before).evaluate((r) => r === document.activeElement || r.contains(document.activeElement)), true, "the focus goes to the first new row");
    pages += 1;
  }
  const shown = await rows.evaluateAll((all) => all.map((r) => `${r.dataset.occurredAt}|${r.dataset.organisationId}|${r.dataset.action}|${r.dataset.purpose}`));
  return { shown, pages };
}

// Counts the calls of `method` the page makes.
function counter(page, method) {
  const counted = { n: 0 };
  page.on("request", (request) => {
    if (request.url().endsWith(`/api/v1/hartslag.${method}`)) counted.n += 1;
  });
  return counted;
}

run(async (browser) => {
  assert.ok(expected.length > 51, `the test passed the week's accesses, more than a page: ${expected.length}`);
  const page = await newPage(browser, desk);
  await logIn(page, "pien.privacy");
  for (const label of ["Inzageoverzicht", "Beperkingen", "Spoedtoegang (break-the-glass)", "Auditlog"]) {
    await page.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: label }).waitFor();
  }

  // The access overview: exactly what the audit service reports, in its
  // order, over two pages; by name.
  const answer = await overview(page);
  assert.equal(answer.pages, 2);
  assert.deepEqual(answer.shown, expected);
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

  const withoutPolice = expected.filter((e) => !e.includes("|politie|"));
  assert.notEqual(withoutPolice.length, expected.length, "the police read the case");
  assert.deepEqual((await overview(page)).shown, withoutPolice, "the restricted accesses are left out");

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
  const lifts = counter(page, "audit.v1.AuditService/LiftRestriction");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await page.getByText("De beperking is opgeheven.").waitFor();
  assert.equal(lifts.n, 1, "lifted once, however often Enter was pressed");
  assert.match(await card.textContent(), /Opgeheven/);
  assert.match(await card.textContent(), /pien\.privacy/);
  assert.deepEqual((await overview(page)).shown, expected, "lifted: the police's accesses show again");

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
  const completions = counter(page, "cases.v1.CaseService/CompleteBreakGlassReview");
  await item.getByRole("button", { name: "Beoordeling afronden" }).dblclick();
  await page.getByText("De beoordeling is afgerond.").waitFor();
  assert.equal(completions.n, 1, "completed once, however often the button was pressed");
  assert.match(await item.textContent(), /Beoordeeld/);
  assert.match(await item.textContent(), /Terecht/);
  assert.ok((await item.textContent()).includes(finding));
  assert.match(await item.textContent(), /pien\.privacy/);
  await checkAccessibility(page, "spoedtoegang-beoordeeld");
  // The open reviews come first; a reviewed one shows under "all".
  await reopen(page, "spoedtoegang", "Spoedtoegang (break-the-glass)");
  await page.getByText(/Er is geen spoedtoegang meer te beoordelen|Te beoordelen/).first().waitFor();
  assert.equal(await page.locator(".hartslag-privacy-review").filter({ hasText: breakGlassReason }).count(), 0, "reviewed: no longer among the open ones");
  await page.getByLabel("Alle, ook beoordeelde").check();
  await page.locator(".hartslag-privacy-review").filter({ hasText: breakGlassReason }).filter({ hasText: "Beoordeeld" }).waitFor();

  // The audit log: the signed tree head and a record checked in the browser.
  await go(page, "auditlog", "Auditlog");
  await page.getByText("Handtekening nagegaan in deze browser met de openbare sleutel van de log.").waitFor();
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
  await page.route(api("audit.v1.AuditService/GetInclusionProof"), async (route) => {
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
  await page.unroute(api("audit.v1.AuditService/GetInclusionProof"));
  await second.getByRole("button", { name: "Controleer opname in de log" }).click();
  await second.getByText(/^Geverifieerd: /).waitFor();
  await checkAccessibility(page, "auditlog-gecontroleerd");

  // The tree head's signature changed on its way (the one GetTreeHead gives
  // and the one with a proof): not trusted, nothing verified against it.
  const forge = (head) => {
    const signature = Buffer.from(head.signature, "base64");
    signature[0] ^= 0x01;
    head.signature = signature.toString("base64");
  };
  await page.route(api("audit.v1.AuditService/GetTreeHead"), async (route) => {
    const response = await route.fetch();
    const head = await response.json();
    forge(head);
    await route.fulfill({ response, json: head });
  });
  await page.route(api("audit.v1.AuditService/GetInclusionProof"), async (route) => {
    const response = await route.fetch();
    const proof = await response.json();
    if (proof.treeHead) forge(proof.treeHead);
    await route.fulfill({ response, json: proof });
  });
  await reopen(page, "auditlog", "Auditlog");
  await page.locator(".hartslag-privacy-tree-head").getByText(/^Niet vertrouwd: de handtekening van de stand klopt niet/).waitFor();
  const forged = page.locator(".hartslag-privacy-record").first();
  await forged.getByRole("button", { name: "Controleer opname in de log" }).click();
  await forged.getByText(/^Niet geverifieerd: de handtekening van de stand klopt niet/).waitFor();
  await page.unroute(api("audit.v1.AuditService/GetTreeHead"));
  await page.unroute(api("audit.v1.AuditService/GetInclusionProof"));

  // The record shown says another action than the entry in the log.
  await page.route(api("audit.v1.AuditService/QueryEvents"), async (route) => {
    const response = await route.fetch();
    const page1 = await response.json();
    const e = page1.events[0].event;
    e.action = e.action === "ACTION_READ" ? "ACTION_LIST" : "ACTION_READ";
    await route.fulfill({ response, json: page1 });
  });
  await reopen(page, "auditlog", "Auditlog");
  await page.getByText("Handtekening nagegaan in deze browser met de openbare sleutel van de log.").waitFor();
  const altered = page.locator(".hartslag-privacy-record").first();
  await altered.getByRole("button", { name: "Controleer opname in de log" }).click();
  await altered.getByText(/^Niet geverifieerd: het record in de log wijkt af van wat hier getoond wordt: de handeling\.$/).waitFor();
  await page.unroute(api("audit.v1.AuditService/QueryEvents"));

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
