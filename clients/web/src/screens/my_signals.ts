// "Mijn meldingen": the signals of the reporter's organisation, newest
// first, with where each stands, its deadline, the answers, photos and
// documents, and the coordinator's feedback; and what still waits on this
// device.
import { call } from "../api";
import type { App, Screen } from "../app";
import { type BadgeKind, MessageSlot, alertBox, errorText, heading, paragraph, statusBadge } from "../components";
import { h } from "../dom";
import { type Answer, type Attachment, attachmentUrl, kSignalService } from "../intake";
import { formatAddress, formatAnswer, formatSize, formatTime, signalStatus } from "../labels";
import { Pager } from "../pager";
import type { Signal } from "./signal_model";

// Photos as thumbnails that open the photo, documents as links; each
// fetched through hartslag-web with the session, as intake allows, and
// with `purpose` where the reader needs one (a coordinator's TRIAGE).
export function attachmentList(attachments: Attachment[], purpose = ""): HTMLUListElement {
  return h(
    "ul",
    { class: "hartslag-thumbnails" },
    attachments.map((a) => {
      const name = a.fileName || "bijlage";
      const size = formatSize(Number(a.sizeBytes ?? 0));
      const photo = a.mediaType.startsWith("image/");
      const href = purpose ? `${attachmentUrl(a)}?purpose=${encodeURIComponent(purpose)}` : attachmentUrl(a);
      return h(
        "li",
        { class: "hartslag-thumbnail" },
        h(
          "a",
          { class: "utrecht-link", attrs: { href, target: photo ? "_blank" : undefined, download: photo ? undefined : name } },
          photo ? h("img", { attrs: { src: href, alt: `Foto ${name}`, loading: "lazy" } }) : h("span", { class: "hartslag-thumbnail__document", attrs: { "aria-hidden": "true" } }, "PDF"),
          h("span", { class: "hartslag-thumbnail__name" }, photo ? size : `${name} (PDF, ${size})`),
        ),
      );
    }),
  );
}

// The answers to the category's questions, each question above its answer.
export function answerList(answers: Answer[]): HTMLDListElement {
  return h("dl", { class: "hartslag-answers" }, answers.flatMap((a) => [h("dt", {}, a.questionLabel || a.questionId), h("dd", { class: "hartslag-text" }, formatAnswer(a))]));
}

const badgeKind: Record<string, BadgeKind> = {
  SIGNAL_STATUS_NEW: "neutral",
  SIGNAL_STATUS_ACCEPTED: "success",
  SIGNAL_STATUS_REFERRED: "active",
  SIGNAL_STATUS_NO_ACTION: "inactive",
};

export async function mySignalsScreen(app: App): Promise<Screen> {
  const categories = await call<{ categories?: { categoryId: string; label: string }[] }>(`${kSignalService}/ListCategories`, {});
  const label = new Map((categories.categories ?? []).map((c) => [c.categoryId, c.label]));
  const list = h("ol", { class: "hartslag-cards", attrs: { "aria-labelledby": "meldingen-titel" } });

  const card = (s: Signal) =>
    h(
      "li",
      { class: "hartslag-card", attrs: { "data-reference": s.reference ?? "" } },
      h("h2", { class: "utrecht-heading-3" }, `${s.reference ?? ""} · ${label.get(s.categoryId ?? "") ?? s.categoryId ?? ""}`),
      h("p", { class: "utrecht-paragraph" }, statusBadge(signalStatus[s.status ?? ""] ?? "Onbekend", badgeKind[s.status ?? ""] ?? "neutral"), " ", formatTime(s.reportedAt), s.area?.name ? ` · ${s.area.name}` : ""),
      s.status === "SIGNAL_STATUS_NEW"
        ? h(
            "p",
            { class: "utrecht-paragraph" },
            s.late ? statusBadge("Te laat", "danger") : s.overdue ? statusBadge("Over de termijn", "warning") : null,
            s.late || s.overdue ? " " : null,
            `Beoordeling uiterlijk ${formatTime(s.dueAt)}`,
          )
        : null,
      s.statusOnly ? paragraph("Gemeld door een collega van uw organisatie; u ziet alleen de status.") : null,
      s.location?.address ? paragraph(formatAddress(s.location.address)) : null,
      s.description ? h("p", { class: "utrecht-paragraph hartslag-text" }, s.description) : null,
      s.answers?.length ? answerList(s.answers) : null,
      s.attachments?.length ? attachmentList(s.attachments) : null,
      s.feedback ? h("div", { class: "hartslag-feedback" }, h("strong", {}, "Terugkoppeling: "), s.feedback) : null,
    );

  const moreMessage = new MessageSlot();
  const none = paragraph("Er zijn nog geen meldingen.");
  const pager = new Pager<Signal>(
    "Meer meldingen laden",
    async (pageToken) => {
      const page = await call<{ signals?: Signal[]; nextPageToken?: string }>(`${kSignalService}/ListSignals`, { pageSize: 50, pageToken: pageToken || undefined });
      return { items: page.signals ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (signals) => {
      const rows = signals.map(card);
      list.append(...rows);
      none.hidden = list.childElementCount > 0;
      moreMessage.clear();
      return rows;
    },
    (error, first) => {
      moreMessage.show("error", errorText(error, "Laden lukte niet."));
      if (first) none.hidden = true;
    },
  );
  await pager.restart();

  const waiting = app.outbox.waiting().length;
  const refused = app.outbox.refused().length;
  const waitingFiles = app.outbox.waitingFiles();
  // Files refused while no form was on screen: told here, then forgotten.
  const refusedFiles = await app.outbox.refusedFiles();
  for (const file of refusedFiles) await app.outbox.forget(file);
  const element = h(
    "section",
    {},
    heading(1, "Mijn meldingen", "meldingen-titel"),
    waiting > 0 ? alertBox("warning", `${waiting === 1 ? "1 melding wacht" : `${waiting} meldingen wachten`} op dit apparaat op verzending.`) : null,
    waitingFiles > 0 ? alertBox("warning", `${waitingFiles === 1 ? "1 bestand wacht" : `${waitingFiles} bestanden wachten`} op dit apparaat op verzending.`) : null,
    refusedFiles.length > 0
      ? alertBox("warning", h("ul", { class: "utrecht-unordered-list" }, refusedFiles.map((f) => h("li", {}, `${f.fileName} is niet toegevoegd aan melding ${f.reference ?? ""}: ${f.refusal ?? ""}`))))
      : null,
    refused > 0
      ? alertBox("error", `${refused === 1 ? "1 melding is" : `${refused} meldingen zijn`} niet aangenomen. `, h("a", { class: "utrecht-link", attrs: { href: "#/melding" } }, "Verbeteren"))
      : null,
    none,
    list,
    moreMessage.element,
    pager.more,
  );
  return { title: "Mijn meldingen", element };
}
