// What the privacy officer's screens share: how organisations are named, the
// question "about whom" (a person or an address, as the audit service
// pseudonymises them), and the Dutch words for what the log records.
import { ApiError } from "../api";
import { ChoiceGroup, Field, type MessageSlot, textbox } from "../components";
import { h } from "../dom";
import { formatTime, organisationKind } from "../labels";


export function organisationLabel(names: Map<string, string>, id: string | undefined, kind?: string): string {
  if (!id) return "Alle organisaties";
  const name = names.get(id) ?? id;
  return kind && organisationKind[kind] ? `${name} (${organisationKind[kind]})` : name;
}

export function when(iso: string | undefined): string {
  return formatTime(iso) || "onbekend";
}

// A person (name, year of birth) or an address (postcode, house number,
// addition): exactly what hartslag.audit.v1.Subject needs to pseudonymise.
export class SubjectForm {
  readonly element: HTMLElement;
  private readonly kind = new ChoiceGroup("Over wie gaat het?", "radio", [["address", "Een adres"], ["person", "Een persoon"]], undefined, true);
  private readonly postcode = new Field("Postcode", textbox({ autocomplete: "off", maxlength: "7", inputmode: "text" }), "Bijvoorbeeld 6416 AB.");
  private readonly houseNumber = new Field("Huisnummer", textbox({ inputmode: "numeric", maxlength: "5" }));
  private readonly addition = new Field("Toevoeging (als die er is)", textbox({ maxlength: "6" }));
  private readonly name = new Field("Naam", textbox({ autocomplete: "off", maxlength: "200" }), "Zoals vastgelegd; hoofdletters en spaties tellen niet.");
  private readonly birthYear = new Field("Geboortejaar (als dat bekend is)", textbox({ inputmode: "numeric", maxlength: "4" }));
  private readonly addressPart: HTMLElement;
  private readonly personPart: HTMLElement;

  constructor() {
    this.kind.check(["address"]);
    this.addressPart = h("div", { class: "hartslag-privacy-subject" }, this.postcode.element, this.houseNumber.element, this.addition.element);
    this.personPart = h("div", { class: "hartslag-privacy-subject", attrs: { hidden: true } }, this.name.element, this.birthYear.element);
    this.kind.element.addEventListener("change", () => this.showKind());
    this.element = h("div", {}, this.kind.element, this.addressPart, this.personPart);
  }

  private showKind(): void {
    const person = this.kind.checked[0] === "person";
    this.personPart.hidden = !person;
    this.addressPart.hidden = person;
  }

  clearErrors(): void {
    for (const f of [this.postcode, this.houseNumber, this.addition, this.name, this.birthYear]) f.showError(null);
  }

  // The Subject to send, or null after showing what is missing.
  subject(): object | null {
    this.clearErrors();
    if (this.kind.checked[0] === "person") {
      if (!this.name.value) {
        this.name.showError("Vul de naam in.");
        this.name.focus();
        return null;
      }
      const year = this.birthYear.value;
      if (year && !/^\d{4}$/.test(year)) {
        this.birthYear.showError("Vul een jaar van vier cijfers in, of laat het leeg.");
        this.birthYear.focus();
        return null;
      }
      return { person: { name: this.name.value, birthYear: year ? Number(year) : 0 } };
    }
    if (!this.postcode.value) {
      this.postcode.showError("Vul de postcode in.");
      this.postcode.focus();
      return null;
    }
    if (!/^\d{1,5}$/.test(this.houseNumber.value)) {
      this.houseNumber.showError("Vul het huisnummer in (alleen cijfers).");
      this.houseNumber.focus();
      return null;
    }
    return { address: { postcode: this.postcode.value, houseNumber: Number(this.houseNumber.value), houseNumberAddition: this.addition.value } };
  }

  // Shows the service's refusal beside the field it names ("subject.…"
  // under `prefix`); true if one was shown.
  showRefusal(error: ApiError, prefix = "subject"): boolean {
    const fields: [string, Field][] = [
      [`${prefix}.address.postcode`, this.postcode],
      [`${prefix}.address.house_number`, this.houseNumber],
      [`${prefix}.address`, this.postcode],
      [`${prefix}.person.name`, this.name],
      [`${prefix}.person.birth_year`, this.birthYear],
    ];
    for (const [path, field] of fields) {
      const message = error.fields[path];
      if (message) {
        field.showError(message);
        field.focus();
        return true;
      }
    }
    return false;
  }
}

export function refusal(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback;
}

export function showFailure(slot: MessageSlot, error: unknown, fallback: string): void {
  slot.show("error", refusal(error, fallback));
}
