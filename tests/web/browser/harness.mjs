// What every browser scenario shares: Debian's Chromium driven headless by
// playwright-core (no browser download), logging in through the real login
// screen, and axe-core's WCAG 2.1 A/AA check of what is on screen.
//
// The scenarios run against a real hartslag-web in front of the real
// services (tests/web/browser_test.cc starts them) and read from the
// environment:
//   HARTSLAG_WEB_URL        https://localhost:<port>
//   HARTSLAG_PASSWORD       every seeded user's password
//   HARTSLAG_CHROMIUM       the browser (default /usr/bin/chromium)
//   HARTSLAG_SCREENSHOTS    if set, a folder for a screenshot of each screen
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// The packages live with the front end (clients/web/package-lock.json).
const require = createRequire(new URL("../../../clients/web/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const url = process.env.HARTSLAG_WEB_URL;
export const password = process.env.HARTSLAG_PASSWORD;
assert.ok(url && password, "HARTSLAG_WEB_URL and HARTSLAG_PASSWORD must be set");

export const phone = { width: 360, height: 740 };
export const desk = { width: 1280, height: 800 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.HARTSLAG_CHROMIUM || "/usr/bin/chromium",
    // As root in CI; and this machine's closed network refuses Chromium's
    // own background connections.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

// A fresh browser profile at `viewport`, trusting the test CA's certificate
// the way a managed phone trusts the municipality's.
export async function newPage(browser, viewport = phone) {
  const context = await browser.newContext({ viewport, ignoreHTTPSErrors: true, locale: "nl-NL", timezoneId: "Europe/Amsterdam" });
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    console.error(`page error: ${error.message}`);
    process.exitCode = 1;
  });
  page.on("dialog", (dialog) => {
    console.error(`unexpected dialog: ${dialog.message()}`);
    process.exitCode = 1;
    void dialog.dismiss();
  });
  return page;
}

export async function logIn(page, user, tenant = "heerlen") {
  await page.goto(url);
  await page.getByLabel("Gemeente").fill(tenant);
  await page.getByLabel("Gebruikersnaam").fill(user);
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("button", { name: "Uitloggen" }).waitFor();
}

// Fills "Nieuwe melding" with a signal in Vrieheide; `postcode` and
// `description` as the scenario needs them.
export async function fillSignal(page, { postcode = "6416 AB", description }) {
  await page.getByLabel("Categorie").selectOption({ index: 1 });
  await page.getByLabel("Gebied").selectOption({ label: "Vrieheide (Heerlen-Noord)" });
  await page.getByLabel("Postcode").fill(postcode);
  await page.getByLabel("Huisnummer").fill("14");
  await page.getByLabel("Straat").fill("Vrieheidelaan");
  await page.getByLabel("Plaats").fill("Heerlen");
  await page.getByLabel("Wat heeft u gezien?").fill(description);
}

// No WCAG 2.1 A or AA violation on what the page shows now.
export async function checkAccessibility(page, screen) {
  // Evaluated through the DevTools protocol, which the page's CSP (no
  // inline script) does not stop.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(found, [], `accessibility of ${screen}`);
  const width = page.viewportSize().width;
  assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, width), `${screen} fits ${width} px`);
  assert.ok(result.passes.length > 10, `axe checked ${screen}`);
  console.log(`axe ${screen}: ${result.passes.length} rules pass, no violation`);
  await screenshot(page, screen);
}

export async function screenshot(page, name) {
  const dir = process.env.HARTSLAG_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: join(dir, `${name}-${width}.png`), fullPage: true });
}

// Runs `scenario` with a browser and closes it whatever happens; a failed
// assertion fails the process (and so the gtest that started it).
export async function run(scenario) {
  const browser = await launch();
  try {
    await scenario(browser);
    console.log("scenario passed");
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
