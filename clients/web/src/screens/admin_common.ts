// What the administrator's screens share: the directory's messages and
// reading the short lists (areas, organisations) whole.
import { call, newRequestId } from "../api";

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
  // Only in UpdateUser's answer when it ended the user's sessions: who was
  // logged in is logged out by then (their access token runs out).
  sessionsEndBy?: string;
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

// A create form's request id: the same for a plain retry (after a lost
// answer the directory gives the first answer again, and creates nothing
// twice), a new one as soon as the form is edited, since an edited retry is
// another request (with the old id the directory would refuse it as
// ALREADY_EXISTS).
export class FormRequestId {
  value = newRequestId();

  constructor(form: HTMLElement) {
    form.addEventListener("input", () => this.renew());
    form.addEventListener("change", () => this.renew());
  }

  renew(): void {
    this.value = newRequestId();
  }
}

// One call at a time from a place (a row, a form): a second click or Enter
// while a call is under way is ignored, so a change is not sent twice; the
// place is marked busy meanwhile. (The buttons are not disabled: the one
// just pressed keeps the focus.)
export class OneAtATime {
  private running = false;

  constructor(private readonly place: HTMLElement) {}

  async run(action: () => Promise<void>): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.place.setAttribute("aria-busy", "true");
    try {
      await action();
    } finally {
      this.running = false;
      this.place.removeAttribute("aria-busy");
    }
  }
}
