// A phone in a street with a weak connection: the answer to a submission
// is lost on the way and the page is reloaded; then the connection is gone
// while submitting and comes back; then a signal sent without a connection
// turns out to be refused once it arrives, and is corrected. Each signal is
// stored exactly once (browser_test.cc counts them in the database) and
// none is lost.
import assert from "node:assert/strict";
import { fillSignal, logIn, newPage, run } from "./harness.mjs";

const kSubmit = "**/api/v1/hartslag.intake.v1.SignalService/SubmitSignal";

const fill = (page, description) => fillSignal(page, { description });

run(async (browser) => {
  const page = await newPage(browser);
  await logIn(page, "sam.straatcoach");
  await page.getByRole("heading", { name: "Nieuwe melding" }).waitFor();

  // 1. The request reaches the service, which stores the signal; the answer
  //    never reaches the phone.
  //    Later tries fail too, until the page is reloaded.
  const requestIds = [];
  let stored = 0;
  await page.route(kSubmit, async (route) => {
    requestIds.push(JSON.parse(route.request().postData()).requestId);
    if (requestIds.length === 1) stored = (await route.fetch()).status();
    await route.abort("connectionreset");
  });
  await fill(page, process.env.LOST_ANSWER_DESCRIPTION);
  await page.getByRole("button", { name: "Melding versturen" }).click();
  await page.getByText("1 melding wacht op verzending.").waitFor();
  assert.equal(stored, 200, "the service stored it; only the answer was lost");

  // The page is reloaded (its first try fails too); the connection comes
  // back and what waits is sent again with the same request id.
  await page.reload();
  await page.getByText("1 melding wacht op verzending.").waitFor();
  for (let i = 0; i < 100 && requestIds.length < 2; ++i) await page.waitForTimeout(100);  // its try after the reload
  await page.unroute(kSubmit);
  assert.ok(requestIds.length >= 2);
  assert.equal(new Set(requestIds).size, 1, "every try carries the same request id");
  const received = page.locator("main").getByText(/Melding SV-\d{4}-\d+ (is|was al) ontvangen/);
  await received.waitFor();
  const first = await received.textContent();
  assert.match(first, /was al ontvangen/, "the service answered with the signal it had stored");
  assert.equal(await page.getByText(/wacht(en)? op verzending/).count(), 0);

  // 2. No connection at all while submitting; then it comes back.
  await page.context().setOffline(true);
  await fill(page, process.env.OFFLINE_DESCRIPTION);
  await page.getByRole("button", { name: "Melding versturen" }).click();
  await page.getByText("1 melding wacht op verzending.").waitFor();
  await page.context().setOffline(false);
  await page.locator("main").getByText(/Melding SV-\d{4}-\d+ is ontvangen/).filter({ hasNotText: first }).waitFor();
  await page.getByText("1 melding wacht op verzending.").waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("hartslag.outbox")).length), 0,
               "nothing is left on the device once acknowledged");

  // 3. Sent without a connection, refused once it arrives (a description
  //    too short): after a reload the form holds it with the reason beside
  //    the field; corrected, it is stored once.
  await page.context().setOffline(true);
  await fill(page, "kort");
  await page.getByRole("button", { name: "Melding versturen" }).click();
  await page.getByText("1 melding wacht op verzending.").waitFor();
  await page.context().setOffline(false);
  await page.reload();
  const describedBy = (await page.getByLabel("Wat heeft u gezien?").getAttribute("aria-describedby")).split(" ");
  await page.locator(`[id="${describedBy.at(-1)}"]`).getByText(/minstens 10 tekens/).waitFor();
  assert.equal(await page.getByLabel("Wat heeft u gezien?").inputValue(), "kort", "what was typed is back");
  assert.equal(await page.getByLabel("Huisnummer").inputValue(), "14");
  await page.getByLabel("Wat heeft u gezien?").fill(process.env.CORRECTED_DESCRIPTION);
  await page.getByRole("button", { name: "Melding versturen" }).click();
  await page.locator("main").getByText(/Melding SV-\d{4}-\d+ is ontvangen/).waitFor();
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("hartslag.outbox")).length), 0);
});
