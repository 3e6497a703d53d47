// A street coach on a phone (360 px) files bulky waste under the category
// Heerlen's back office made for it (browser_test.cc creates "Grofvuil"
// under "Afval / dumping", with questions): the category's questions in
// the form, a required answer missing refused beside its question, then
// the signal stored with its answers and a photo whose GPS position never
// reaches Hartslag; a file that is no photo refused without holding up the
// signal. Later, without a connection, a signal with a large photo waits
// on the phone through a reload and is sent, photo and all, once the
// connection is back, resuming where a lost answer broke the upload off.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { checkAccessibility, fillSignal, logIn, newPage, run, url } from "./harness.mjs";

const kSubmit = "**/api/v1/hartslag.intake.v1.SignalService/SubmitSignal";
const kUpload = "**/api/v1/hartslag.intake.v1.SignalService/UploadAttachment";
const photo = readFileSync(new URL("../../intake/testdata/photo_gps.jpg", import.meta.url));

// The answers the category requires; the rest as given.
async function answerRequired(page, kind = "Matras") {
  await page.getByRole("group", { name: /^Wat ligt er\?/ }).getByLabel(kind).check();
  await page.getByRole("group", { name: /^Ligt er iets gevaarlijks bij\?/ }).getByLabel("Nee").check();
}

// Calls the JSON API as the page does (its session and CSRF token).
function api(page, method, request) {
  return page.evaluate(async ([m, r]) => {
    const csrf = (await (await fetch("/api/v1/session")).json()).csrfToken;
    const answer = await fetch(`/api/v1/hartslag.intake.v1.SignalService/${m}`,
                               { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(r) });
    return answer.json();
  }, [method, request]);
}

// A JPEG of noise from the browser's own encoder: more than 2 MiB, so it
// goes in three chunks or more.
async function largePhoto(page) {
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 2400;
    canvas.height = 1600;
    const context = canvas.getContext("2d");
    const image = context.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < image.data.length; i += 65536) crypto.getRandomValues(image.data.subarray(i, i + 65536));
    for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
    context.putImageData(image, 0, 0);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.95));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(text);
  });
  return Buffer.from(base64, "base64");
}

run(async (browser) => {
  const page = await newPage(browser);
  await logIn(page, "sam.straatcoach");
  await page.getByRole("heading", { name: "Nieuwe melding" }).waitFor();

  // The chooser groups by main category: "Afval / dumping" only groups now.
  const category = page.getByLabel("Categorie");
  assert.deepEqual(await category.locator('optgroup[label="Afval / dumping"] option').allTextContents(), ["Grofvuil"]);
  assert.equal(await category.locator('option[value="afval-dumping"]').count(), 0, "a main category with subcategories is not a choice");
  assert.ok((await category.locator("option").allTextContents()).includes("Drugsoverlast"), "one without is");

  await fillSignal(page, { description: process.env.ANSWERED_DESCRIPTION });
  await category.selectOption({ label: "Grofvuil" });
  await page.getByText("Grote spullen die naast of buiten een container zijn gezet.").waitFor();
  const kind = page.getByRole("group", { name: /^Wat ligt er\? \(verplicht\)/ });
  await kind.waitFor();
  const describedBy = (await kind.getAttribute("aria-describedby")).split(" ");
  assert.equal(await page.locator(`[id="${describedBy[0]}"]`).textContent(), "Kies wat het meeste plaats inneemt.", "help text describes the question");
  await checkAccessibility(page, "nieuwe-melding-vragen");

  // Everything but the required "Wat ligt er?"; a photo and a file that is
  // no photo, whatever its name says.
  await page.getByRole("group", { name: /^Ligt er iets gevaarlijks bij\?/ }).getByLabel("Nee").check();
  await page.getByLabel("Hoeveel vuilniszakken?").fill("3");
  await page.getByLabel("Sinds wanneer ligt het er?").fill("2026-01-02");
  const noticed = page.getByRole("group", { name: /^Wat valt op\?/ });
  await noticed.getByLabel("Blokkeert de stoep").check();
  await noticed.getByLabel("Ligt er vaker").check();
  await page.getByLabel("Foto's of documenten").setInputFiles([
    { name: "photo_gps.jpg", mimeType: "image/jpeg", buffer: photo },
    { name: "notitie.jpg", mimeType: "image/jpeg", buffer: Buffer.from("Dit is een notitie, geen foto.") },
  ]);
  const thumbnails = page.locator("form .hartslag-thumbnail");
  assert.equal(await thumbnails.count(), 2);
  assert.ok(await thumbnails.first().locator("img").evaluate((img) => img.decode().then(() => img.naturalWidth > 0)), "the chosen photo shows");
  await page.getByRole("button", { name: "Melding versturen" }).click();

  // Refused beside its question, in Dutch; nothing chosen or typed is lost.
  await kind.locator('input[aria-invalid="true"]').first().waitFor();
  const error = await page.locator(`[id="${(await kind.getAttribute("aria-describedby")).split(" ").at(-1)}"]`).textContent();
  assert.match(error, /verplicht/, "the refusal beside the question");
  assert.equal(await page.getByLabel("Hoeveel vuilniszakken?").inputValue(), "3");
  assert.equal(await page.getByLabel("Sinds wanneer ligt het er?").inputValue(), "2026-01-02");
  assert.ok(await noticed.getByLabel("Ligt er vaker").isChecked());
  assert.equal(await thumbnails.count(), 2, "the files wait with the signal");
  await checkAccessibility(page, "nieuwe-melding-vragen-fout");

  await kind.getByLabel("Matras").check();
  await page.getByRole("button", { name: "Melding versturen" }).click();
  const ok = page.locator("main").getByText(/Melding SV-\d{4}-\d+ is ontvangen/);
  await ok.waitFor();
  const reference = (await ok.textContent()).match(/SV-\d{4}-\d+/)[0];
  await page.getByText(`photo_gps.jpg is toegevoegd aan melding ${reference}.`).waitFor();
  await page.getByText(`notitie.jpg is niet toegevoegd aan melding ${reference}: Dit is geen foto (JPEG of PNG) en geen PDF. De melding zelf is wel ontvangen.`).waitFor();
  await checkAccessibility(page, "nieuwe-melding-bestanden");

  const stored = await api(page, "GetSignal", { reference });
  assert.deepEqual(stored.answers.map((a) => a.questionLabel), ["Wat ligt er?", "Ligt er iets gevaarlijks bij?", "Hoeveel vuilniszakken?", "Sinds wanneer ligt het er?", "Wat valt op?"]);
  assert.equal(stored.attachments.length, 1);

  // Mijn meldingen: the answers, and the photo through hartslag-web, without
  // its Exif (GPS) and never taken for anything but a photo.
  await page.getByRole("link", { name: "Mijn meldingen" }).click();
  const card = page.locator(`[data-reference="${reference}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /Wat ligt er\?\s*Matras/);
  assert.match(await card.textContent(), /Ligt er iets gevaarlijks bij\?\s*Nee/);
  assert.match(await card.textContent(), /Wat valt op\?\s*Blokkeert de stoep, Ligt er vaker/);
  const thumbnail = card.getByRole("img", { name: "Foto photo_gps.jpg" });
  assert.ok(await thumbnail.evaluate((img) => img.decode().then(() => img.naturalWidth > 0)), "the stored photo shows");
  const served = await page.request.get(new URL(await thumbnail.getAttribute("src"), url).href);
  assert.equal(served.status(), 200);
  const headers = served.headers();
  assert.equal(headers["content-type"], "image/jpeg");
  assert.match(headers["content-disposition"], /^inline; filename="photo_gps.jpg"/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["cache-control"], "private, no-store");
  assert.match(headers["content-security-policy"], /sandbox/);
  assert.ok(photo.includes("Exif"), "the photo as taken holds Exif (with GPS)");
  const body = await served.body();
  assert.equal(body.includes("Exif"), false, "the photo as Hartslag has it does not");
  assert.deepEqual([...body.subarray(0, 2)], [0xff, 0xd8], "a JPEG still");
  await checkAccessibility(page, "mijn-meldingen-bijlagen");

  // 23:00, no connection: the signal and a large photo wait on the phone.
  await page.getByRole("link", { name: "Nieuwe melding" }).click();
  await page.getByRole("heading", { name: "Nieuwe melding" }).waitFor();
  const large = await largePhoto(page);
  assert.ok(large.length > 2 * 1024 * 1024, `a photo of ${large.length} bytes needs three chunks or more`);
  await page.context().setOffline(true);
  await fillSignal(page, { description: process.env.OFFLINE_DESCRIPTION });
  await category.selectOption({ label: "Grofvuil" });
  await answerRequired(page, "Bankstel");
  await page.getByLabel("Foto's of documenten").setInputFiles({ name: "nacht.jpg", mimeType: "image/jpeg", buffer: large });
  await page.getByRole("button", { name: "Melding versturen" }).click();
  await page.getByText("1 melding en 1 bestand wachten op verzending.").waitFor();

  // The page comes back, the services not yet: after a reload both still
  // wait on the phone.
  await page.route(kSubmit, (route) => route.abort("internetdisconnected"));
  await page.context().setOffline(false);
  await page.reload();
  await page.getByText("1 melding en 1 bestand wachten op verzending.").waitFor();

  // The connection returns; the answer to the photo's second chunk is lost
  // on the way (the service has it): the upload resumes from there.
  const offsets = [];
  await page.route(kUpload, async (route) => {
    offsets.push(Number(JSON.parse(route.request().postData()).offset));
    if (offsets.length === 2) {
      await route.fetch();
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await page.unroute(kSubmit);
  const later = page.locator("main").getByText(/Melding SV-\d{4}-\d+ is ontvangen/);
  await later.waitFor();
  const offlineReference = (await later.textContent()).match(/SV-\d{4}-\d+/)[0];
  await page.getByText(`nacht.jpg is toegevoegd aan melding ${offlineReference}.`).waitFor();
  await page.getByText(/wacht(en)? op verzending/).waitFor({ state: "detached" });
  const chunks = Array.from({ length: Math.ceil(large.length / (1 << 20)) }, (_, i) => i * (1 << 20));
  assert.deepEqual(offsets, [0, 1 << 20, ...chunks.slice(1)], "the lost chunk sent again, then the rest");
  await page.unroute(kUpload);

  const offlineSignal = await api(page, "GetSignal", { reference: offlineReference });
  assert.equal(offlineSignal.attachments.length, 1);
  const arrived = await page.request.get(`${url}/api/v1/signals/${offlineSignal.signalId}/attachments/${offlineSignal.attachments[0].attachmentId}`);
  assert.equal(arrived.status(), 200);
  assert.ok(Buffer.compare(await arrived.body(), large) === 0, "the photo arrived whole, each chunk once");
  const left = await page.evaluate(() => new Promise((resolve, reject) => {
    const opening = indexedDB.open("hartslag-outbox");
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const count = opening.result.transaction("files").objectStore("files").count();
      count.onsuccess = () => resolve(count.result);
    };
  }));
  assert.equal(left, 0, "nothing is left on the phone once it arrived");
  console.log(`references=${reference},${offlineReference}`);
});
