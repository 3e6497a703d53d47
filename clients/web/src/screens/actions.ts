// "Acties van mijn organisatie": what the meetings gave the partner's
// organisation to do, overdue first, kept up to date live from
// WatchActions while the screen is open; start, complete with a result,
// and record what was found at each address of a joint action.
import { ApiError, call, follow } from "../api";
import { type App, type Screen } from "../app";
import { type BadgeKind, Field, MessageSlot, button, heading, paragraph, statusBadge, textarea } from "../components";
import { h, replaceChildren } from "../dom";
import { type Address, actionStatus, formatAddress, formatDate, formatTime } from "../labels";
import { Purpose } from "../purposes";

export interface Action {
  actionId: string;
  caseId: string;
  caseReference?: string;
  description?: string;
  organisationIds?: string[];
  dueDate?: string;
  status?: string;
  result?: string;
  overdue?: boolean;
  addresses?: { address?: Address; finding?: string }[];
  updatedAt?: string;
}

interface ActionEvent {
  cursor: string;
  change?: string;
  action: Action;
}

const badgeKind: Record<string, BadgeKind> = {
  ACTION_STATUS_OPEN: "neutral",
  ACTION_STATUS_IN_PROGRESS: "active",
  ACTION_STATUS_DONE: "success",
  ACTION_STATUS_CANCELLED: "inactive",
};

function isFinal(action: Action): boolean {
  return action.status === "ACTION_STATUS_DONE" || action.status === "ACTION_STATUS_CANCELLED";
}

// One action on screen, with its own forms. While the user types in it, a
// change from elsewhere waits until the user is done.
export class ActionCard {
  readonly element = h("li", { class: "hartslag-card" });
  editing = false;
  private waitingChange: Action | null = null;
  private readonly message = new MessageSlot();

  constructor(
    private action: Action,
    private readonly changed: (action: Action) => void,
  ) {
    this.render();
  }

  get current(): Action {
    return this.action;
  }

  // A change from the stream or from this user's own update.
  update(action: Action): void {
    if (this.editing) {
      this.waitingChange = action;
      this.message.show("info", "Deze actie is intussen gewijzigd; de wijziging verschijnt als u klaar bent.");
      return;
    }
    this.action = action;
    this.render();
  }

  private async send(request: Record<string, unknown>, done: string): Promise<void> {
    try {
      const action = await call<Action>("hartslag.cases.v1.ActionService/UpdateAction", { actionId: this.action.actionId, ...request });
      this.editing = false;
      this.waitingChange = null;
      this.action = action;
      this.render();
      this.message.show("ok", done);
      this.changed(action);
      this.element.querySelector("a")?.focus();
    } catch (error) {
      this.message.show("error", error instanceof ApiError ? error.message : "Opslaan lukte niet.");
    }
  }

  private finish(): void {
    this.editing = false;
    if (this.waitingChange) this.update(this.waitingChange);
  }

  private render(): void {
    const a = this.action;
    const final = isFinal(a);
    const title = `${a.caseReference ?? "Casus"}: ${a.description?.split("\n")[0] ?? ""}`;
    const result = new Field("Resultaat", textarea({ rows: "3", maxlength: "2000" }), "Wat is er gedaan en wat kwam eruit?");
    const completeForm = h(
      "form",
      {
        class: "hartslag-form",
        attrs: { hidden: true, novalidate: true },
        on: {
          input: () => (this.editing = true),
          submit: (event) => {
            event.preventDefault();
            if (!result.value) {
              result.showError("Vul het resultaat in.");
              result.control.focus();
              return;
            }
            void this.send({ status: "ACTION_STATUS_DONE", result: result.value }, `Actie ${a.caseReference ?? ""} is afgerond.`);
          },
        },
      },
      result.element,
      h("div", { class: "utrecht-button-group" }, button("Afronden bevestigen", undefined, "primary", "submit"), button("Annuleren", () => {
        completeForm.hidden = true;
        this.finish();
        this.element.querySelector("a")?.focus();
      }, "subtle")),
    );
    const addresses = (a.addresses ?? []).map((address, index) => {
      const finding = new Field(`Bevinding ${formatAddress(address.address)}`, textarea({ rows: "2", maxlength: "2000" }));
      finding.control.value = address.finding ?? "";
      if (final) {
        return h("li", {}, h("strong", {}, formatAddress(address.address)), address.finding ? `: ${address.finding}` : ": geen bevinding");
      }
      return h(
        "li",
        {},
        h(
          "form",
          {
            class: "hartslag-form",
            attrs: { novalidate: true },
            on: {
              input: () => (this.editing = true),
              submit: (event) => {
                event.preventDefault();
                void this.send({ findings: { [index]: finding.value } }, `Bevinding bij ${formatAddress(address.address)} is opgeslagen.`);
              },
            },
          },
          finding.element,
          button("Bevinding opslaan", undefined, "secondary", "submit"),
        ),
      );
    });
    replaceChildren(
      this.element,
      h("h3", { class: "utrecht-heading-3" }, h("a", { class: "utrecht-link", attrs: { href: `#/casus/${a.caseId}` } }, title)),
      h("p", { class: "utrecht-paragraph" }, statusBadge(actionStatus[a.status ?? ""] ?? "Onbekend", badgeKind[a.status ?? ""]), " ", a.overdue ? statusBadge("Te laat", "danger") : null, " Uiterlijk ", formatDate(a.dueDate)),
      a.description ? h("p", { class: "utrecht-paragraph hartslag-text" }, a.description) : null,
      a.result ? h("p", { class: "utrecht-paragraph hartslag-text" }, h("strong", {}, "Resultaat: "), a.result) : null,
      addresses.length ? h("div", {}, h("h4", { class: "utrecht-heading-4" }, "Adressen"), h("ul", { class: "utrecht-unordered-list" }, addresses)) : null,
      this.message.element,
      final
        ? null
        : h(
            "div",
            { class: "utrecht-button-group" },
            a.status === "ACTION_STATUS_OPEN" ? button("Starten", () => void this.send({ status: "ACTION_STATUS_IN_PROGRESS" }, `Actie ${a.caseReference ?? ""} is gestart.`), "secondary") : null,
            button("Afronden", () => {
              completeForm.hidden = false;
              this.editing = true;
              result.control.focus();
            }),
          ),
      completeForm,
      a.updatedAt ? h("p", { class: "utrecht-paragraph utrecht-paragraph--small" }, `Laatst gewijzigd ${formatTime(a.updatedAt)}`) : null,
    );
    this.element.dataset.actionId = a.actionId;
    this.element.dataset.status = a.status ?? "";
  }
}

// Lists every action of the caller's organisation, page by page.
async function allMine(): Promise<Action[]> {
  const actions: Action[] = [];
  let pageToken = "";
  do {
    const page = await call<{ actions?: Action[]; nextPageToken?: string }>("hartslag.cases.v1.ActionService/ListActions", { mine: true, pageSize: 500, pageToken }, Purpose.actionExecution);
    actions.push(...(page.actions ?? []));
    pageToken = page.nextPageToken ?? "";
  } while (pageToken);
  return actions;
}

export async function actionsScreen(app: App): Promise<Screen> {
  const cards = new Map<string, ActionCard>();
  const groups = {
    overdue: h("ol", { class: "hartslag-cards" }),
    open: h("ol", { class: "hartslag-cards" }),
    done: h("ol", { class: "hartslag-cards" }),
  };
  const counts = { overdue: h("span"), open: h("span"), done: h("span") };
  const liveState = h("p", { class: "utrecht-paragraph utrecht-paragraph--small", attrs: { "data-testid": "live" } }, "Verbinden…");

  const place = () => {
    const sorted = [...cards.values()].sort((x, y) => (x.current.dueDate ?? "").localeCompare(y.current.dueDate ?? "") || x.current.actionId.localeCompare(y.current.actionId));
    const into = { overdue: [] as HTMLElement[], open: [] as HTMLElement[], done: [] as HTMLElement[] };
    for (const card of sorted) {
      const a = card.current;
      into[isFinal(a) ? "done" : a.overdue ? "overdue" : "open"].push(card.element);
    }
    for (const key of ["overdue", "open", "done"] as const) {
      replaceChildren(groups[key], into[key]);
      counts[key].textContent = ` (${into[key].length})`;
    }
  };
  // A change is newer than what is shown when its updatedAt is later; the
  // echo of the user's own update (the same moment) changes nothing.
  const upsert = (action: Action, fromStream: boolean) => {
    const card = cards.get(action.actionId);
    if (!card) {
      cards.set(action.actionId, new ActionCard(action, () => place()));
      if (fromStream) app.announce(`Nieuwe actie voor uw organisatie: ${action.caseReference ?? ""}.`);
    } else if (Date.parse(action.updatedAt ?? "") > Date.parse(card.current.updatedAt ?? "")) {
      card.update(action);
      if (fromStream) app.announce(`Actie ${action.caseReference ?? ""} is bijgewerkt: ${actionStatus[action.status ?? ""] ?? ""}.`);
    }
  };

  // The list is read each time the stream runs (again), so nothing that
  // changed before it ran is missed; without a stream it is read once, and
  // the page says it is not live.
  let loaded = false;
  const reload = async (state: string) => {
    try {
      for (const action of await allMine()) upsert(action, false);
      place();
      loaded = true;
      liveState.textContent = state;
    } catch (error) {
      liveState.textContent = error instanceof ApiError ? error.message : "Bijwerken lukte niet.";
    }
  };
  const stop = follow<ActionEvent>("hartslag.cases.v1.ActionService/WatchActions", {}, Purpose.actionExecution, {
    ready: () => void reload("Deze lijst wordt live bijgewerkt."),
    message: (event) => {
      upsert(event.action, true);
      place();
    },
    trouble: (message, final) => {
      if (final || !loaded) void reload(message);
      else liveState.textContent = message;
    },
  });

  const section = (key: keyof typeof groups, title: string, empty: string) =>
    h("section", { attrs: { "aria-labelledby": `acties-${key}` } }, h("h2", { class: "utrecht-heading-2", attrs: { id: `acties-${key}` } }, title, counts[key]), groups[key], h("p", { class: "utrecht-paragraph hartslag-empty" }, empty));

  const element = h(
    "div",
    {},
    heading(1, "Acties van mijn organisatie"),
    paragraph(`De acties die de overleggen aan ${app.session.organisationName || app.session.organisationId} hebben toegewezen.`),
    liveState,
    section("overdue", "Te laat", "Geen acties over de datum."),
    section("open", "Open", "Geen open acties."),
    section("done", "Afgerond", "Nog niets afgerond."),
  );
  return { title: "Acties van mijn organisatie", element, leave: stop };
}
