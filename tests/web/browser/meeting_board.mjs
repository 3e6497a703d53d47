// The coordinator schedules a meeting (it stands in date order and takes
// the focus) and chairs the Casuïstiekoverleg from its board: generates
// the agenda, moves an item up by keyboard only (the order checked on the
// page and then at the service), removes one item after a confirmation in
// the page (Escape first takes it back), adds one, discusses an item and
// records the decision with a review day and two new actions for two
// organisations without touching the mouse (the review then shown as a
// day beside the next discussion), records
// who attended, closes the meeting and corrects the minutes; prints the
// minutes and downloads them; closes the Leefbaarheidsoverleg; and approves
// the Casuïstiek minutes in the next week's meeting.
import assert from "node:assert/strict";
import { checkAccessibility, desk, logIn, newPage, phone, run, screenshot } from "./harness.mjs";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} must be set`);
  return value;
};
const meetingId = env("MEETING_ID");
const leefbaarheidId = env("LEEFBAARHEID_ID");
const nextMeetingId = env("NEXT_MEETING_ID");
const sharedCase = env("SHARED_CASE");
const doubledCase = env("DOUBLED_CASE");
const addedCase = env("ADDED_CASE");

const dutchDate = /(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}, 14:00/;

// The meeting as the service now holds it, through the same JSON API and
// session as the screen.
async function meetingAtService(page, id) {
  return page.evaluate(async (meeting) => {
    const session = await (await fetch("/api/v1/session")).json();
    const answer = await fetch("/api/v1/hartslag.cases.v1.MeetingService/GetMeeting", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrfToken, "X-Hartslag-Purpose": "MEETING" },
      body: JSON.stringify({ meetingId: meeting }),
    });
    return answer.json();
  }, id);
}

async function itemOrder(page) {
  return page.locator(".hartslag-meeting-items > li").evaluateAll((items) => items.map((li) => li.dataset.itemId));
}

// Where the case summary and the decision form are, measured at one moment
// (a scroll between two measurements would move one of them).
async function boxes(page) {
  return page.evaluate(() => [".hartslag-meeting-case", ".hartslag-meeting-decision"].map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }));
}

async function isFocused(locator) {
  return locator.evaluate((el) => el === document.activeElement);
}

// Presses Tab until `locator` has the focus: how a keyboard user gets there.
async function tabTo(page, locator, what) {
  for (let i = 0; i < 80; i += 1) {
    if (await isFocused(locator)) return;
    await page.keyboard.press("Tab");
  }
  assert.fail(`Tab never reached ${what}`);
}

run(async (browser) => {
  const page = await newPage(browser, desk);
  let clicks = 0;
  await page.exposeFunction("countClick", () => (clicks += 1));
  await logIn(page, "carla.coordinator");

  // The list of coming meetings, both kinds, with Dutch dates and names.
  await page.getByRole("link", { name: "Overleggen" }).click();
  await page.getByRole("heading", { name: "Overleggen", level: 1 }).waitFor();
  const card = page.locator(`[data-meeting-id="${meetingId}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), dutchDate);
  assert.match(await card.textContent(), /Politie Limburg.*Buurtteam Heerlen|Buurtteam Heerlen.*Politie Limburg/s, "names, not ids");
  assert.match(await page.locator(`[data-meeting-id="${leefbaarheidId}"]`).textContent(), /Leefbaarheidsoverleg/);
  await page.locator(`[data-meeting-id="${nextMeetingId}"]`).waitFor();
  await checkAccessibility(page, "overleggen");

  // Scheduling one more: next New Year's Day (the same keys in either order
  // of day and month), at the form's 14:00. It takes its place by date,
  // after the meetings of the coming weeks, and the focus goes to it.
  const year = new Date().getFullYear() + 1;
  const weekday = new Intl.DateTimeFormat("nl-NL", { weekday: "long", timeZone: "Europe/Amsterdam" }).format(new Date(Date.UTC(year, 0, 1, 12)));
  await page.getByLabel("Soort overleg").selectOption({ label: "Casuïstiekoverleg" });
  await page.getByLabel("Datum", { exact: true }).focus();
  await page.keyboard.type(`0101${year}`);
  await page.getByLabel("Politie Limburg").check();
  await page.getByRole("button", { name: "Overleg plannen" }).click();
  await page.getByText("Het overleg is gepland.").first().waitFor();  // shown, and announced
  const newYear = page.getByRole("link", { name: `Casuïstiekoverleg Heerlen-Noord, ${weekday} 1 januari ${year}, 14:00` });
  await newYear.waitFor();
  await page.waitForFunction(() => document.activeElement?.matches(".hartslag-meeting-card a"));
  assert.ok(await isFocused(newYear), "the focus goes to the new meeting");
  const newYearId = await newYear.locator("xpath=ancestor::li[1]").getAttribute("data-meeting-id");
  const listed = await page.locator(".hartslag-meeting-card").evaluateAll((cards) => cards.map((c) => c.dataset.meetingId));
  assert.ok(listed.indexOf(newYearId) > listed.indexOf(nextMeetingId) && listed.indexOf(nextMeetingId) > listed.indexOf(meetingId), `in date order: ${listed}`);
  await page.setViewportSize(phone);
  await checkAccessibility(page, "overleggen");
  await page.setViewportSize(desk);

  // The board; the agenda generated with the reasons why.
  await card.getByRole("link").click();
  await page.getByRole("heading", { name: "Casuïstiekoverleg Heerlen-Noord", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Agenda genereren" }).click();
  await page.getByText("De agenda is aangevuld").first().waitFor();
  const generated = await itemOrder(page);
  assert.equal(generated.length, 4, "four newly weighed cases of the area and its wijken");
  assert.match(await page.locator(`li[data-case-id="${sharedCase}"]`).textContent(), /nieuw gewogen/);
  assert.equal(await page.locator(`li[data-case-id="${addedCase}"]`).count(), 0, "a case without a reason is not generated");

  // Keyboard only: from the agenda's heading, Tab to the last item's
  // "Omhoog" and press it.
  await page.evaluate(() => {
    document.addEventListener("click", (e) => {
      // Only clicks a pointer made count (a key on a button reports detail 0).
      if (e.detail > 0) window.countClick();
    }, true);
  });
  const lastId = generated[3];
  const up = page.locator(`li[data-item-id="${lastId}"] button[data-control="omhoog"]`);
  await page.locator("#agenda-titel").focus();
  await tabTo(page, up, "Omhoog of the last item");
  await page.keyboard.press("Enter");
  await page.waitForFunction((id) => [...document.querySelectorAll(".hartslag-meeting-items > li")].findIndex((li) => li.dataset.itemId === id) === 2, lastId);
  const moved = [generated[0], generated[1], generated[3], generated[2]];
  assert.deepEqual(await itemOrder(page), moved, "the page shows the new order");
  assert.ok(await isFocused(up), "the focus stays on the moved item's control");
  assert.deepEqual((await meetingAtService(page, meetingId)).items.map((i) => i.itemId), moved, "the service holds the new order");

  // Remove, with the confirmation in the page, answered by keyboard:
  // Escape first (nothing removed, back on the button), then yes.
  const doubled = page.locator(`li[data-case-id="${doubledCase}"]`);
  const remove = doubled.getByRole("button", { name: /^Verwijderen/ });
  await remove.focus();
  await page.keyboard.press("Enter");
  const confirm = doubled.getByRole("button", { name: /^Ja, van de agenda halen/ });
  assert.ok(await isFocused(confirm), "the confirmation takes the focus");
  await page.keyboard.press("Escape");
  assert.equal(await confirm.count(), 0, "Escape takes the question away");
  assert.ok(await isFocused(remove), "and puts the focus back on Verwijderen");
  assert.equal((await itemOrder(page)).length, 4, "nothing removed");
  await page.keyboard.press("Enter");
  assert.ok(await isFocused(confirm), "asked again");
  await page.keyboard.press("Enter");
  await doubled.waitFor({ state: "detached" });
  assert.equal((await itemOrder(page)).length, 3);

  // Add a case of this kind, picked from the cases list.
  await page.getByLabel("Casus", { exact: true }).selectOption(addedCase);
  await page.getByRole("button", { name: "Op de agenda zetten" }).click();
  const added = page.locator(`li[data-case-id="${addedCase}"]`);
  await added.waitFor();
  assert.match(await added.textContent(), /toegevoegd/);
  await checkAccessibility(page, "overlegbord");

  // By mouse: drag the added item to the top (on a screen tall enough to
  // hold both ends of the drag).
  await page.setViewportSize({ width: 1280, height: 2400 });
  const beforeDrag = await itemOrder(page);
  const addedItem = await added.getAttribute("data-item-id");
  await added.dragTo(page.locator(".hartslag-meeting-items > li").first());
  await page.waitForFunction((id) => document.querySelector(".hartslag-meeting-items > li")?.dataset.itemId === id, addedItem);
  const dragged = [addedItem, ...beforeDrag.filter((id) => id !== addedItem)];
  assert.deepEqual(await itemOrder(page), dragged);
  assert.deepEqual((await meetingAtService(page, meetingId)).items.map((i) => i.itemId), dragged, "dragged at the service too");
  await page.setViewportSize(desk);
  await page.setViewportSize(phone);
  await checkAccessibility(page, "overlegbord");

  // The discussion at 360 px: the case above the form.
  await added.getByRole("button", { name: /^Bespreken/ }).click();
  await page.getByRole("heading", { name: /^Bespreking:/ }).waitFor();
  await page.locator(".hartslag-meeting-case dl").waitFor();
  let [caseBox, formBox] = await boxes(page);
  assert.ok(formBox.y >= caseBox.y + caseBox.height - 1, `stacked on a phone: ${JSON.stringify([caseBox, formBox])}`);
  await checkAccessibility(page, "bespreking");
  await page.getByRole("button", { name: "Bespreking sluiten" }).click();
  await page.setViewportSize(desk);

  // The keyboard-only walk: open the shared case's item, write the decision
  // with two actions for two organisations, and record it.
  const clicksBefore = clicks;
  const shared = page.locator(`li[data-case-id="${sharedCase}"]`);
  await page.locator("#agenda-titel").focus();
  await tabTo(page, shared.getByRole("button", { name: /^Bespreken/ }), "Bespreken");
  await page.keyboard.press("Enter");
  const panel = page.locator(".hartslag-meeting-discussion");
  await panel.waitFor();
  assert.ok(await isFocused(page.locator("#bespreking-titel")), "the discussion's heading takes the focus");
  await panel.locator(".hartslag-meeting-case dl").waitFor();
  [caseBox, formBox] = await boxes(page);
  assert.ok(formBox.x > caseBox.x + caseBox.width - 1 && Math.abs(formBox.y - caseBox.y) < 80, "side by side at 1280 px");
  await tabTo(page, panel.getByLabel("Besluit", { exact: true }), "Besluit");
  await page.keyboard.type("Politie en buurtteam gaan samen op huisbezoek.");
  await tabTo(page, panel.getByLabel("Toelichting"), "Toelichting");
  await page.keyboard.type("Signalen van beide kanten wijzen op escalatie.");
  await tabTo(page, panel.getByLabel("Volgende herbeoordeling"), "Volgende herbeoordeling");
  await page.keyboard.type("12122099");
  for (const [number, organisation, text] of [[1, "Politie Limburg", "Wijkagent legt huisbezoek af"], [2, "Buurtteam Heerlen", "Buurtteam biedt schuldhulp aan"]]) {
    await tabTo(page, panel.getByRole("button", { name: "Nieuwe actie toevoegen" }), "Nieuwe actie toevoegen");
    await page.keyboard.press("Enter");
    const action = panel.locator(".hartslag-meeting-new-action").nth(number - 1);
    assert.ok(await isFocused(action.getByLabel("Wat moet er gebeuren?")), "the new action's first field takes the focus");
    await page.keyboard.type(text);
    await tabTo(page, action.getByLabel(organisation), organisation);
    await page.keyboard.press("Space");
    await tabTo(page, action.getByLabel("Uiterlijk op"), "Uiterlijk op");
    // Day and month alike: the same keys whether the browser's own
    // locale orders the fields dd-mm or mm/dd.
    await page.keyboard.type("12122099");
    assert.equal(await action.getByLabel("Uiterlijk op").inputValue(), "2099-12-12");
  }
  await checkAccessibility(page, "besluitformulier");
  await tabTo(page, panel.getByRole("button", { name: "Besluit vastleggen" }), "Besluit vastleggen");
  await page.keyboard.press("Enter");
  await page.getByText(/Het besluit over .* is vastgelegd/).first().waitFor();
  assert.equal(clicks, clicksBefore, "no mouse click in the keyboard walk");
  assert.match(await shared.textContent(), /samen op huisbezoek/);
  assert.match(await shared.textContent(), /Wijkagent legt huisbezoek af — Politie Limburg, uiterlijk zaterdag 12 december 2099/);
  assert.match(await shared.textContent(), /Buurtteam Heerlen/);
  // The case beside the decision now has its next review: a day, not an hour.
  await shared.getByRole("button", { name: /^Besluit wijzigen/ }).click();
  const review = panel.locator(".hartslag-meeting-case dl .utrecht-data-list__item").filter({ hasText: "Volgende herbeoordeling" });
  await review.waitFor();
  assert.equal((await review.locator("dd").innerText()).trim(), "zaterdag 12 december 2099");
  await page.getByRole("button", { name: "Bespreking sluiten" }).click();

  // Who attended.
  for (const [name, organisation] of [["Carla", "Gemeente Heerlen"], ["Peter", "Politie Limburg"]]) {
    await page.getByLabel("Naam", { exact: true }).fill(name);
    await page.getByLabel("Organisatie", { exact: true }).selectOption({ label: organisation });
    await page.getByRole("button", { name: "Aanwezige toevoegen" }).click();
    await page.getByText(`${name} (${organisation})`).waitFor();
  }

  // Closing, with a confirmation in the page; then a correction.
  await page.getByRole("button", { name: "Overleg sluiten" }).click();
  await page.getByRole("button", { name: "Ja, overleg sluiten" }).click();
  await page.getByRole("heading", { name: "Notulen", level: 2, exact: true }).waitFor();
  assert.equal(await page.getByRole("button", { name: /^Omhoog/ }).count(), 0, "closed minutes are not reordered");
  await page.getByLabel("Correctie op").selectOption({ value: await shared.getAttribute("data-item-id") });
  await page.getByLabel("Correctie", { exact: true }).fill("Het huisbezoek is door de wijkagent en het buurtteam samen.");
  await page.getByRole("button", { name: "Correctie toevoegen" }).click();
  await shared.getByText("Het huisbezoek is door de wijkagent en het buurtteam samen.").waitFor();
  await checkAccessibility(page, "notulen");

  // On paper: no navigation and no buttons, the banner, Dutch dates, names.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    text: document.body.innerText,
    navigation: getComputedStyle(document.querySelector(".hartslag-nav")).display,
    buttons: [...document.querySelectorAll("button")].filter((b) => b.offsetParent !== null).length,
    banner: getComputedStyle(document.querySelector(".hartslag-meeting-banner")).display,
  }));
  assert.equal(printed.navigation, "none");
  assert.equal(printed.buttons, 0, "no buttons on paper");
  assert.notEqual(printed.banner, "none");
  assert.match(printed.text, /Vertrouwelijk: alleen voor de deelnemers/);
  assert.match(printed.text, dutchDate);
  assert.match(printed.text, /Politie Limburg/);
  assert.doesNotMatch(printed.text, /\bpolitie\b/, "no organisation ids");
  const pdf = await page.pdf({ format: "A4" });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page\b(?!s)/g) ?? []).length;
  assert.ok(pdf.subarray(0, 5).toString() === "%PDF-" && pages > 0, `a PDF with pages (${pages})`);
  await screenshot(page, "notulen-print");
  await page.emulateMedia({ media: "screen" });

  // The service's own document as a download.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Downloaden (Markdown)" }).click()]);
  assert.match(download.suggestedFilename(), /\.md$/);
  const { readFile } = await import("node:fs/promises");
  assert.match(await readFile(await download.path(), "utf8"), /Zorgen om gezin Vrieheide/);

  // The Leefbaarheidsoverleg: its own kind of cases only; closed too.
  await page.goto(`${new URL(page.url()).origin}/#/overleg/${leefbaarheidId}`);
  await page.getByRole("heading", { name: "Leefbaarheidsoverleg Heerlen-Noord", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Agenda genereren" }).click();
  await page.locator(".hartslag-meeting-items").getByText("Overlastpand Hoofdstraat").waitFor();
  assert.equal((await itemOrder(page)).length, 1);
  await page.getByRole("button", { name: "Overleg sluiten" }).click();
  await page.getByRole("button", { name: "Ja, overleg sluiten" }).click();
  await page.getByRole("heading", { name: "Notulen", level: 2, exact: true }).waitFor();

  // Next week's Casuïstiekoverleg approves last week's minutes.
  await page.goto(`${new URL(page.url()).origin}/#/overleg/${nextMeetingId}`);
  await page.getByText(/zijn nog niet vastgesteld/).waitFor();
  await page.getByRole("button", { name: /^Notulen vaststellen/ }).click();
  await page.getByText(/De notulen van het overleg van .* zijn vastgesteld op/).waitFor();
  assert.ok((await meetingAtService(page, meetingId)).minutesApprovedAt, "approved at the service");
});
