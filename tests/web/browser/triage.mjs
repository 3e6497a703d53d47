// The coordinator's Werkvoorraad at a desk: the week's signals oldest
// first, a page at a time, with the cut-off, the Meldcode warning and the
// proposals. Carla links one signal to the proposed case, opens a new
// Leefbaarheid case for another, refers the Meldcode signal to Veilig Thuis
// (first without a reason, which is refused beside the field), decides "no
// action" with her own text for the reporter, and weighs one by keyboard
// alone. Then the screen on a phone.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const order = process.env.ORDER.split(",");
const { AT_CASE, CASE_REFERENCE, VIOLENCE, YOUTHS, TAGS, BY_KEYBOARD, EDITED_FEEDBACK } = process.env;
const meldcode = "Meldcode huiselijk geweld en kindermishandeling: overweeg een melding bij Veilig Thuis";

const references = (page) => page.locator(".hartslag-triage-item").evaluateAll((items) => items.map((i) => i.dataset.reference));
const card = (page, reference) => page.locator(`.hartslag-triage-item[data-reference="${reference}"]`);
const focusedReference = (page) => page.evaluate(() => document.activeElement?.closest(".hartslag-triage-item")?.dataset.reference ?? "");

// Saves the decision in `item` and waits until it has left the list with
// its confirmation; the focus is then on the next signal.
async function saved(page, reference, choice, next) {
  await card(page, reference).waitFor({ state: "detached" });
  await page.locator(".hartslag-message-slot").getByText(`Besluit over ${reference} opgeslagen: ${choice}.`).waitFor();
  if (next) assert.equal(await focusedReference(page), next, `after ${reference} the focus is on the next signal`);
}

run(async (browser) => {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  // A coordinator lands on the Werkvoorraad.
  await page.getByRole("heading", { name: "Werkvoorraad", level: 1 }).waitFor();

  // Oldest first, ten at a time.
  assert.deepEqual(await references(page), order.slice(0, 10));
  await page.getByRole("button", { name: "Meer signalen laden" }).click();
  await card(page, order[11]).waitFor();
  assert.deepEqual(await references(page), order);
  assert.equal(await page.getByRole("button", { name: "Meer signalen laden" }).isHidden(), true, "the last page was loaded");
  assert.equal(await page.evaluate(() => document.activeElement?.closest("li")?.getAttribute("data-reference")), order[10],
    "the focus went on at the first new signal");

  // The week's cut-off, and per signal on which side of it it came in.
  assert.match(await page.getByTestId("afsluiting").textContent(), /^Afsluiting van deze week: maandag \d+ \S+ \d{4} om 12:00\./);
  assert.match(await card(page, AT_CASE).textContent(), /(Vóór|Na) de afsluiting van maandag 12:00/);

  // The Meldcode where the category falls under it, and only there.
  await card(page, VIOLENCE).getByText(meldcode).waitFor();
  assert.match(await card(page, VIOLENCE).textContent(), /Overleg met een collega en raadpleeg zo nodig Veilig Thuis/);
  assert.equal(await card(page, AT_CASE).getByText(meldcode).count(), 0);

  // The proposals: the open case at the address, the category's meeting.
  assert.match(await card(page, AT_CASE).getByTestId("casussen-op-adres").textContent(), new RegExp(CASE_REFERENCE));
  assert.match(await card(page, AT_CASE).getByTestId("voorstel-overleg").textContent(), /Voorstel Leefbaarheidsoverleg/);
  assert.match(await card(page, VIOLENCE).textContent(), /Jan Jansen \(1970\), bewoner/);
  await checkAccessibility(page, "werkvoorraad");

  // Linked to the proposed case; the reporter's text follows the choice.
  let item = card(page, AT_CASE);
  await item.getByRole("radio", { name: "Leefbaarheidsoverleg", exact: true }).check();
  assert.equal(await item.getByLabel("Terugkoppeling aan de melder").inputValue(),
               "Uw signaal is opgepakt en wordt besproken in het Leefbaarheidsoverleg.");
  await item.getByRole("radio", { name: new RegExp(`Koppelen aan ${CASE_REFERENCE}`) }).check();
  await item.getByRole("button", { name: "Besluit opslaan" }).click();
  await saved(page, AT_CASE, "Leefbaarheidsoverleg", VIOLENCE);

  // Referred to Veilig Thuis: without a reason refused beside the field.
  item = card(page, VIOLENCE);
  await item.getByRole("radio", { name: "Doorverwijzen", exact: true }).check();
  assert.equal(await item.getByLabel("Doorverwijzen naar").inputValue(), "Veilig Thuis");
  assert.equal(await item.getByLabel("Terugkoppeling aan de melder").inputValue(), "Uw signaal is doorgezet naar Veilig Thuis.");
  await item.getByRole("button", { name: "Besluit opslaan" }).click();
  const reason = item.getByLabel("Reden", { exact: true });
  await item.locator('textarea[name="reden"][aria-invalid="true"]').waitFor();
  const refusal = await item.locator(".utrecht-form-field-error-message:not([hidden])").allTextContents();
  assert.equal(refusal.length, 1, `one refusal, beside the reason: ${refusal}`);
  assert.match(refusal[0], /^Reden /, "in Dutch, naming the field");
  assert.equal(await reason.evaluate((e) => e === document.activeElement), true, "the focus goes to the refused field");
  await checkAccessibility(page, "werkvoorraad-weigering");
  await reason.fill("Vermoeden van huiselijk geweld met een kind in huis; Veilig Thuis neemt het over.");
  await item.getByRole("button", { name: "Besluit opslaan" }).click();
  await saved(page, VIOLENCE, "Doorverwijzen", YOUTHS);

  // A new Leefbaarheid case: nothing to link here, so a new one it is.
  item = card(page, YOUTHS);
  await item.getByRole("radio", { name: "Leefbaarheidsoverleg", exact: true }).check();
  assert.equal(await item.getByRole("radio", { name: "Nieuwe casus openen" }).isChecked(), true);
  assert.equal(await item.getByLabel("Titel van de nieuwe casus").inputValue(), "Jongerenoverlast: Hoofdstraat 40");
  await item.getByRole("button", { name: "Besluit opslaan" }).click();
  await saved(page, YOUTHS, "Leefbaarheidsoverleg", TAGS);

  // No action, with the category's standard text rewritten.
  item = card(page, TAGS);
  await item.getByRole("radio", { name: "Geen actie", exact: true }).check();
  const feedback = item.getByLabel("Terugkoppeling aan de melder");
  assert.equal(await feedback.inputValue(), "Dank voor uw melding. De gemeente onderneemt hier geen actie op.", "the category's own text");
  await feedback.fill(EDITED_FEEDBACK);
  await item.getByLabel("Reden", { exact: true }).fill("Particulier terrein; de eigenaar is aangeschreven.");
  await item.getByRole("button", { name: "Besluit opslaan" }).click();
  await saved(page, TAGS, "Geen actie", BY_KEYBOARD);

  // By keyboard alone, from where the focus went: Tab to the choices, Space
  // to choose, Tab to the button, Enter.
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { tag: e?.tagName ?? "", type: e?.getAttribute("type") ?? "", label: e?.labels?.[0]?.textContent ?? e?.textContent ?? "" };
  });
  for (let i = 0; i < 30 && (await focused()).type !== "radio"; i++) await page.keyboard.press("Tab");
  assert.deepEqual(await focused(), { tag: "INPUT", type: "radio", label: "Direct afhandelen" });
  assert.equal(await focusedReference(page), BY_KEYBOARD);
  await page.keyboard.press("Space");
  assert.equal(await card(page, BY_KEYBOARD).getByLabel("Terugkoppeling aan de melder").inputValue(),
               "Uw signaal is opgepakt en wordt direct afgehandeld.");
  for (let i = 0; i < 10 && (await focused()).label !== "Besluit opslaan"; i++) await page.keyboard.press("Tab");
  assert.equal((await focused()).tag, "BUTTON");
  await page.keyboard.press("Enter");
  await saved(page, BY_KEYBOARD, "Direct afhandelen", order[5]);
  assert.deepEqual(await references(page), order.slice(5));
  await checkAccessibility(page, "werkvoorraad-na-besluiten");

  // On a phone: what is left, one page, readable at 360 px.
  const small = await newPage(browser, phone);
  await logIn(small, "carla.coordinator");
  await small.getByRole("heading", { name: "Werkvoorraad", level: 1 }).waitFor();
  await card(small, order[5]).waitFor();
  assert.deepEqual(await references(small), order.slice(5));
  await checkAccessibility(small, "werkvoorraad");
});
