// The session as an attacker and a forgetful user meet it: the cookie's
// flags, the headers of every answer, CSRF, an RPC outside the allow-list,
// a 10 MB body, an expired session, and logging out.
import assert from "node:assert/strict";
import { logIn, newPage, run, url } from "./harness.mjs";

run(async (browser) => {
  const page = await newPage(browser);
  const front = await page.goto(url);
  const headers = front.headers();
  assert.match(headers["content-security-policy"], /default-src 'self'/);
  assert.doesNotMatch(headers["content-security-policy"], /unsafe-inline/);
  assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
  assert.match(headers["strict-transport-security"], /max-age=\d+/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["referrer-policy"], "no-referrer");

  await logIn(page, "sam.straatcoach");
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "__Host-hartslag");
  assert.ok(session, "the session cookie is set");
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, "Strict");
  assert.equal(session.path, "/");
  assert.equal(await page.evaluate(() => document.cookie), "", "scripts cannot read the session");

  // The API's answers carry the same headers.
  const api = await page.request.get(`${url}/api/v1/session`);
  assert.match(api.headers()["content-security-policy"], /default-src 'self'/);
  assert.equal(api.headers()["x-content-type-options"], "nosniff");

  // Requests made from the page itself, as injected code would make them.
  const status = (path, init) => page.evaluate(async ([p, i]) => (await fetch(p, i)).status, [path, init]);
  const json = { "Content-Type": "application/json" };
  const csrf = await page.evaluate(async () => (await (await fetch("/api/v1/session")).json()).csrfToken);
  assert.equal(await status("/api/v1/hartslag.intake.v1.SignalService/ListSignals", { method: "POST", headers: json, body: "{}" }), 403,
               "without the CSRF header");
  assert.equal(await status("/api/v1/hartslag.intake.v1.SignalService/ListSignals", { method: "POST", headers: { ...json, "X-CSRF-Token": "x".repeat(43) }, body: "{}" }), 403,
               "with a wrong CSRF header");
  assert.equal(await status("/api/v1/hartslag.intake.v1.SignalService/ListSignals", { method: "POST", headers: { ...json, "X-CSRF-Token": csrf }, body: "{}" }), 200);
  for (const outside of ["hartslag.intake.v1.TriageFeedService/RecordTriageOutcomes", "hartslag.audit.v1.AuditService/Append",
                         "hartslag.directory.v1.DirectoryService/UpdateTenantSettings",
                         "hartslag.directory.v1.LookupService/ListTenantUsers"]) {
    assert.equal(await status(`/api/v1/${outside}`, { method: "POST", headers: { ...json, "X-CSRF-Token": csrf }, body: "{}" }), 404, outside);
  }
  // A valid signal padded with whitespace to 10 MB: had it reached intake,
  // it would be stored (browser_test.cc counts the signals: none).
  const big = await page.evaluate(async (token) => {
    const categories = await (await fetch("/api/v1/hartslag.intake.v1.SignalService/ListCategories",
        { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": token }, body: "{}" })).json();
    const signal = {
      requestId: crypto.randomUUID(), areaId: "vrieheide", categoryId: categories.categories[0].categoryId,
      source: "SOURCE_STREET_COACH", description: "Een geldige melding, opgevuld tot 10 MB.",
      location: { address: { street: "Vrieheidelaan", houseNumber: 12, postcode: "6416 AB", city: "Heerlen" } },
    };
    const body = JSON.stringify(signal) + " ".repeat(10 * 1024 * 1024);
    try {
      return (await fetch("/api/v1/hartslag.intake.v1.SignalService/SubmitSignal",
                          { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": token }, body })).status;
    } catch {
      return 0;  // the server may close the connection before it is all sent
    }
  }, csrf);
  assert.ok(big === 413 || big === 0, `a 10 MB body is refused (${big})`);
  console.log(`big-body-status=${big}`);

  // The session has expired while the page was open: the next step asks to
  // log in again.
  await page.context().addCookies([{ ...session, value: process.env.EXPIRED_COOKIE }]);
  await page.getByRole("link", { name: "Mijn meldingen" }).click();
  await page.getByText("Uw sessie is verlopen. Log opnieuw in").waitFor();
  await page.getByRole("heading", { name: "Inloggen bij Hartslag" }).waitFor();

  // Logging out ends the session: the cookie is gone, a reload shows the
  // login screen.
  await logIn(page, "sam.straatcoach");
  await page.getByRole("button", { name: "Uitloggen" }).click();
  await page.getByText("U bent uitgelogd.").waitFor();
  assert.equal((await page.context().cookies()).filter((c) => c.name === "__Host-hartslag").length, 0);
  await page.reload();
  await page.getByRole("heading", { name: "Inloggen bij Hartslag" }).waitFor();
});
