// The coordinator's cases (tests/web/cases_browser_test.cc), in two steps
// so that the test can look in the database between them:
//   STEP=list-and-risk      Carla filters "Casussen" (overdue actions,
//                           review due, meeting and wijk), opens a case from
//                           the list, reads its timeline, comes back to her
//                           filters, and changes the risk by keyboard only.
//   STEP=action-move-glass  She gives the police an action, moves the case
//                           along a legal step (illegal ones are not
//                           offered), and breaks the glass on a secret case.
// axe at 1280 and 360 px on the list and the case.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run, url } from "./harness.mjs";

const step = process.env.STEP;
const caseId = process.env.CASE_ID;
const overdueId = process.env.OVERDUE_CASE_ID;
const reviewId = process.env.REVIEW_CASE_ID;
const closedId = process.env.CLOSED_CASE_ID;
const secretId = process.env.SECRET_CASE_ID;

async function rows(page) {
  await page.locator(".hartslag-case-list:not([aria-busy])").waitFor({ state: "attached" });
  return page.locator(".hartslag-case-row").evaluateAll((items) => items.map((i) => i.getAttribute("data-case-id")));
}

async function filter(page) {
  await page.getByRole("button", { name: "Filteren" }).click();
  await page.locator(".hartslag-case-list:not([aria-busy])").waitFor({ state: "attached" });
}

async function listAndRisk(browser) {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  await page.getByRole("link", { name: "Casussen" }).click();
  await page.getByRole("heading", { name: "Casussen", level: 1 }).waitFor();
  const all = await rows(page);
  assert.equal(all.length, 7, "every case she may see, the secret one not");
  assert.ok(!all.includes(secretId));
  // The badge as the service decides it: on the due case only, not on the
  // closed one whose date has passed too.
  assert.deepEqual(await page.locator(".hartslag-case-row", { hasText: /Herbeoordeling nodig/ }).evaluateAll((items) => items.map((i) => i.getAttribute("data-case-id"))), [reviewId]);
  assert.ok(all.includes(closedId));
  await checkAccessibility(page, "casussen");

  await page.getByLabel("Alleen met acties over tijd").check();
  await filter(page);
  assert.deepEqual(await rows(page), [overdueId]);
  await page.locator(`[data-case-id="${overdueId}"]`).getByText("Acties over tijd").waitFor();
  assert.match(page.url(), /#\/casussen\?.*overtijd=ja/);

  await page.getByLabel("Alleen met acties over tijd").uncheck();
  await page.getByLabel("Alleen als herbeoordeling nodig is").check();
  await filter(page);
  assert.deepEqual(await rows(page), [reviewId], "the closed case with a passed review date is not due");
  await page.locator(`[data-case-id="${reviewId}"]`).getByText("Herbeoordeling nodig").waitFor();

  await page.getByLabel("Alleen als herbeoordeling nodig is").uncheck();
  await page.getByLabel("Overleg").selectOption({ label: "Casuïstiekoverleg" });
  await page.getByLabel("Gebied").selectOption({ label: "Vrieheide (Heerlen-Noord)" });
  await filter(page);
  assert.deepEqual(await rows(page), [caseId], "Casuïstiek in Vrieheide: the only one she may see");
  await page.getByLabel("Risico").selectOption({ label: "Hoog" });
  await filter(page);
  assert.deepEqual(await rows(page), [], "not high yet");
  await page.getByText("Geen casussen met deze filters.").waitFor();
  await page.getByLabel("Risico").selectOption({ label: "Laag" });
  await filter(page);
  assert.deepEqual(await rows(page), [caseId]);

  // Open the case from the list; its timeline holds every step with who,
  // when and why.
  await page.locator(`[data-case-id="${caseId}"] a`).click();
  await page.getByRole("heading", { name: /Huishouden Pietersen/, level: 1 }).waitFor();
  const timeline = page.locator(".hartslag-case-timeline__step");
  assert.equal(await timeline.count(), 1);
  assert.match(await timeline.first().textContent(), /Geopend: Geregistreerd.*door carla\.coordinator \(Gemeente Heerlen\).*Reden: geopend/);
  await page.getByText("Buurtteam Heerlen", { exact: false }).first().waitFor();
  await checkAccessibility(page, "casus-coordinator");

  // Back: the filters are still set.
  await page.getByRole("link", { name: "Terug naar de casussen" }).click();
  await page.getByRole("heading", { name: "Casussen", level: 1 }).waitFor();
  assert.equal(await page.getByLabel("Overleg").inputValue(), "CASE_KIND_CASUISTIEK");
  assert.equal(await page.getByLabel("Gebied").inputValue(), "vrieheide");
  assert.equal(await page.getByLabel("Risico").inputValue(), "RISK_TIER_LOW");
  assert.deepEqual(await rows(page), [caseId]);

  // The risk, by keyboard only: into the select, two options up (Laag ->
  // Middel -> Hoog), Tab to the reason, replace it, Tab to the button,
  // Enter.
  await page.locator(`[data-case-id="${caseId}"] a`).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: /Huishouden Pietersen/, level: 1 }).waitFor();
  const tier = page.getByLabel("Risico", { exact: true });
  await tier.focus();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  assert.equal(await tier.inputValue(), "RISK_TIER_HIGH");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "reden-risico");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Dreigende huisuitzetting");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Risico opslaan");
  await page.keyboard.press("Enter");
  await page.getByText("Het risico is nu hoog.").first().waitFor();
  // The case as read again after the change.
  await page.locator(".utrecht-data-list", { hasText: "Hoog: Dreigende huisuitzetting" }).waitFor();

  const small = await newPage(browser, phone);
  await logIn(small, "carla.coordinator");
  await small.goto(`${url}/#/casussen`);
  await small.getByRole("heading", { name: "Casussen", level: 1 }).waitFor();
  await rows(small);
  await checkAccessibility(small, "casussen");
  await small.goto(`${url}/#/casus/${caseId}`);
  await small.getByRole("heading", { name: /Huishouden Pietersen/, level: 1 }).waitFor();
  await checkAccessibility(small, "casus-coordinator");
}

async function actionMoveGlass(browser) {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  await page.goto(`${url}/#/casus/${caseId}`);
  await page.getByRole("heading", { name: /Huishouden Pietersen/, level: 1 }).waitFor();

  // An action for the police.
  const action = page.locator("section", { has: page.getByRole("heading", { name: "Nieuwe actie" }) });
  await action.getByLabel("Wat moet er gebeuren?").fill("Huisbezoek met wijkagent");
  await action.getByLabel("Politie Limburg").check();
  await action.getByLabel("Uiterlijk op").fill("2099-06-30");
  await action.getByRole("button", { name: "Actie geven" }).click();
  // Said as soon as the action is stored, before the case is read again.
  await page.getByText("De actie is gegeven aan Politie Limburg.").first().waitFor().catch(async (error) => {
    console.error(await page.locator("main").innerText());
    throw error;
  });
  await page.locator("[data-action-id]").filter({ hasText: "Huisbezoek met wijkagent" }).waitFor();

  // Only the legal moves from Geagendeerd are offered.
  const moves = page.locator("section", { has: page.getByRole("heading", { name: "Status wijzigen" }) });
  const offered = await moves.locator("input[type=radio]").evaluateAll((inputs) => inputs.map((i) => i.value).sort());
  assert.deepEqual(offered, ["CASE_STATUS_IN_PROGRESS", "CASE_STATUS_TRIAGE"]);
  assert.equal(await moves.getByLabel(/Afsluiten/).count(), 0, "closing a scheduled case is not offered");
  await moves.getByRole("button", { name: "Status wijzigen" }).click();
  await moves.getByText("Kies de nieuwe status.").waitFor();
  await moves.getByLabel(/In behandeling nemen/).check();
  await moves.getByLabel("Reden").fill("Besproken in het Casuïstiekoverleg");
  await moves.getByRole("button", { name: "Status wijzigen" }).click();
  await page.getByText("De status is nu In behandeling.").first().waitFor();
  const timeline = page.locator(".hartslag-case-timeline__step");
  await timeline.nth(1).waitFor();
  assert.equal(await timeline.count(), 2);
  assert.match(await timeline.last().textContent(), /Geagendeerd → In behandeling.*Reden: Besproken in het Casuïstiekoverleg/);
  const next = await page.locator("section", { has: page.getByRole("heading", { name: "Status wijzigen" }) })
    .locator("input[type=radio]").evaluateAll((inputs) => inputs.map((i) => i.value).sort());
  assert.deepEqual(next, ["CASE_STATUS_CLOSED", "CASE_STATUS_MONITORING"]);
  await checkAccessibility(page, "casus-na-stap");

  // Break the glass on a secret case: refused at first, opened with a
  // reason, clearly marked.
  await page.goto(`${url}/#/casus/${secretId}`);
  await page.getByRole("heading", { name: "Casus niet gevonden" }).waitFor();
  await page.getByLabel("Reden voor spoedtoegang").fill("Te kort");
  await page.getByRole("button", { name: "Toegang met spoed (break-the-glass)" }).click();
  await page.getByText("Geef een reden van 10 tot 500 tekens.").waitFor();
  await checkAccessibility(page, "spoedtoegang");
  await page.getByLabel("Reden voor spoedtoegang").fill("Melding van acuut gevaar voor een kind, politie belt");
  await page.getByRole("button", { name: "Toegang met spoed (break-the-glass)" }).click();
  await page.getByRole("heading", { name: /Huishouden Geheim/, level: 1 }).waitFor();
  await page.getByText("U heeft deze casus geopend met spoedtoegang; dit wordt gecontroleerd door de privacy officer.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Status wijzigen" }).count(), 0, "no changes after breaking the glass");
  await checkAccessibility(page, "casus-spoed");
  const small = await newPage(browser, phone);
  await logIn(small, "carla.coordinator");
  await small.goto(`${url}/#/casus/${secretId}`);
  await small.getByRole("heading", { name: "Casus niet gevonden" }).waitFor();
  await checkAccessibility(small, "spoedtoegang");
}

run(async (browser) => {
  if (step === "list-and-risk") await listAndRisk(browser);
  else if (step === "action-move-glass") await actionMoveGlass(browser);
  else throw new Error(`unknown STEP ${step}`);
});
