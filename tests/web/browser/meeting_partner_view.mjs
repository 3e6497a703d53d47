// The chair projects the board as the police see it: "Partnerweergave" for
// Politie Limburg shows exactly the items GetMeeting gives a partner of the
// police (EXPECTED_ITEMS, found by the test with a real partner token), in
// that order, clearly marked and without any of the chair's controls; off
// again, the chair's own board (CHAIR_ITEMS) is back.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run } from "./harness.mjs";

const meetingId = process.env.MEETING_ID;
const expected = (process.env.EXPECTED_ITEMS ?? "").split(",").filter(Boolean);
const chair = (process.env.CHAIR_ITEMS ?? "").split(",").filter(Boolean);
assert.ok(meetingId && expected.length > 0 && chair.length > expected.length, "MEETING_ID, EXPECTED_ITEMS and CHAIR_ITEMS must be set");

const items = (page) => page.locator(".hartslag-meeting-items > li").evaluateAll((lis) => lis.map((li) => li.dataset.itemId));

run(async (browser) => {
  const page = await newPage(browser, desk);
  await logIn(page, "carla.coordinator");
  await page.goto(`${new URL(page.url()).origin}/#/overleg/${meetingId}`);
  await page.getByRole("heading", { name: "Casuïstiekoverleg Heerlen-Noord", level: 1 }).waitFor();
  await page.locator(".hartslag-meeting-items > li").first().waitFor();
  assert.deepEqual(await items(page), chair);

  await page.getByLabel("Organisatie voor de partnerweergave").selectOption({ label: "Politie Limburg" });
  await page.getByLabel("Partnerweergave", { exact: true }).check();
  await page.getByText("zo ziet Politie Limburg dit overleg").waitFor();
  assert.deepEqual(await items(page), expected, "exactly what the service gives the police, in its order");
  for (const control of [/^Bespreken/, /^Besluit wijzigen/, /^Omhoog/, /^Omlaag/, /^Verwijderen/, /^Correctie toevoegen/, /^Notulen vaststellen/, /^Agenda genereren/]) {
    assert.equal(await page.getByRole("button", { name: control }).count(), 0, `no ${control} in the partner view`);
  }
  assert.equal(await page.locator("form.hartslag-meeting-correction-form, form.hartslag-meeting-add, .hartslag-meeting-attendance form").count(), 0);
  await checkAccessibility(page, "partnerweergave");
  await page.setViewportSize(phone);
  await checkAccessibility(page, "partnerweergave");
  await page.setViewportSize(desk);

  await page.getByLabel("Partnerweergave", { exact: true }).uncheck();
  await page.getByRole("button", { name: "Correctie toevoegen" }).waitFor();
  assert.deepEqual(await items(page), chair, "the chair's board again");
});
