// "Nieuwe melding": a street coach or BOA reports what they saw, on a phone
// in the street: the category (grouped by main category), the questions it
// asks, where, what, and photos. The form is sent through the outbox, so a
// lost connection loses nothing (photos included) and stores nothing twice;
// the service's refusals appear beside the fields and questions they
// concern.
import { type ApiError, call, newRequestId } from "../api";
import type { App, Screen } from "../app";
import { Field, MessageSlot, type Validated, alertBox, button, heading, paragraph, select, textarea, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import type { StoredFile } from "../file_store";
import { type Answer, type Category, kSignalService } from "../intake";
import { source, sourceOfOrganisation, urgency } from "../labels";
import type { Acknowledged, Listener, Pending } from "../outbox";
import { PhotoPicker } from "./photo_picker";
import { type QuestionField, questionField } from "./questions";

interface Area {
  areaId: string;
  name: string;
  parentAreaId?: string;
}

// What the outbox reports goes to the form while it is on screen; what
// happens elsewhere shows on the next visit (refusals stay in the outbox,
// acknowledged signals are under "Mijn meldingen").
let mounted: Listener | null = null;

export const outboxListener: Listener = {
  acknowledged: (done) => mounted?.acknowledged(done),
  refused: (pending) => mounted?.refused(pending),
  fileDone: (file, attachment) => mounted?.fileDone(file, attachment),
  waiting: (signals, files, error) => mounted?.waiting(signals, files, error),
};

// The category chooser: main categories in their order, a main category
// with subcategories as a group of them (a signal goes to one of its
// subcategories), one without as a choice of its own.
function categorySelect(categories: Category[]): HTMLSelectElement {
  const subcategories = new Map<string, Category[]>();
  for (const c of categories) if (c.parentCategoryId) subcategories.set(c.parentCategoryId, [...(subcategories.get(c.parentCategoryId) ?? []), c]);
  const option = (c: Category) => h("option", { attrs: { value: c.categoryId } }, c.label);
  return h(
    "select",
    { class: "utrecht-select utrecht-select--html-select", attrs: { name: "categorie", required: true } },
    h("option", { attrs: { value: "" } }, "Kies een categorie"),
    categories
      .filter((c) => !c.parentCategoryId)
      .map((main) => {
        const subs = subcategories.get(main.categoryId);
        return subs ? h("optgroup", { attrs: { label: main.label } }, subs.map(option)) : option(main);
      }),
  );
}

class PersonRow {
  readonly element: HTMLFieldSetElement;
  readonly name = new Field("Naam", textbox({ autocomplete: "off" }));
  readonly birthYear = new Field("Geboortejaar (als bekend)", textbox({ inputmode: "numeric", autocomplete: "off", maxlength: "4" }, "utrecht-textbox--numeric hartslag-width-4"));
  readonly role = new Field("Betrokken als", textbox({ autocomplete: "off" }), "Bijvoorbeeld bewoner, ouder, buurman.");

  constructor(number: number, remove: (row: PersonRow) => void) {
    this.element = h(
      "fieldset",
      { class: "utrecht-form-fieldset hartslag-person" },
      h("legend", { class: "utrecht-form-fieldset__legend" }, `Persoon ${number}`),
      this.name.element,
      this.birthYear.element,
      this.role.element,
      button(`Persoon ${number} verwijderen`, () => remove(this), "subtle"),
    );
  }

  fields(index: number): [string, Field][] {
    return [[`persons[${index}].name`, this.name], [`persons[${index}].birth_year`, this.birthYear], [`persons[${index}].role`, this.role]];
  }

  value(): Record<string, unknown> {
    const year = Number.parseInt(this.birthYear.value, 10);
    return { name: this.name.value, role: this.role.value, ...(Number.isFinite(year) ? { birthYear: year } : {}) };
  }
}

export async function signalFormScreen(app: App): Promise<Screen> {
  const [categories, areas] = await Promise.all([
    call<{ categories?: Category[] }>(`${kSignalService}/ListCategories`, {}),
    call<{ areas?: Area[] }>(`${kSignalService}/ListAreas`, {}),
  ]);
  const categoryList = categories.categories ?? [];
  const areaName = new Map((areas.areas ?? []).map((a) => [a.areaId, a.name]));

  const category = new Field("Categorie", categorySelect(categoryList));
  const area = new Field(
    "Gebied",
    select([["", "Kies een gebied"], ...(areas.areas ?? []).map((a): [string, string] => [a.areaId, a.parentAreaId ? `${a.name} (${areaName.get(a.parentAreaId) ?? a.parentAreaId})` : a.name])], { name: "gebied", required: true }),
  );
  const postcode = new Field("Postcode", textbox({ name: "postcode", autocomplete: "postal-code", required: true, maxlength: "7", autocapitalize: "characters" }, "utrecht-textbox--postal-code-nl-size"), "Bijvoorbeeld 6416 AB.");
  const houseNumber = new Field("Huisnummer", textbox({ name: "huisnummer", inputmode: "numeric", required: true, maxlength: "5" }, "utrecht-textbox--house-number-size"));
  const addition = new Field("Toevoeging", textbox({ name: "toevoeging", maxlength: "6", autocapitalize: "characters" }, "utrecht-textbox--house-addition-size"), "Letter of toevoeging, als die er is.");
  const street = new Field("Straat", textbox({ name: "straat", autocomplete: "address-line1", required: true }));
  const city = new Field("Plaats", textbox({ name: "plaats", autocomplete: "address-level2", required: true }));
  const description = new Field("Wat heeft u gezien?", textarea({ name: "omschrijving", required: true, maxlength: "4000" }), "Minstens 10 tekens. Beschrijf wat u zag, niet wat u denkt.");
  const urgencyField = new Field("Urgentie", select(urgency, { name: "urgentie" }));
  urgencyField.control.value = "URGENCY_NORMAL";
  const sourceField = new Field("Gesignaleerd door", select(source, { name: "bron" }));
  sourceField.control.value = sourceOfOrganisation[app.session.organisationKind ?? ""] ?? "SOURCE_OTHER";

  let point: { latitude: number; longitude: number } | null = null;
  const locationStatus = h("p", { class: "utrecht-paragraph", attrs: { "aria-live": "polite" } });
  const locationButton = button("Gebruik mijn locatie", () => {
    if (!("geolocation" in navigator)) {
      locationStatus.textContent = "Dit apparaat kan de locatie niet bepalen.";
      return;
    }
    locationStatus.textContent = "Locatie wordt bepaald…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        point = { latitude: position.coords.latitude, longitude: position.coords.longitude };
        locationStatus.textContent = `Locatie toegevoegd (${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)}). Vul ook het adres in.`;
      },
      () => {
        point = null;
        locationStatus.textContent = "De locatie kon niet worden bepaald. Vul het adres in.";
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }, "secondary");

  const persons: PersonRow[] = [];
  const personList = h("div");
  const renumber = () => replaceChildren(personList, persons.map((p) => p.element));
  const addPerson = button("Persoon toevoegen", () => {
    if (persons.length >= 10) return;
    const row = new PersonRow(persons.length + 1, (gone) => {
      persons.splice(persons.indexOf(gone), 1);
      renumber();
    });
    persons.push(row);
    renumber();
    row.name.control.focus();
  }, "secondary");
  const personSection = h(
    "fieldset",
    { class: "utrecht-form-fieldset", attrs: { hidden: true } },
    h("legend", { class: "utrecht-form-fieldset__legend" }, "Betrokken personen"),
    paragraph("Deze categorie vraagt wie erbij betrokken zijn, als u dat weet. Alleen wie de melding mag zien, ziet deze namen."),
    personList,
    addPerson,
  );
  const meldcode = h("div");
  const categoryDescription = h("div");
  // The chosen category's questions, in its order.
  let questions: QuestionField[] = [];
  const questionList = h("div", { class: "hartslag-questions" });
  category.control.addEventListener("change", () => {
    const chosen = categoryList.find((c) => c.categoryId === category.control.value);
    personSection.hidden = chosen?.defaultMeeting !== "MEETING_KIND_CASUISTIEK";
    replaceChildren(categoryDescription, chosen?.description ? paragraph(chosen.description) : null);
    replaceChildren(meldcode, chosen?.meldcode ? alertBox("warning", "Deze categorie valt onder de Meldcode huiselijk geweld en kindermishandeling. Twijfelt u over de veiligheid van iemand? Overleg met de coördinator; bij acuut gevaar belt u 112.") : null);
    questions = (chosen?.questions ?? []).map(questionField);
    replaceChildren(questionList, questions.length > 0 ? h("fieldset", { class: "utrecht-form-fieldset hartslag-form" }, h("legend", { class: "utrecht-form-fieldset__legend" }, "Vragen bij deze categorie"), questions.map((q) => q.element)) : null);
  });
  const photos = new PhotoPicker();

  const fieldsByPath = (): Map<string, Validated> =>
    new Map<string, Validated>([
      ["category_id", category],
      ["area_id", area],
      ["location.address.postcode", postcode],
      ["location.address.house_number", houseNumber],
      ["location.address.house_number_addition", addition],
      ["location.address.street", street],
      ["location.address.city", city],
      ["description", description],
      ["urgency", urgencyField],
      ["source", sourceField],
      ...persons.flatMap((p, i) => p.fields(i)),
      ...questions.map((q): [string, Validated] => [q.path, q]),
    ]);

  const message = new MessageSlot();
  // What became of the files sent after their signal.
  const fileMessage = new MessageSlot();
  // A file sent after its signal, or refused: told below the form's
  // message, one line each; a refusal, once told, is forgotten.
  let fileLines: HTMLLIElement[] = [];
  let fileTrouble = false;
  const showFile = async (file: StoredFile, added: boolean) => {
    fileLines.push(
      h("li", {}, added ? `${file.fileName} is toegevoegd aan melding ${file.reference ?? ""}.` : `${file.fileName} is niet toegevoegd aan melding ${file.reference ?? ""}: ${file.refusal ?? ""} De melding zelf is wel ontvangen.`),
    );
    fileTrouble ||= !added;
    fileMessage.show(fileTrouble ? "warning" : "ok", h("ul", { class: "utrecht-unordered-list" }, fileLines));
    if (!added) await app.outbox.forget(file);
  };

  const waitingNote = h("div");
  const submit = button("Melding versturen", undefined, "primary", "submit");

  // The signal the form holds after the service refused it, and the id of
  // the form's own submission while it is being sent.
  let revising: Pending | null = null;
  let sending: string | null = null;
  let dirty = false;

  const request = (): Record<string, unknown> => {
    const number = Number.parseInt(houseNumber.value, 10);
    return {
      categoryId: category.value,
      areaId: area.value,
      location: {
        address: { postcode: postcode.value, houseNumber: Number.isFinite(number) ? number : 0, houseNumberAddition: addition.value, street: street.value, city: city.value },
        ...(point ? { point } : {}),
      },
      description: description.value,
      urgency: urgencyField.value,
      source: sourceField.value,
      // Only the persons the user sees: a category without them sends none.
      persons: personSection.hidden ? [] : persons.map((p) => p.value()),
      answers: questions.map((q) => q.answer()).filter((a): a is Answer => a !== null),
    };
  };

  const restore = (draft: Record<string, unknown>) => {
    const location = (draft.location ?? {}) as { address?: Record<string, unknown>; point?: { latitude: number; longitude: number } };
    const address = location.address ?? {};
    category.control.value = String(draft.categoryId ?? "");
    category.control.dispatchEvent(new Event("change"));
    for (const answer of (draft.answers ?? []) as Answer[]) questions.find((q) => q.path === `answers.${answer.questionId}`)?.restore(answer);
    area.control.value = String(draft.areaId ?? "");
    postcode.control.value = String(address.postcode ?? "");
    houseNumber.control.value = address.houseNumber ? String(address.houseNumber) : "";
    addition.control.value = String(address.houseNumberAddition ?? "");
    street.control.value = String(address.street ?? "");
    city.control.value = String(address.city ?? "");
    description.control.value = String(draft.description ?? "");
    urgencyField.control.value = String(draft.urgency ?? "URGENCY_NORMAL");
    sourceField.control.value = String(draft.source ?? sourceField.control.value);
    point = location.point ?? null;
    locationStatus.textContent = point ? "De locatie van het apparaat is toegevoegd." : "";
    persons.length = 0;
    for (const person of (draft.persons ?? []) as { name?: string; birthYear?: number; role?: string }[]) {
      const row = new PersonRow(persons.length + 1, (gone) => {
        persons.splice(persons.indexOf(gone), 1);
        renumber();
      });
      row.name.control.value = person.name ?? "";
      row.birthYear.control.value = person.birthYear ? String(person.birthYear) : "";
      row.role.control.value = person.role ?? "";
      persons.push(row);
    }
    renumber();
    dirty = true;
  };

  // The refused signal in the form, its refusals beside the fields, its
  // files chosen again.
  const revise = async (pending: Pending) => {
    revising = pending;
    restore(pending.request);
    photos.set(await app.outbox.filesOf(pending.requestId));
    const fields = fieldsByPath();
    for (const field of fields.values()) field.showError(null);
    let first: Validated | null = null;
    for (const [path, text] of Object.entries(pending.refusal?.fields ?? {})) {
      const field = fields.get(path);
      field?.showError(text);
      first ??= field ?? null;
    }
    message.show(
      "error",
      h("p", { class: "utrecht-paragraph" }, pending.refusal?.message ?? "Deze melding is niet aangenomen."),
      h("p", { class: "utrecht-paragraph" }, "Verbeter de melding en verstuur haar opnieuw, of gooi haar weg."),
      button("Melding weggooien", async () => {
        await app.outbox.discard(pending.requestId);
        revising = null;
        reset();
        message.show("info", "De melding is weggegooid.");
      }, "secondary"),
    );
    (first ?? submit).focus();
  };

  const showWaiting = (count: number, files: number, error: ApiError | null) => {
    const signals = count === 1 ? "1 melding" : `${count} meldingen`;
    const documents = files === 1 ? "1 bestand" : `${files} bestanden`;
    const what = count > 0 && files > 0 ? `${signals} en ${documents} wachten` : count > 0 ? `${signals} ${count === 1 ? "wacht" : "wachten"}` : `${documents} ${files === 1 ? "wacht" : "wachten"}`;
    replaceChildren(
      waitingNote,
      count + files > 0
        ? alertBox(
            "warning",
            h("strong", {}, `${what} op verzending.`),
            " ",
            error?.unauthenticated
              ? "Log opnieuw in om ze te versturen."
              : "Ze staan veilig op dit apparaat en worden vanzelf verstuurd zodra er verbinding is.",
          )
        : null,
    );
  };

  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "melding-titel" },
      on: {
        input: () => (dirty = true),
        submit: async (event) => {
          event.preventDefault();
          message.clear();
          for (const field of fieldsByPath().values()) field.showError(null);
          submit.disabled = true;
          // The id is fixed now: every retry of this signal carries it.
          const requestId = newRequestId();
          sending = requestId;
          const replaces = revising?.requestId;
          revising = null;
          fileLines = [];
          fileTrouble = false;
          fileMessage.clear();
          await app.outbox.submit(requestId, request(), photos.files(), replaces);
          sending = null;
          submit.disabled = false;
          if (app.outbox.waiting().some((p) => p.requestId === requestId)) {
            // Kept on the device until it is acknowledged: the form is free
            // for the next signal.
            reset();
            message.show("warning", "Nog niet verzonden: er is geen verbinding. De melding staat veilig op dit apparaat en wordt vanzelf verstuurd.");
          }
        },
      },
    },
    heading(1, "Nieuwe melding", "melding-titel"),
    waitingNote,
    message.element,
    fileMessage.element,
    category.element,
    categoryDescription,
    meldcode,
    questionList,
    area.element,
    h(
      "fieldset",
      { class: "utrecht-form-fieldset" },
      h("legend", { class: "utrecht-form-fieldset__legend" }, "Adres"),
      h("div", { class: "hartslag-row" }, postcode.element, houseNumber.element, addition.element),
      street.element,
      city.element,
      locationButton,
      locationStatus,
    ),
    description.element,
    photos.element,
    personSection,
    urgencyField.element,
    sourceField.element,
    h("div", { class: "utrecht-button-group" }, submit),
  );

  const reset = () => {
    form.reset();
    point = null;
    locationStatus.textContent = "";
    persons.length = 0;
    renumber();
    personSection.hidden = true;
    replaceChildren(meldcode);
    replaceChildren(categoryDescription);
    questions = [];
    replaceChildren(questionList);
    photos.clear();
    urgencyField.control.value = "URGENCY_NORMAL";
    sourceField.control.value = sourceOfOrganisation[app.session.organisationKind ?? ""] ?? "SOURCE_OTHER";
    dirty = false;
  };

  mounted = {
    acknowledged: (done: Acknowledged) => {
      const text = done.replayed ? `Melding ${done.reference} was al ontvangen.` : `Melding ${done.reference} is ontvangen.`;
      message.show("ok", h("strong", {}, text), " De coördinator beoordeelt de melding; de terugkoppeling ziet u bij Mijn meldingen.");
      // Only the form's own signal clears it: one sent from the device
      // meanwhile leaves what the user is typing alone.
      if (done.pending.requestId === sending) reset();
    },
    fileDone: (file, attachment) => void showFile(file, attachment !== null),
    refused: (pending: Pending) => {
      if (pending.requestId === sending || !dirty) void revise(pending);
      else {
        message.show("error", "Een eerder verstuurde melding is niet aangenomen.", " ", button("Nu verbeteren", () => void revise(pending), "secondary"));
      }
    },
    waiting: showWaiting,
  };
  const refused = app.outbox.refused();
  if (refused.length > 0) await revise(refused[0]);
  showWaiting(app.outbox.waiting().length, app.outbox.waitingFiles(), null);
  for (const file of await app.outbox.refusedFiles()) await showFile(file, false);
  return { title: "Nieuwe melding", element: form, leave: () => (mounted = null) };
}
