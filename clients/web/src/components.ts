// The NL Design System components (the CSS classes of
// @utrecht/component-library-css) as the screens use them: form fields
// that can show the service's refusal beside them, alerts, status badges.
import { type Child, h, replaceChildren, uniqueId } from "./dom";
import { ApiError } from "./api";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

// What shows a refusal beside itself and takes the focus to it.
export interface Validated {
  showError(message: string | null): void;
  focus(): void;
}

// A labelled control with room for a description and an error message.
export class Field<C extends Control = Control> implements Validated {
  readonly element: HTMLDivElement;
  private readonly error: HTMLDivElement;

  constructor(
    label: string,
    readonly control: C,
    description?: string,
  ) {
    const id = control.id || uniqueId("veld");
    control.id = id;
    this.error = h("div", { class: "utrecht-form-field-error-message", attrs: { id: `${id}-fout`, hidden: true } });
    const describedBy = [`${id}-fout`];
    let descriptionElement: HTMLDivElement | null = null;
    if (description) {
      descriptionElement = h("div", { class: "utrecht-form-field-description", attrs: { id: `${id}-uitleg` } }, description);
      describedBy.unshift(`${id}-uitleg`);
    }
    control.setAttribute("aria-describedby", describedBy.join(" "));
    this.element = h(
      "div",
      { class: "utrecht-form-field utrecht-form-field--text" },
      h("div", { class: "utrecht-form-field__label" }, h("label", { class: "utrecht-form-label", attrs: { for: id } }, label)),
      descriptionElement,
      this.error,
      h("div", { class: "utrecht-form-field__input" }, control),
    );
  }

  get value(): string {
    return this.control.value.trim();
  }

  focus(): void {
    this.control.focus();
  }

  showError(message: string | null): void {
    this.error.hidden = !message;
    this.error.textContent = message ?? "";
    this.element.classList.toggle("utrecht-form-field--invalid", Boolean(message));
    this.control.classList.toggle(invalidClass(this.control), Boolean(message));
    if (message) this.control.setAttribute("aria-invalid", "true");
    else this.control.removeAttribute("aria-invalid");
  }
}

// A group of radio buttons or checkboxes under a legend, with room for a
// description and an error message, as one field.
export class ChoiceGroup implements Validated {
  readonly element: HTMLFieldSetElement;
  private readonly inputs: HTMLInputElement[];
  private readonly error: HTMLDivElement;

  constructor(legend: string, type: "radio" | "checkbox", options: [string, string][], description?: string, required = false) {
    const id = uniqueId("groep");
    const control = type === "radio" ? "utrecht-radio-button" : "utrecht-checkbox";
    this.error = h("div", { class: "utrecht-form-field-error-message", attrs: { id: `${id}-fout`, hidden: true } });
    this.inputs = options.map(([value]) =>
      h("input", { class: `${control} ${control}--html-input`, attrs: { type, name: id, value, id: uniqueId(id), required: required && type === "radio" } }),
    );
    this.element = h(
      "fieldset",
      { class: "utrecht-form-fieldset hartslag-choices", attrs: { "aria-describedby": [description ? `${id}-uitleg` : "", `${id}-fout`].join(" ").trim() } },
      h("legend", { class: "utrecht-form-fieldset__legend" }, legend),
      description ? h("div", { class: "utrecht-form-field-description", attrs: { id: `${id}-uitleg` } }, description) : null,
      this.error,
      options.map(([, label], i) =>
        h(
          "div",
          { class: `utrecht-form-field utrecht-form-field--${type}` },
          h("div", { class: "utrecht-form-field__input" }, this.inputs[i]),
          h("div", { class: "utrecht-form-field__label" }, h("label", { class: `utrecht-form-label utrecht-form-label--${type}`, attrs: { for: this.inputs[i].id } }, label)),
        ),
      ),
    );
  }

  // The values checked.
  get checked(): string[] {
    return this.inputs.filter((i) => i.checked).map((i) => i.value);
  }

  check(values: string[]): void {
    for (const input of this.inputs) input.checked = values.includes(input.value);
  }

  showError(message: string | null): void {
    this.error.hidden = !message;
    this.error.textContent = message ?? "";
    this.element.classList.toggle("utrecht-form-fieldset--invalid", Boolean(message));
    for (const input of this.inputs) {
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  focus(): void {
    (this.inputs.find((i) => i.checked) ?? this.inputs[0])?.focus();
  }
}

function invalidClass(control: Control): string {
  if (control instanceof HTMLSelectElement) return "utrecht-select--invalid";
  if (control instanceof HTMLTextAreaElement) return "utrecht-textarea--invalid";
  return "utrecht-textbox--invalid";
}

export function textbox(attrs: Record<string, string | boolean | undefined> = {}, extraClass = ""): HTMLInputElement {
  return h("input", { class: `utrecht-textbox utrecht-textbox--html-input ${extraClass}`.trim(), attrs: { type: "text", ...attrs } });
}

export function textarea(attrs: Record<string, string | boolean | undefined> = {}): HTMLTextAreaElement {
  return h("textarea", { class: "utrecht-textarea utrecht-textarea--html-textarea", attrs: { rows: "5", ...attrs } });
}

export function select(options: [string, string][], attrs: Record<string, string | boolean | undefined> = {}): HTMLSelectElement {
  return h(
    "select",
    { class: "utrecht-select utrecht-select--html-select", attrs },
    options.map(([value, label]) => h("option", { attrs: { value } }, label)),
  );
}

export function button(label: string, onClick?: (event: MouseEvent) => void, kind: "primary" | "secondary" | "subtle" = "primary", type = "button"): HTMLButtonElement {
  return h(
    "button",
    { class: `utrecht-button utrecht-button--${kind === "subtle" ? "subtle" : `${kind}-action`}`, attrs: { type }, on: onClick ? { click: onClick } : {} },
    label,
  );
}

export function heading(level: 1 | 2 | 3, text: Child, id?: string): HTMLHeadingElement {
  return h(`h${level}`, { class: `utrecht-heading-${level}`, attrs: { id } }, text);
}

export function paragraph(...children: Child[]): HTMLParagraphElement {
  return h("p", { class: "utrecht-paragraph" }, ...children);
}

export type AlertKind = "info" | "ok" | "warning" | "error";

// A message box. As content of a MessageSlot it is announced by the slot;
// on its own, an error is announced at once (role=alert).
export function alertBox(kind: AlertKind, ...children: Child[]): HTMLDivElement {
  return h(
    "div",
    { class: `utrecht-alert utrecht-alert--${kind}`, attrs: { role: kind === "error" ? "alert" : undefined } },
    h("div", { class: "utrecht-alert__content" }, h("div", { class: "utrecht-alert__message" }, ...children)),
  );
}

// A place on the page for one message at a time. The place itself is a
// live region from the start, so screen readers announce what appears in
// it (a region added together with its text often goes unannounced).
export class MessageSlot {
  readonly element = h("div", { class: "hartslag-message-slot", attrs: { role: "status", "aria-live": "polite" } });

  show(kind: AlertKind, ...children: Child[]): void {
    replaceChildren(this.element, alertBox(kind, ...children));
  }

  clear(): void {
    replaceChildren(this.element);
  }
}

export type BadgeKind = "neutral" | "active" | "warning" | "danger" | "success" | "inactive";

export function statusBadge(text: string, kind: BadgeKind = "neutral"): HTMLSpanElement {
  return h("span", { class: `utrecht-status-badge utrecht-status-badge--${kind}` }, text);
}

export function dataList(rows: [string, Child][]): HTMLDListElement {
  return h(
    "dl",
    { class: "utrecht-data-list utrecht-data-list--rows" },
    rows
      .filter(([, value]) => value !== "" && value !== null && value !== undefined)
      .map(([key, value]) =>
        h("div", { class: "utrecht-data-list__item" }, h("dt", { class: "utrecht-data-list__item-key" }, key), h("dd", { class: "utrecht-data-list__item-value utrecht-data-list__item-value--html-dd" }, value)),
      ),
  );
}

// The service's Dutch sentence for a refusal, or `fallback` for anything
// else (no answer at all, a bug).
export function errorText(error: unknown, fallback = "Dit lukte niet."): string {
  return error instanceof ApiError ? error.message : fallback;
}

// Shows `error` in `message` and beside each field it names (by the
// service's field path, "user.user_id" or "password"); focuses the first
// such field. Returns nothing: the caller's form stays as the user left it.
export function showRefusal(error: unknown, message: MessageSlot, fields: Record<string, Validated>, fallback: string): void {
  for (const field of Object.values(fields)) field.showError(null);
  if (!(error instanceof ApiError)) {
    message.show("error", fallback);
    return;
  }
  let first: Validated | null = null;
  for (const [path, text] of Object.entries(error.fields)) {
    const field = fields[path] ?? fields[path.split(".").pop() ?? ""] ?? fields[path.replace(/\[\d+\]$/, "")];
    if (!field) continue;
    field.showError(text);
    first ??= field;
  }
  message.show("error", error.message);
  first?.focus();
}

export function clearErrors(fields: Record<string, Validated>): void {
  for (const field of Object.values(fields)) field.showError(null);
}

// Asks within `place` whether to go on (a dialog of the browser is not
// reachable by every assistive technology, and not styled as the page): `question`, a button `yes` that runs
// `confirmed`, and "Annuleren" that puts the focus back on `back`. The focus
// moves to the question's first button so that Enter or Space answers it.
export function confirmInPlace(place: HTMLElement, question: string, yes: string, back: HTMLElement, confirmed: () => Promise<void>): void {
  const cancel = () => {
    replaceChildren(place);
    place.hidden = true;
    back.focus();
  };
  const yesButton = button(yes, async () => {
    yesButton.disabled = true;
    try {
      await confirmed();
    } finally {
      yesButton.disabled = false;
    }
  });
  replaceChildren(
    place,
    h("div", { class: "hartslag-confirm", attrs: { role: "group", "aria-label": "Bevestigen" } }, paragraph(question), h("div", { class: "utrecht-button-group" }, yesButton, button("Annuleren", cancel, "secondary"))),
  );
  place.hidden = false;
  place.onkeydown = (event) => {
    if (event.key === "Escape") cancel();
  };
  yesButton.focus();
}

// A button whose visible text is the same on every row ("Wijzigen") and
// whose accessible name says which row ("Wijzigen Vrieheide").
export function rowButton(label: string, row: string, onClick: () => void, kind: "primary" | "secondary" | "subtle" = "secondary"): HTMLButtonElement {
  const b = button(label, onClick, kind);
  b.append(h("span", { class: "hartslag-visually-hidden" }, ` ${row}`));
  return b;
}
