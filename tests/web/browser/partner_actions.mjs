// The partners of a case at work: the police and the care team each open
// "Acties van mijn organisatie" and see the joint action given to both. The
// police start it, record a finding per address and complete it; the care
// worker's screen follows live. The care worker writes a note for care
// only and one for all participants; the police see the second, never the
// first.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const actionId = process.env.ACTION_ID;
const caseId = process.env.CASE_ID;
const careOnly = "Zorgnotitie: alleen voor zorg, over de gezondheid van de bewoner.";
const forAll = "Voor alle deelnemers: huisbezoek gepland op donderdag.";

run(async (browser) => {
  const police = await newPage(browser, desk);
  const care = await newPage(browser, phone);
  await logIn(police, "peter.politie");
  await logIn(care, "zora.zorg");
  for (const page of [police, care]) {
    await page.getByRole("heading", { name: "Acties van mijn organisatie" }).waitFor();
    await page.getByText("Deze lijst wordt live bijgewerkt.").waitFor();
  }
  const policeCard = police.locator(`[data-action-id="${actionId}"]`);
  assert.equal(await care.locator(`[data-action-id="${actionId}"]`).getAttribute("data-status"), "ACTION_STATUS_OPEN");
  assert.match(await policeCard.textContent(), /Gezamenlijk huisbezoek <b>vóór<\/b> vrijdag/, "markup in a description is text");
  assert.equal(await policeCard.locator("b").count(), 0);
  await checkAccessibility(police, "acties");
  await checkAccessibility(care, "acties");

  await policeCard.getByRole("button", { name: "Starten" }).click();
  await care.locator(`[data-action-id="${actionId}"][data-status="ACTION_STATUS_IN_PROGRESS"]`).waitFor();

  await policeCard.getByLabel(/Bevinding Kasteelweg 3/).fill("Niemand thuis, buren spreken van overlast 's nachts.");
  await policeCard.getByRole("button", { name: "Bevinding opslaan" }).first().click();
  await police.getByText(/Bevinding bij Kasteelweg 3.* is opgeslagen/).waitFor();
  await policeCard.getByRole("button", { name: "Afronden", exact: true }).click();
  await policeCard.getByLabel("Resultaat").fill("Huisbezoek afgelegd, zorgen gedeeld met het buurtteam.");
  await policeCard.getByRole("button", { name: "Afronden bevestigen" }).click();
  await police.locator(`[data-action-id="${actionId}"][data-status="ACTION_STATUS_DONE"]`).waitFor();

  // Live on the care worker's phone, without a reload.
  const doneForCare = care.locator(`[data-action-id="${actionId}"][data-status="ACTION_STATUS_DONE"]`);
  await doneForCare.waitFor();
  assert.match(await doneForCare.textContent(), /Huisbezoek afgelegd/);
  assert.match(await doneForCare.textContent(), /Niemand thuis/);
  await checkAccessibility(care, "acties-afgerond");

  // The case as the care team may see it; two notes.
  await doneForCare.getByRole("link").first().click();
  await care.getByRole("heading", { name: "Notitie toevoegen" }).waitFor();
  await checkAccessibility(care, "casus");
  for (const [text, visibility] of [[careOnly, "Alleen zorg"], [forAll, "Alle deelnemers"]]) {
    await care.getByLabel("Notitie", { exact: true }).fill(text);
    await care.getByLabel("Wie mag de notitie lezen?").selectOption({ label: visibility });
    await care.getByRole("button", { name: "Notitie toevoegen" }).click();
    await care.getByText(text).waitFor();
  }

  await police.goto(`${new URL(police.url()).origin}/#/casus/${caseId}`);
  await police.getByText(forAll).waitFor();
  assert.equal(await police.getByText(careOnly).count(), 0, "a care note never reaches the police");
  assert.deepEqual(await police.getByLabel("Wie mag de notitie lezen?").locator("option").allTextContents(),
                   ["Alle deelnemers", "Alleen politie"]);
  await checkAccessibility(police, "casus");
});
