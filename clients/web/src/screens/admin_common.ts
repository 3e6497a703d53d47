// What the administrator's screens share: the directory's messages and
// reading the short lists (areas, organisations) whole.
import { call } from "../api";

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
