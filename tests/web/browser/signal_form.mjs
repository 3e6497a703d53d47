// A street coach on a phone (360 px): logs in, submits a signal, sees the
// service's refusal beside the field it concerns, corrects it, and finds
// the signal under "Mijn meldingen" with its description shown as text.
import assert from "node:assert/strict";
import { checkAccessibility, fillSignal, logIn, newPage, run, url } from "./harness.mjs";

export const hostile = '<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2"> matrassen bij de container';

run(async (browser) => {
  const page = await newPage(browser);
  await page.goto(url);
  await page.getByRole("heading", { name: "Inloggen bij Hartslag" }).waitFor();
  await checkAccessibility(page, "inloggen");

  await logIn(page, "sam.straatcoach");
  await page.getByRole("heading", { name: "Nieuwe melding" }).waitFor();
  assert.equal(await page.getByTestId("wie").textContent(), "Sam");
  assert.equal(await page.getByTestId("organisatie").textContent(), "Straatcoaches");
  await checkAccessibility(page, "nieuwe-melding");

  await fillSignal(page, { postcode: "64 AB", description: hostile });
  await page.getByRole("button", { name: "Melding versturen" }).click();

  // The service's FieldViolation, in Dutch, beside the postcode.
  const postcode = page.getByLabel("Postcode");
  await page.locator('[aria-invalid="true"]').first().waitFor();
  assert.equal(await postcode.getAttribute("aria-invalid"), "true");
  const describedBy = (await postcode.getAttribute("aria-describedby")).split(" ");
  const error = await page.locator(`[id="${describedBy.at(-1)}"]`).textContent();
  assert.match(error, /postcode/i, "the error beside the postcode names it");
  assert.match(error, /1234 AB/);
  assert.equal(await page.getByLabel("Straat").getAttribute("aria-invalid"), null, "only the bad field is marked");
  assert.equal(await page.getByLabel("Wat heeft u gezien?").inputValue(), hostile, "nothing typed is lost");
  await checkAccessibility(page, "nieuwe-melding-fout");

  await postcode.fill("6416 AB");
  await page.getByRole("button", { name: "Melding versturen" }).click();
  const ok = page.locator("main").getByText(/Melding SV-\d{4}-\d+ is ontvangen/);
  await ok.waitFor();
  const reference = (await ok.textContent()).match(/SV-\d{4}-\d+/)[0];
  assert.equal(await page.getByLabel("Wat heeft u gezien?").inputValue(), "", "the form is free for the next signal");
  await checkAccessibility(page, "nieuwe-melding-ontvangen");

  await page.getByRole("link", { name: "Mijn meldingen" }).click();
  const card = page.locator(`[data-reference="${reference}"]`);
  await card.waitFor();
  assert.ok((await card.textContent()).includes(hostile), "the description shows as the text it is");
  assert.equal(await card.locator("img, script").count(), 0, "no element came from the description");
  assert.equal(await page.evaluate(() => window.__xss), undefined, "nothing of it ran");
  assert.match(await card.textContent(), /Ontvangen/);
  assert.match(await card.textContent(), /Beoordeling uiterlijk \d+ \w+ \d{4}/, "the signal's deadline");
  await checkAccessibility(page, "mijn-meldingen");
  console.log(`reference=${reference}`);
});
