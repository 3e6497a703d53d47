// What the administrator's screens share: the directory's messages, reading
// the short lists (areas, organisations) whole, showing a refusal beside its
// fields, and a confirmation within the page (a dialog of the browser is not
// reachable by every assistive technology, and not styled as the page).
import { ApiError, call } from "../api";
import { type MessageSlot, type Validated, button, paragraph } from "../components";
import { h, replaceChildren } from "../dom";

export const kDirectory = "hartslag.directory.v1.DirectoryService";

export interface Area {
  areaId: string;
  parentAreaId?: string;
  name?: string;
}

export interface Organisation {
  organisationId: string;
  name?: string;
  kind?: string;
}

export interface User {
  userId: string;
  organisationId?: string;
  displayName?: string;
  roles?: string[];
  areas?: string[];
  active?: boolean;
}

export interface IntegratedClient {
  clientId: string;
  organisationId?: string;
  certificateUri?: string;
  active?: boolean;
}

// Every page of a list the directory keeps short (a municipality has tens of
// areas and organisations), following its page tokens.
async function everyPage<T>(method: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let pageToken = "";
  do {
    const page = await call<Record<string, unknown>>(`${kDirectory}/${method}`, { pageSize: 500, pageToken });
    items.push(...((page[key] as T[] | undefined) ?? []));
    pageToken = (page.nextPageToken as string | undefined) ?? "";
  } while (pageToken);
  return items;
}

// Parents before children, as the directory lists them.
export function allAreas(): Promise<Area[]> {
  return everyPage<Area>("ListAreas", "areas");
}

export function allOrganisations(): Promise<Organisation[]> {
  return everyPage<Organisation>("ListOrganisations", "organisations");
}

// "Vrieheide (Heerlen-Noord)": an area with its parent's name.
export function areaLabel(area: Area, byId: Map<string, Area>): string {
  const parent = area.parentAreaId ? byId.get(area.parentAreaId) : undefined;
  return parent ? `${area.name ?? area.areaId} (${parent.name ?? parent.areaId})` : (area.name ?? area.areaId);
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Shows `error` in `message` and beside each field it names (by the
// directory's field path, "user.user_id" or "password"); focuses the first
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

// Asks within `place` whether to go on: `question`, a button `yes` that runs
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
    h("div", { class: "hartslag-admin-confirm", attrs: { role: "group", "aria-label": "Bevestigen" } }, paragraph(question), h("div", { class: "utrecht-button-group" }, yesButton, button("Annuleren", cancel, "secondary"))),
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
