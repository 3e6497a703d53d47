// web_bench: the coordinator's screens with a realistic year behind them.
//
//   node tools/bench/web_bench.mjs [--url https://localhost:7400] [--password-file .local/secrets/demo.password]
//                                  [--cases 2000] [--signals 10000] [--meetings 50] [--skip-seed]
//
// Against a running Hartslag (tools/local.sh up; the CA in .local/certs/ca.pem
// is trusted through NODE_EXTRA_CA_CERTS or --insecure). Seeds, through the
// same JSON API the screens use, a year of Heerlen-Noord: `--signals`
// signals by the street coach, `--cases` cases opened by the coordinator
// (half Leefbaarheid, half Casuïstiek) and `--meetings` meetings (half of
// each kind, weekly) with a generated agenda on the first of each kind.
// Then Debian's Chromium (headless, playwright-core) opens, as the
// coordinator, the Werkvoorraad, the case list and the meeting board, and
// prints for each: the time from navigation to the first rendered row, the
// rows on screen, the DOM size and the page's JavaScript heap. A benchmark:
// it measures and prints; it asserts nothing beyond the screens rendering.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(join(root, "clients/web/package.json"));
const { chromium } = require("playwright-core");

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const url = flag("url", "https://localhost:7400");
const password = readFileSync(flag("password-file", join(root, ".local/secrets/demo.password")), "utf8").trim();
const counts = { cases: Number(flag("cases", "2000")), signals: Number(flag("signals", "10000")), meetings: Number(flag("meetings", "50")) };
const seed = !process.argv.includes("--skip-seed");
if (process.argv.includes("--insecure")) process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

// A session of the JSON API, as the browser holds one: the sealed cookie
// and the CSRF token.
async function session(user) {
  const res = await fetch(`${url}/api/v1/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tenantId: "heerlen", userId: user, password }),
  });
  if (!res.ok) throw new Error(`log in as ${user}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie").split(";")[0];
  const { csrfToken } = await res.json();
  return async (method, request, purpose = "") => {
    for (let attempt = 0; ; attempt++) {
      const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken, Cookie: cookie };
      if (purpose) headers["X-Hartslag-Purpose"] = purpose;
      const answer = await fetch(`${url}/api/v1/${method}`, { method: "POST", headers, body: JSON.stringify(request) });
      if (answer.ok) return answer.json();
      // Busy (429/503): the same request again, as the screens do.
      if ((answer.status === 429 || answer.status === 503) && attempt < 20) {
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`${method}: ${answer.status} ${await answer.text()}`);
    }
  };
}

// Runs `work(i)` for i in [0, n) with `parallel` in flight; prints progress.
async function many(label, n, parallel, work) {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) await work(next++);
  }));
  const seconds = (performance.now() - start) / 1000;
  console.log(`seeded ${n} ${label} in ${seconds.toFixed(1)} s (${(n / seconds).toFixed(0)}/s)`);
}

const wijken = ["vrieheide", "kasteelbuurt", "hoofdstraat-west", "gms"];
const address = (i) => ({ street: "Benchstraat", houseNumber: 1 + (i % 400), postcode: `64${10 + (i % 8)} AB`, city: "Heerlen" });

async function seedYear() {
  const coach = await session("sanne.coach");
  const coordinator = await session("carla.coordinator");
  const categories = (await coach("hartslag.intake.v1.SignalService/ListCategories", {})).categories ?? [];
  // Leaf categories that ask nothing required, so every signal is valid.
  const parents = new Set(categories.map((c) => c.parentCategoryId).filter(Boolean));
  const usable = categories.filter((c) => !parents.has(c.categoryId) && !(c.questions ?? []).some((q) => q.required));
  if (!usable.length) throw new Error("no category without required questions");
  await many("signals", counts.signals, 8, (i) =>
    coach("hartslag.intake.v1.SignalService/SubmitSignal", {
      requestId: crypto.randomUUID(),
      areaId: wijken[i % wijken.length],
      categoryId: usable[i % usable.length].categoryId,
      location: { address: address(i) },
      description: `Benchmarkmelding ${i}: wat de straatcoach zag, in een paar zinnen beschreven.`,
      urgency: "URGENCY_NORMAL",
      source: "SOURCE_STREET_COACH",
    }));
  await many("cases", counts.cases, 8, (i) => {
    const leefbaarheid = i % 2 === 0;
    return coordinator("hartslag.cases.v1.CaseService/OpenCase", {
      requestId: crypto.randomUUID(),
      kind: leefbaarheid ? "CASE_KIND_LEEFBAARHEID" : "CASE_KIND_CASUISTIEK",
      title: `Benchmarkcasus ${i}`,
      areaId: wijken[i % wijken.length],
      ...(leefbaarheid ? { address: address(i) } : { persons: [{ name: `Bewoner ${i}`, role: "bewoner" }] }),
      participatingOrganisations: ["politie-limburg", "buurtteam-heerlen"],
    });
  });
  const weeks = Math.max(1, Math.floor(counts.meetings / 2));
  const firstDay = new Date(Date.now() + 7 * 86400_000);
  const meetings = [];
  for (const [kind, hour] of [["CASE_KIND_LEEFBAARHEID", 9], ["CASE_KIND_CASUISTIEK", 13]]) {
    const startsAt = new Date(Date.UTC(firstDay.getUTCFullYear(), firstDay.getUTCMonth(), firstDay.getUTCDate(), hour)).toISOString();
    const scheduled = await coordinator("hartslag.cases.v1.MeetingService/ScheduleMeetings", {
      requestId: crypto.randomUUID(), kind, areaId: "heerlen-noord", startsAt, weeks,
      participatingOrganisations: ["politie-limburg", "buurtteam-heerlen", "woonpunt"],
    });
    meetings.push(scheduled.meetings[0].meetingId);
  }
  for (const meetingId of meetings) {
    const start = performance.now();
    const meeting = await coordinator("hartslag.cases.v1.MeetingService/EditAgenda", { meetingId, edit: "EDIT_GENERATE" });
    console.log(`generated an agenda of ${(meeting.items ?? []).length} items in ${(performance.now() - start).toFixed(0)} ms`);
  }
  console.log(`seeded ${weeks * 2} meetings`);
  return meetings;
}

// The coming meeting with the longest agenda (the board's worst case).
async function longestAgenda() {
  const coordinator = await session("carla.coordinator");
  const list = await coordinator("hartslag.cases.v1.MeetingService/ListMeetings", { pageSize: 500 });
  let best = { id: "", items: -1 };
  for (const m of list.meetings ?? []) {
    const meeting = await coordinator("hartslag.cases.v1.MeetingService/GetMeeting", { meetingId: m.meetingId }, "MEETING");
    if ((meeting.items ?? []).length > best.items) best = { id: m.meetingId, items: meeting.items.length };
  }
  return best.id;
}

// Opens `hash` in a page already logged in and waits for the first of
// `rows`; what it took and what the page holds then.
async function measure(page, name, hash, rows) {
  await page.goto(`${url}/#/werkvoorraad`);
  await page.goto("about:blank");
  const start = Date.now();
  await page.goto(`${url}/${hash}`);
  await page.locator(rows).first().waitFor({ timeout: 120_000 });
  const firstRow = Date.now() - start;
  const shown = await page.locator(rows).count();
  const client = await page.context().newCDPSession(page);
  await client.send("Performance.enable");
  await client.send("HeapProfiler.collectGarbage");
  const { metrics } = await client.send("Performance.getMetrics");
  const metric = (n) => metrics.find((m) => m.name === n)?.value ?? 0;
  const result = { screen: name, first_row_ms: firstRow, rows: shown, dom_nodes: metric("Nodes"), js_heap_mb: +(metric("JSHeapUsedSize") / 1e6).toFixed(1) };
  console.log(`${name.padEnd(14)} first row ${String(firstRow).padStart(6)} ms, ${String(shown).padStart(4)} rows, ${String(result.dom_nodes).padStart(6)} DOM nodes, JS heap ${result.js_heap_mb} MB`);
  return result;
}

const meetings = seed ? await seedYear() : [await longestAgenda()];
const browser = await chromium.launch({
  executablePath: process.env.HARTSLAG_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--enable-precise-memory-info"],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true, locale: "nl-NL" });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel("Gemeente").fill("heerlen");
  await page.getByLabel("Gebruikersnaam").fill("carla.coordinator");
  await page.getByLabel("Wachtwoord").fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("button", { name: "Uitloggen" }).waitFor();
  const results = [];
  // Each screen twice: the first pays for the connection and the caches.
  for (let round = 0; round < 2; round++) {
    results.length = 0;
    results.push(await measure(page, "werkvoorraad", "#/werkvoorraad", "[data-signal-id]"));
    results.push(await measure(page, "casussen", "#/casussen", "[data-case-id]"));
    results.push(await measure(page, "overleg", `#/overleg/${meetings[0]}`, "[data-item-id]"));
  }
  console.log(JSON.stringify(Object.fromEntries(results.map((r) => [r.screen, r]))));
} finally {
  await browser.close();
}
