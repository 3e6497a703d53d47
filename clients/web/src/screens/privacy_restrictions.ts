// "Beperkingen": keeping one person's or address's accesses (by one
// organisation, or by all) out of the access overview for a while, for
// example during a police investigation (AddRestriction), lifting that
// again (LiftRestriction, after a confirmation in the page itself:
// confirmInPlace), and the
// tenant's restrictions, active and lifted, a page at a time.
import { ApiError, call } from "../api";
import type { Screen } from "../app";
import { Field, MessageSlot, button, confirmInPlace, dataList, heading, paragraph, select, statusBadge, textarea, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { formatDate } from "../labels";
import { SubjectForm, organisationLabel, refusal, when } from "./privacy_common";
import { organisationNames } from "../directory";
import { Pager } from "../pager";

interface Restriction {
  restrictionId: string;
  subject?: string;
  organisationId?: string;
  reason?: string;
  reviewDate?: string;
  createdBy?: string;
  createdAt?: string;
  liftedAt?: string;
  liftedBy?: string;
}

interface RestrictionsPage {
  restrictions?: Restriction[];
  nextPageToken?: string;
}

const kPageSize = 25;

function subjectLabel(pseudonym: string | undefined): string {
  if (!pseudonym) return "";
  if (pseudonym.startsWith("address:")) return `Adres (pseudoniem ${pseudonym.slice(8, 20)}…)`;
  if (pseudonym.startsWith("person:")) return `Persoon (pseudoniem ${pseudonym.slice(7, 19)}…)`;
  return pseudonym;
}

export async function privacyRestrictionsScreen(): Promise<Screen> {
  const names = await organisationNames().catch(() => new Map<string, string>());
  const message = new MessageSlot();
  const list = h("ul", { class: "hartslag-privacy-list", attrs: { "aria-labelledby": "beperkingen-lijst" } });

  function card(r: Restriction): HTMLLIElement {
    const item = h("li", { class: "hartslag-card hartslag-privacy-restriction", attrs: { "data-restriction-id": r.restrictionId } });
    // One lift at a time: a second press while the first is under way
    // would only be refused (already lifted) and confuse.
    let lifting = false;
    const render = (current: Restriction): void => {
      const lifted = Boolean(current.liftedAt);
      const confirm = h("div", { class: "hartslag-privacy-confirm", attrs: { hidden: true } });
      const liftButton = button("Opheffen", () => {
        confirmInPlace(confirm, "Weet u het zeker? Na opheffen staan de inzages weer in het inzageoverzicht.", "Ja, beperking opheffen", liftButton, () => lift(current));
      }, "secondary");
      replaceChildren(
        item,
        h("h3", { class: "utrecht-heading-3", attrs: { tabindex: "-1" } }, subjectLabel(current.subject), " ", lifted ? statusBadge("Opgeheven", "inactive") : statusBadge("Actief", "active")),
        dataList([
          ["Organisatie", organisationLabel(names, current.organisationId)],
          ["Reden", h("span", { class: "hartslag-text" }, current.reason ?? "")],
          ["Herbeoordelen op", formatDate(current.reviewDate)],
          ["Ingesteld", `${when(current.createdAt)} door ${current.createdBy ?? "onbekend"}`],
          ["Opgeheven", lifted ? `${when(current.liftedAt)} door ${current.liftedBy ?? "onbekend"}` : ""],
        ]),
        lifted ? null : h("div", {}, liftButton, confirm),
      );
    };
    async function lift(current: Restriction): Promise<void> {
      if (lifting) return;
      lifting = true;
      try {
        const lifted = await call<Restriction>("hartslag.audit.v1.AuditService/LiftRestriction", { restrictionId: current.restrictionId });
        render(lifted);
        message.show("ok", "De beperking is opgeheven.");
        (item.querySelector("h3") as HTMLElement).focus();
      } catch (error) {
        message.show("error", refusal(error, "Opheffen lukte niet."));
      } finally {
        lifting = false;
      }
    }
    render(r);
    return item;
  }

  const pager = new Pager<Restriction>(
    "Meer beperkingen tonen",
    async (pageToken) => {
      const page = await call<RestrictionsPage>("hartslag.audit.v1.AuditService/ListRestrictions", { pageSize: kPageSize, pageToken });
      return { items: page.restrictions ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (restrictions, first) => {
      if (first) replaceChildren(list);
      const rows = restrictions.map(card);
      list.append(...rows);
      if (first && rows.length === 0) list.appendChild(h("li", {}, "Er zijn geen beperkingen."));
      return rows;
    },
    (error) => message.show("error", refusal(error, "De beperkingen konden niet worden opgehaald.")),
  );

  // Adding one.
  const subject = new SubjectForm();
  const organisation = new Field(
    "Alleen inzages van",
    select([["", "Alle organisaties"], ...[...names.entries()].sort((a, b) => a[1].localeCompare(b[1], "nl")).map(([id, name]): [string, string] => [id, name])]),
  );
  const reason = new Field("Reden", textarea({ rows: "3", maxlength: "500" }), "Bijvoorbeeld: lopend politieonderzoek. Hoogstens 500 tekens.");
  const reviewDate = new Field("Herbeoordelen op", textbox({ type: "date" }), "Vandaag of later.");
  let requestId = crypto.randomUUID();
  const fields: [string, Field][] = [["organisation_id", organisation], ["reason", reason], ["review_date", reviewDate]];

  const submit = button("Beperking instellen", undefined, "primary", "submit");

  async function add(): Promise<void> {
    if (submit.disabled) return;
    for (const [, f] of fields) f.showError(null);
    const about = subject.subject();
    if (!about) return;
    if (!reason.value) {
      reason.showError("Vul de reden in.");
      reason.focus();
      return;
    }
    if (!reviewDate.value) {
      reviewDate.showError("Kies de datum waarop de beperking herbeoordeeld wordt.");
      reviewDate.focus();
      return;
    }
    submit.disabled = true;
    try {
      const added = await call<Restriction>("hartslag.audit.v1.AuditService/AddRestriction", {
        requestId,
        subject: about,
        organisationId: organisation.value,
        reason: reason.value,
        reviewDate: reviewDate.value,
      });
      requestId = crypto.randomUUID();
      form.reset();
      message.show("ok", "De beperking is ingesteld. Inzages die eronder vallen, staan niet meer in het inzageoverzicht.");
      list.querySelector("li:not(.hartslag-card)")?.remove();
      list.prepend(card(added));
    } catch (error) {
      if (error instanceof ApiError) {
        if (subject.showRefusal(error)) return;
        for (const [path, f] of fields) {
          if (error.fields[path]) {
            f.showError(error.fields[path]);
            f.focus();
            return;
          }
        }
      }
      message.show("error", refusal(error, "De beperking kon niet worden ingesteld."));
    } finally {
      submit.disabled = false;
    }
  }

  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          void add();
        },
      },
    },
    subject.element,
    organisation.element,
    reason.element,
    reviewDate.element,
    h("div", { class: "utrecht-button-group" }, submit),
  );

  await pager.restart();
  return {
    title: "Beperkingen",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Beperkingen"),
      paragraph("Een beperking houdt inzages van een adres of persoon uit het inzageoverzicht, bijvoorbeeld tijdens een politieonderzoek, tot u haar opheft."),
      message.element,
      h("section", { attrs: { "aria-labelledby": "beperking-nieuw" } }, heading(2, "Nieuwe beperking", "beperking-nieuw"), form),
      h("section", { attrs: { "aria-labelledby": "beperkingen-lijst" } }, heading(2, "Alle beperkingen, nieuwste eerst", "beperkingen-lijst"), list, pager.more),
    ),
  };
}
