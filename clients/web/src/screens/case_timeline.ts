// The timeline of a case: every step of its lifecycle with who made it,
// when and why, oldest first, and how many older steps the summary left
// out (the audit log holds every one).
import { h } from "../dom";
import { caseStatus, formatTime } from "../labels";
import { type CaseSummary } from "./case_model";
import { nameOf } from "../directory";

export function caseTimeline(summary: CaseSummary, names: Map<string, string>): HTMLElement {
  const history = summary.history ?? [];
  const omitted = summary.earlierHistoryOmitted ?? 0;
  return h(
    "section",
    { class: "hartslag-case-section", attrs: { "aria-labelledby": "tijdlijn-titel" } },
    h("h2", { class: "utrecht-heading-2", attrs: { id: "tijdlijn-titel" } }, "Tijdlijn"),
    omitted > 0 ? h("p", { class: "utrecht-paragraph" }, `${omitted} eerdere ${omitted === 1 ? "stap staat" : "stappen staan"} niet in dit overzicht; ze staan in het auditlog.`) : null,
    h(
      "ol",
      { class: "hartslag-case-timeline" },
      history.map((step) =>
        h(
          "li",
          { class: "hartslag-case-timeline__step" },
          h(
            "p",
            { class: "utrecht-paragraph hartslag-case-timeline__what" },
            h("strong", {}, step.from && step.from !== "CASE_STATUS_UNSPECIFIED" ? `${caseStatus[step.from] ?? step.from} → ${caseStatus[step.to ?? ""] ?? step.to}` : `Geopend: ${caseStatus[step.to ?? ""] ?? step.to}`),
          ),
          h(
            "p",
            { class: "utrecht-paragraph utrecht-paragraph--small" },
            `${formatTime(step.at)} door ${step.actor?.userId ?? "onbekend"}${step.actor?.organisationId ? ` (${nameOf(names, step.actor.organisationId)})` : ""}`,
          ),
          step.reason ? h("p", { class: "utrecht-paragraph hartslag-text" }, `Reden: ${step.reason}`) : null,
        ),
      ),
    ),
  );
}
