// The photos and documents a reporter adds to a signal: chosen with the
// device's file picker or camera, shown as thumbnails (PDFs by name) until
// the signal is sent. They go to the service after the signal is stored;
// what it refuses (type, size, count) is told then, and does not stop the
// signal.
import { h, replaceChildren, uniqueId } from "../dom";
import { formatSize } from "../labels";
import type { ChosenFile } from "../outbox";

const kAccept = "image/jpeg,image/png,application/pdf";

export class PhotoPicker {
  readonly element: HTMLDivElement;
  private readonly input: HTMLInputElement;
  private readonly list = h("ul", { class: "hartslag-thumbnails" });
  private chosen: { file: ChosenFile; url: string | null }[] = [];

  constructor() {
    const id = uniqueId("bestanden");
    this.input = h("input", {
      class: "hartslag-file-input",
      attrs: { type: "file", id, multiple: true, accept: kAccept, "aria-describedby": `${id}-uitleg` },
      on: {
        change: () => {
          this.add([...(this.input.files ?? [])].map((f) => ({ name: f.name, blob: f })));
          // Emptied, so the same photo (or the camera's next one) can be
          // chosen again.
          this.input.value = "";
        },
      },
    });
    this.element = h(
      "div",
      { class: "utrecht-form-field utrecht-form-field--text" },
      h("div", { class: "utrecht-form-field__label" }, h("label", { class: "utrecht-form-label", attrs: { for: id } }, "Foto's of documenten")),
      h(
        "div",
        { class: "utrecht-form-field-description", attrs: { id: `${id}-uitleg` } },
        "Foto (JPEG of PNG) of PDF. Ze worden verstuurd zodra de melding is ontvangen; zonder verbinding wachten ze op dit apparaat. Locatiegegevens in een foto gaan niet mee. Hoeveel bestanden en hoe groot bepaalt de gemeente; wat niet past, wordt geweigerd, de melding niet.",
      ),
      h("div", { class: "utrecht-form-field__input" }, this.input),
      this.list,
    );
  }

  files(): ChosenFile[] {
    return this.chosen.map((c) => c.file);
  }

  // Replaces the chosen files (a refused signal's, back in the form).
  set(files: ChosenFile[]): void {
    this.clear();
    this.add(files);
  }

  clear(): void {
    for (const c of this.chosen) if (c.url) URL.revokeObjectURL(c.url);
    this.chosen = [];
    this.render();
  }

  private add(files: ChosenFile[]): void {
    for (const file of files) {
      const photo = file.blob.type === "image/jpeg" || file.blob.type === "image/png";
      this.chosen.push({ file, url: photo ? URL.createObjectURL(file.blob) : null });
    }
    this.render();
  }

  private remove(index: number): void {
    const [gone] = this.chosen.splice(index, 1);
    if (gone?.url) URL.revokeObjectURL(gone.url);
    this.render();
    this.input.focus();
  }

  private render(): void {
    replaceChildren(
      this.list,
      this.chosen.map((c, i) =>
        h(
          "li",
          { class: "hartslag-thumbnail" },
          c.url
            ? h("img", {
                attrs: { src: c.url, alt: "" },
                // A file that says it is a photo but is not one: no broken image.
                on: { error: (e: Event) => (e.target as HTMLElement).replaceWith(Placeholder("?")) },
              })
            : Placeholder(c.file.blob.type === "application/pdf" ? "PDF" : "?"),
          h("span", { class: "hartslag-thumbnail__name" }, `${c.file.name} (${formatSize(c.file.blob.size)})`),
          h(
            "button",
            { class: "utrecht-button utrecht-button--subtle", attrs: { type: "button" }, on: { click: () => this.remove(i) } },
            "Verwijderen",
            h("span", { class: "hartslag-visually-hidden" }, ` ${c.file.name}`),
          ),
        ),
      ),
    );
  }
}

function Placeholder(text: string): HTMLElement {
  return h("span", { class: "hartslag-thumbnail__document", attrs: { "aria-hidden": "true" } }, text);
}
