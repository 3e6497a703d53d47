// "Spoedtoegang (break-the-glass)": every time a coordinator opened a case
// outside their need-to-know, who, when and with which reason
// (ListBreakGlassReviews), and the privacy officer's review of it: a
// finding and whether the access was justified, given once
// (CompleteBreakGlassReview).
import { ApiError, call } from "../api";
import type { Screen } from "../app";
import { ChoiceGroup, Field, MessageSlot, button, dataList, heading, paragraph, statusBadge, textarea } from "../components";
import { h, replaceChildren } from "../dom";
import { organisationLabel, refusal, when } from "./privacy_common";
import { organisationNames } from "../directory";

interface Review {
  reviewId: string;
  caseId?: string;
  actor?: { userId?: string; organisationId?: string; organisationKind?: string };
  reason?: string;
  at?: string;
  finding?: string;
  justified?: boolean;
  completedBy?: string;
  completedAt?: string;
}

interface ReviewsPage {
  reviews?: Review[];
  nextPageToken?: string;
}

const kPageSize = 25;

export async function privacyBreakGlassScreen(): Promise<Screen> {
  const names = await organisationNames().catch(() => new Map<string, string>());
  const message = new MessageSlot();
  const list = h("ul", { class: "hartslag-privacy-list", attrs: { "aria-labelledby": "spoed-lijst" } });
  const more = button("Meer inzages tonen", () => void load(false), "secondary");
  let pageToken = "";

  function card(review: Review): HTMLLIElement {
    const item = h("li", { class: "hartslag-card hartslag-privacy-review", attrs: { "data-review-id": review.reviewId } });
    const render = (r: Review): void => {
      const done = Boolean(r.completedAt);
      const title = h(
        "h3",
        { class: "utrecht-heading-3", attrs: { tabindex: "-1" } },
        `Spoedtoegang ${when(r.at)} `,
        done ? statusBadge("Beoordeeld", "success") : statusBadge("Te beoordelen", "warning"),
      );
      const rows: [string, string | HTMLElement][] = [
        ["Door", `${r.actor?.userId ?? "onbekend"}, ${organisationLabel(names, r.actor?.organisationId, r.actor?.organisationKind)}`],
        ["Wanneer", when(r.at)],
        ["Reden", h("span", { class: "hartslag-text" }, r.reason ?? "")],
        ["Casus", r.caseId ?? ""],
      ];
      if (done) {
        rows.push(
          ["Oordeel", r.justified ? "Terecht" : "Niet terecht"],
          ["Bevinding", h("span", { class: "hartslag-text" }, r.finding ?? "")],
          ["Beoordeeld door", `${r.completedBy ?? "onbekend"} op ${when(r.completedAt)}`],
        );
      }
      replaceChildren(item, title, dataList(rows), done ? null : reviewForm(r));
    };

    function reviewForm(r: Review): HTMLFormElement {
      const finding = new Field("Bevinding", textarea({ rows: "4", maxlength: "2000" }), "Wat heeft u nagegaan en wat vond u? Hoogstens 2000 tekens.");
      const justified = new ChoiceGroup("Was de spoedtoegang terecht?", "radio", [["yes", "Ja, terecht"], ["no", "Nee, niet terecht"]], undefined, true);
      const slot = new MessageSlot();
      const form: HTMLFormElement = h(
        "form",
        {
          class: "hartslag-form",
          attrs: { novalidate: true, "aria-label": "Beoordeling afronden" },
          on: {
            submit: (event) => {
              event.preventDefault();
              finding.showError(null);
              justified.showError(null);
              if (!finding.value) {
                finding.showError("Vul uw bevinding in.");
                finding.focus();
                return;
              }
              if (justified.checked.length === 0) {
                justified.showError("Kies of de spoedtoegang terecht was.");
                justified.focus();
                return;
              }
              void complete(r, finding, justified, slot);
            },
          },
        },
        finding.element,
        justified.element,
        slot.element,
        h("div", { class: "utrecht-button-group" }, button("Beoordeling afronden", undefined, "primary", "submit")),
      );
      return form;
    }

    async function complete(r: Review, finding: Field, justified: ChoiceGroup, slot: MessageSlot): Promise<void> {
      try {
        const completed = await call<Review>("hartslag.cases.v1.CaseService/CompleteBreakGlassReview", {
          reviewId: r.reviewId,
          finding: finding.value,
          justified: justified.checked[0] === "yes",
        });
        render(completed);
        message.show("ok", "De beoordeling is afgerond.");
        (item.querySelector("h3") as HTMLElement).focus();
      } catch (error) {
        if (error instanceof ApiError && error.fields.finding) {
          finding.showError(error.fields.finding);
          finding.focus();
          return;
        }
        slot.show("error", refusal(error, "Afronden lukte niet."));
      }
    }

    render(review);
    return item;
  }

  async function load(first: boolean): Promise<void> {
    try {
      const page = await call<ReviewsPage>("hartslag.cases.v1.CaseService/ListBreakGlassReviews", { pageSize: kPageSize, pageToken: first ? "" : pageToken });
      pageToken = page.nextPageToken ?? "";
      if (first) replaceChildren(list);
      for (const r of page.reviews ?? []) list.appendChild(card(r));
      if (first && list.children.length === 0) list.appendChild(h("li", {}, "Er is geen spoedtoegang gebruikt."));
      more.hidden = !pageToken;
    } catch (error) {
      message.show("error", refusal(error, "De spoedtoegang kon niet worden opgehaald."));
    }
  }

  await load(true);
  return {
    title: "Spoedtoegang",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Spoedtoegang (break-the-glass)"),
      paragraph("Elke keer dat een coördinator een casus buiten de eigen betrokkenheid opende, met de opgegeven reden. Beoordeel of dat terecht was."),
      message.element,
      heading(2, "Nieuwste eerst", "spoed-lijst"),
      list,
      more,
    ),
  };
}
