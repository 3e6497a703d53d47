// The page: log in, then the screens of the user's roles under one header
// that says who is logged in, for which organisation, and logs out.
import { ApiError, type Session, currentSession, logOut, whenSessionEnds } from "./api";
import { type App, type Screen, hasRole } from "./app";
import { alertBox, button, heading, paragraph } from "./components";
import { h, replaceChildren } from "./dom";
import { role as roleLabel } from "./labels";
import { Outbox } from "./outbox";
import { actionsScreen } from "./screens/actions";
import { caseScreen } from "./screens/case";
import { loginScreen } from "./screens/login";
import { mySignalsScreen } from "./screens/my_signals";
import { outboxListener, signalFormScreen } from "./screens/signal_form";
import { forgetDirectory } from "./directory";

interface Route {
  path: string;
  label: string;
  // One role, or any of several.
  role: string | string[];
  render: (app: App, parameter: string) => Promise<Screen> | Screen;
  // Whether the screen is there at all for this session (the map needs a
  // tile server); always when absent.
  shown?: (session: Session) => boolean;
}

// A screen of the desk roles, loaded when first opened (esbuild splits it
// off), so that a street coach's phone downloads the signal form and not
// the coordinator's, privacy officer's and administrator's screens.
function lazy<K extends string>(load: () => Promise<Record<K, Route["render"]>>, name: K): Route["render"] {
  return async (app, parameter) => (await load())[name](app, parameter);
}

const routes: Route[] = [
  { path: "melding", label: "Nieuwe melding", role: "REPORTER", render: signalFormScreen },
  { path: "meldingen", label: "Mijn meldingen", role: "REPORTER", render: mySignalsScreen },
  { path: "inzage", label: "Inzageoverzicht", role: "PRIVACY_OFFICER", render: lazy(() => import("./screens/privacy_access"), "privacyAccessScreen") },
  { path: "beperkingen", label: "Beperkingen", role: "PRIVACY_OFFICER", render: lazy(() => import("./screens/privacy_restrictions"), "privacyRestrictionsScreen") },
  { path: "spoedtoegang", label: "Spoedtoegang (break-the-glass)", role: "PRIVACY_OFFICER", render: lazy(() => import("./screens/privacy_break_glass"), "privacyBreakGlassScreen") },
  { path: "auditlog", label: "Auditlog", role: "PRIVACY_OFFICER", render: lazy(() => import("./screens/audit_log"), "auditLogScreen") },
  { path: "acties", label: "Acties van mijn organisatie", role: "PARTNER", render: actionsScreen },
  { path: "werkvoorraad", label: "Werkvoorraad", role: "COORDINATOR", render: lazy(() => import("./screens/triage"), "triageScreen") },
  { path: "casus", label: "", role: ["PARTNER", "COORDINATOR"], render: caseScreen },
  { path: "casussen", label: "Casussen", role: "COORDINATOR", render: lazy(() => import("./screens/cases"), "casesScreen") },
  { path: "overleggen", label: "Overleggen", role: "COORDINATOR", render: lazy(() => import("./screens/meetings"), "meetingsScreen") },
  { path: "overleg", label: "", role: "COORDINATOR", render: lazy(() => import("./screens/meeting_board"), "meetingBoardScreen") },
  { path: "overzicht", label: "Overzicht", role: ["COORDINATOR", "ADMIN"], render: lazy(() => import("./screens/overview"), "overviewScreen") },
  { path: "kaart", label: "Kaart", role: "COORDINATOR", render: lazy(() => import("./screens/map"), "mapScreen"), shown: (s) => Boolean(s.mapTiles) },
  { path: "gebieden", label: "Gebieden", role: "ADMIN", render: lazy(() => import("./screens/admin_areas"), "adminAreasScreen") },
  { path: "organisaties", label: "Organisaties", role: "ADMIN", render: lazy(() => import("./screens/admin_organisations"), "adminOrganisationsScreen") },
  { path: "gebruikers", label: "Gebruikers", role: "ADMIN", render: lazy(() => import("./screens/admin_users"), "adminUsersScreen") },
  { path: "koppelingen", label: "Koppelingen", role: "ADMIN", render: lazy(() => import("./screens/admin_clients"), "adminClientsScreen") },
];

function mayUse(session: Session, route: Route): boolean {
  return (Array.isArray(route.role) ? route.role : [route.role]).some((r) => hasRole(session, r)) && (route.shown?.(session) ?? true);
}

const root = document.getElementById("app") as HTMLElement;
const live = h("div", { class: "hartslag-visually-hidden", attrs: { "aria-live": "polite" } });
let current: Screen | null = null;
let app: App | null = null;
// Each render counts; a screen that finished loading after a later render
// began is left at once, never shown.
let renders = 0;

function announce(text: string): void {
  live.textContent = "";
  window.setTimeout(() => (live.textContent = text), 50);
}

// The page's class while a wide screen is shown (Screen.wide).
const kWidePage = "hartslag-page--wide";

function leaveScreen(): void {
  current?.leave?.();
  current = null;
  root.classList.remove(kWidePage);
}

function showLogin(reason?: string): void {
  leaveScreen();
  forgetDirectory();
  renders += 1;
  app?.outbox.close();
  app = null;
  document.title = "Inloggen - Hartslag";
  const screen = loginScreen(reason, (session) => void start(session));
  replaceChildren(root, pageHeader(null), h("main", { class: "utrecht-page-content", attrs: { id: "inhoud" } }, screen.element), live);
  screen.element.querySelector("input")?.focus();
}

function pageHeader(session: Session | null): HTMLElement {
  const who = session
    ? h(
        "div",
        { class: "hartslag-who" },
        h("span", { attrs: { "data-testid": "wie" } }, session.displayName || session.userId),
        " · ",
        h("span", { attrs: { "data-testid": "organisatie" } }, session.organisationName || session.organisationId),
        " · ",
        (session.roles ?? []).map((r) => roleLabel[r] ?? r).join(", "),
        button("Uitloggen", () => void endSession(), "secondary"),
      )
    : null;
  return h(
    "header",
    { class: "utrecht-page-header hartslag-header" },
    h("a", { class: "utrecht-skip-link utrecht-skip-link--visible-on-focus", attrs: { href: "#inhoud" } }, "Naar de inhoud"),
    h("div", { class: "utrecht-page-header__content hartslag-header__content" }, h("span", { class: "hartslag-logo" }, "Hartslag"), who),
  );
}

function navigation(session: Session): HTMLElement {
  const items = routes.filter((r) => r.label && mayUse(session, r));
  return h(
    "nav",
    { class: "hartslag-nav", attrs: { "aria-label": "Hoofdmenu" } },
    h(
      "ul",
      { class: "utrecht-nav-list" },
      items.map((r) => h("li", { class: "utrecht-nav-list__item" }, h("a", { class: "utrecht-nav-list__link utrecht-link", attrs: { href: `#/${r.path}`, "data-path": r.path } }, r.label))),
    ),
  );
}

async function endSession(): Promise<void> {
  const signals = app?.outbox.pending().length ?? 0;
  const files = app?.outbox.waitingFiles() ?? 0;
  const what = [signals === 1 ? "1 melding" : signals > 1 ? `${signals} meldingen` : "", files === 1 ? "1 bestand" : files > 1 ? `${files} bestanden` : ""].filter(Boolean).join(" en ");
  if (what && !window.confirm(`Nog niet verzonden: ${what}. Dat blijft op dit apparaat staan tot u weer inlogt. Toch uitloggen?`)) {
    return;
  }
  try {
    await logOut();
  } catch (error) {
    // Already ended is as good as logged out; anything else is not, and on
    // a shared phone the user must know.
    if (!(error instanceof ApiError && error.unauthenticated)) {
      window.alert("Uitloggen is niet gelukt. Probeer het opnieuw.");
      return;
    }
  }
  showLogin("U bent uitgelogd.");
}

async function render(): Promise<void> {
  if (!app) return;
  const generation = ++renders;
  // A screen's own state (its filters) may follow a "?" in the hash.
  const [path, parameter = ""] = location.hash.replace(/^#\/?/, "").split("?")[0].split("/");
  const allowed = routes.filter((r) => mayUse(app!.session, r));
  const route = allowed.find((r) => r.path === path) ?? allowed.find((r) => r.label);
  const main = document.getElementById("inhoud") as HTMLElement;
  leaveScreen();
  if (!route) {
    replaceChildren(main, heading(1, "Hartslag"), paragraph("Voor uw rol zijn er in de browser nog geen schermen. Gebruik de Hartslag-CLI."));
    return;
  }
  for (const link of document.querySelectorAll<HTMLAnchorElement>(".hartslag-nav a")) {
    if (link.dataset.path === route.path) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    const screen = await route.render(app, decodeURIComponent(parameter));
    if (generation !== renders) {
      screen.leave?.();
      return;
    }
    current = screen;
    root.classList.toggle(kWidePage, screen.wide === true);
    document.title = `${screen.title} - Hartslag`;
    replaceChildren(main, screen.element);
  } catch (error) {
    if (generation !== renders) return;
    replaceChildren(main, heading(1, "Er ging iets mis"), alertBox("error", error instanceof Error ? error.message : "Onbekende fout."));
  }
}

async function start(session: Session): Promise<void> {
  forgetDirectory();
  const outbox = new Outbox(session.tenantId, session.userId, outboxListener);
  app = { session, outbox, announce };
  replaceChildren(root, pageHeader(session), navigation(session), h("main", { class: "utrecht-page-content hartslag-main", attrs: { id: "inhoud", tabindex: "-1" } }), live);
  // The screen first, so that it shows what the outbox then reports.
  await render();
  void outbox.flush();
}

whenSessionEnds(() => {
  if (app) showLogin("Uw sessie is verlopen. Log opnieuw in; wat nog niet verzonden was, blijft bewaard.");
});
// Screens are "#/<path>"; any other hash (the skip link's "#inhoud") only
// moves within the page.
window.addEventListener("hashchange", async () => {
  if (!location.hash.startsWith("#/")) return;
  await render();
  document.getElementById("inhoud")?.focus();
});

(async () => {
  try {
    const session = await currentSession();
    if (session) await start(session);
    else showLogin();
  } catch {
    replaceChildren(root, pageHeader(null), h("main", { class: "utrecht-page-content", attrs: { id: "inhoud" } }, alertBox("error", "Hartslag is nu niet bereikbaar. Probeer het zo opnieuw.")));
  }
})();
