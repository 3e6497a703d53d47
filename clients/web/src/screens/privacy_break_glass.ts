// "Spoedtoegang (break-the-glass)": every time a coordinator opened a case
// outside their need-to-know, who, when and with which reason
// (ListBreakGlassReviews), and the privacy officer's review of it: a
// finding and whether the access was justified, given once
// (CompleteBreakGlassReview). The reviews still to do come first (open_only);
// a choice shows all of them.
import { ApiError, call } from "../api";
import type { Screen } from "../app";
import { ChoiceGroup, Field, MessageSlot, button, dataList, heading, paragraph, statusBadge, textarea } from "../components";
import { Pager } from "../pager";
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
  judgement?: string;
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
  const which = new ChoiceGroup("Welke spoedtoegangen?", "radio", [["open", "Alleen die nog te beoordelen zijn"], ["all", "Alle, ook beoordeelde"]]);
  which.check(["open"]);

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
          ["Oordeel", r.judgement === "JUDGEMENT_JUSTIFIED" ? "Terecht" : "Niet terecht"],
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
      const submit = button("Beoordeling afronden", undefined, "primary", "submit");
      const form: HTMLFormElement = h(
        "form",
        {
          class: "hartslag-form",
          attrs: { novalidate: true, "aria-label": "Beoordeling afronden" },
          on: {
            submit: (event) => {
              event.preventDefault();
              if (submit.disabled) return;
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
              submit.disabled = true;
              void complete(r, finding, justified, slot).finally(() => {
                submit.disabled = false;
              });
            },
          },
        },
        finding.element,
        justified.element,
        slot.element,
        h("div", { class: "utrecht-button-group" }, submit),
      );
      return form;
    }

    async function complete(r: Review, finding: Field, justified: ChoiceGroup, slot: MessageSlot): Promise<void> {
      try {
        const completed = await call<Review>("hartslag.cases.v1.CaseService/CompleteBreakGlassReview", {
          reviewId: r.reviewId,
          finding: finding.value,
          judgement: justified.checked[0] === "yes" ? "JUDGEMENT_JUSTIFIED" : "JUDGEMENT_NOT_JUSTIFIED",
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
        if (error instanceof ApiError && error.fields.judgement) {
          justified.showError(error.fields.judgement);
          justified.focus();
          return;
        }
        slot.show("error", refusal(error, "Afronden lukte niet."));
      }
    }

    render(review);
    return item;
  }

  const pager = new Pager<Review>(
    "Meer spoedtoegangen tonen",
    async (pageToken) => {
      const page = await call<ReviewsPage>("hartslag.cases.v1.CaseService/ListBreakGlassReviews", { pageSize: kPageSize, pageToken, openOnly: which.checked[0] === "open" });
      return { items: page.reviews ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (reviews, first) => {
      if (first) replaceChildren(list);
      const rows = reviews.map(card);
      list.append(...rows);
      if (first && rows.length === 0) {
        list.appendChild(h("li", {}, which.checked[0] === "open" ? "Er is geen spoedtoegang meer te beoordelen." : "Er is geen spoedtoegang gebruikt."));
      }
      return rows;
    },
    (error) => message.show("error", refusal(error, "De spoedtoegang kon niet worden opgehaald.")),
  );
  // Another choice is another question: page one anew.
  which.element.addEventListener("change", () => {
    message.clear();
    void pager.restart();
  });

  await pager.restart();
  return {
    title: "Spoedtoegang",
    element: h(
      "div",
      { class: "hartslag-privacy" },
      heading(1, "Spoedtoegang (break-the-glass)"),
      paragraph("Elke keer dat een coördinator een casus buiten de eigen betrokkenheid opende, met de opgegeven reden. Beoordeel of dat terecht was."),
      message.element,
      which.element,
      heading(2, "Nieuwste eerst", "spoed-lijst"),
      list,
      pager.more,
    ),
  };
}
