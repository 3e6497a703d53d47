// The names of the tenant's organisations, for every screen that shows an
// organisation (an action's, a case's participants, an access): read once
// per session (organisation names are no personal data; every role may
// list them) and forgotten when the session changes.
import { call } from "./api";

let names: Promise<Map<string, string>> | null = null;

// The organisations by id. Never fails: names are a convenience, and where
// they cannot be read now the ids still say who it is (read again next time).
export function organisationNames(): Promise<Map<string, string>> {
  names ??= (async () => {
    const byId = new Map<string, string>();
    let pageToken = "";
    do {
      const page = await call<{ organisations?: { organisationId: string; name?: string }[]; nextPageToken?: string }>(
        "hartslag.directory.v1.DirectoryService/ListOrganisations",
        { pageSize: 500, pageToken },
      );
      for (const o of page.organisations ?? []) byId.set(o.organisationId, o.name || o.organisationId);
      pageToken = page.nextPageToken ?? "";
    } while (pageToken);
    return byId;
  })().catch(() => {
    names = null;
    return new Map<string, string>();
  });
  return names;
}

// A name where one is known, the id otherwise.
export function nameOf(byId: Map<string, string>, id: string | undefined): string {
  return (id && byId.get(id)) || id || "";
}

// Another user, or another tenant, may log in next.
export function forgetDirectory(): void {
  names = null;
}
