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

interface Route {
  path: string;
  label: string;
  role: string;
  render: (app: App, parameter: string) => Promise<Screen> | Screen;
}

const routes: Route[] = [
  { path: "melding", label: "Nieuwe melding", role: "REPORTER", render: signalFormScreen },
  { path: "meldingen", label: "Mijn meldingen", role: "REPORTER", render: mySignalsScreen },
  { path: "acties", label: "Acties van mijn organisatie", role: "PARTNER", render: actionsScreen },
  { path: "casus", label: "", role: "PARTNER", render: caseScreen },
];

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

function leaveScreen(): void {
  current?.leave?.();
  current = null;
}

function showLogin(reason?: string): void {
  leaveScreen();
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
  const items = routes.filter((r) => r.label && hasRole(session, r.role));
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
  const [path, parameter = ""] = location.hash.replace(/^#\/?/, "").split("/");
  const allowed = routes.filter((r) => hasRole(app!.session, r.role));
  const route = allowed.find((r) => r.path === path) ?? allowed[0];
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
    document.title = `${screen.title} - Hartslag`;
    replaceChildren(main, screen.element);
  } catch (error) {
    if (generation !== renders) return;
    replaceChildren(main, heading(1, "Er ging iets mis"), alertBox("error", error instanceof Error ? error.message : "Onbekende fout."));
  }
}

async function start(session: Session): Promise<void> {
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
