// "Gebruikers": the municipality's users, a page at a time, optionally of
// one organisation (the directory filters by organisation, not by text); a
// new user with an initial password; changing a user's roles and areas,
// giving a new password, and deactivating or activating a user. A new
// password and a deactivation end the user's sessions: logging in and
// refreshing stop at once, but an access token already handed out lives on
// until it expires, so the screen says by when the user is logged out (the
// directory's answer names the time) rather than promising "at once". Each update names only what the administrator
// changed, so a change made meanwhile by someone else is kept. No password
// is ever shown: the directory keeps none but a hash.
import { call } from "../api";
import type { App, Screen } from "../app";
import { button, ChoiceGroup, clearErrors, confirmInPlace, Field, heading, MessageSlot, paragraph, rowButton, select, showRefusal, statusBadge, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { formatTime, role as roleLabel } from "../labels";
import { Pager } from "../pager";
import { type Organisation, type User, allAreas, allOrganisations, areaLabel, capitalised, FormRequestId, kDirectory, OneAtATime } from "./admin_common";

const kPageSize = 25;
const kRoles = ["REPORTER", "COORDINATOR", "PARTNER", "PRIVACY_OFFICER", "ADMIN"];

function passwordBox(): HTMLInputElement {
  // new-password: the browser offers to make one up and never fills in the
  // administrator's own.
  return textbox({ type: "password", autocomplete: "new-password", maxlength: "1024", spellcheck: "false" });
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

export async function adminUsersScreen(_app: App): Promise<Screen> {
  const [areas, organisations] = await Promise.all([allAreas(), allOrganisations()]);
  const areaById = new Map(areas.map((a) => [a.areaId, a]));
  const organisationById = new Map(organisations.map((o) => [o.organisationId, o]));
  const roleOptions: [string, string][] = kRoles.map((r) => [r, capitalised(roleLabel[r] ?? r)]);
  const areaOptions: [string, string][] = areas.map((a) => [a.areaId, areaLabel(a, areaById)]);
  const organisationOptions: [string, string][] = organisations.map((o: Organisation) => [o.organisationId, o.name ?? o.organisationId]);
  const organisationName = (id?: string) => (id ? (organisationById.get(id)?.name ?? id) : "");
  const areaNames = (ids: string[]) => ids.map((id) => areaById.get(id)?.name ?? id).join(", ");

  const list = h("ul", { class: "hartslag-admin-list" });
  const listMessage = new MessageSlot();
  const filter = new Field("Organisatie", select([["", "Alle organisaties"], ...organisationOptions]), "Toont alleen de gebruikers van deze organisatie.");
  // A new question: the answer to the previous filter, if slower, is dropped.
  filter.control.addEventListener("change", () => void pager.restart());

  const row = (initial: User): HTMLLIElement => {
    const li = h("li", { class: "hartslag-admin-list__item", attrs: { "data-user-id": initial.userId } });
    // Across renders: a second click or Enter while a change of this user is
    // under way (activating, deactivating, saving) is not sent again.
    const saving = new OneAtATime(li);
    const render = (u: User, focus?: string) => {
      const who = u.displayName || u.userId;
      const message = new MessageSlot();
      // `done` is told with what the answer says of the user's sessions.
      const update = (request: Record<string, unknown>, paths: string[], done: (updated: User) => string, fields: Record<string, Field | ChoiceGroup>, focusAfter: string) =>
        saving.run(async () => {
          try {
            const updated = await call<User>(`${kDirectory}/UpdateUser`, { userId: u.userId, ...request, updateMask: paths.join(",") });
            render(updated, focusAfter);
            listMessage.show("ok", done(updated));
          } catch (error) {
            showRefusal(error, message, fields, "Opslaan lukte niet.");
          }
        });
      // The directory ends the sessions at once for logging in and
      // refreshing; an access token handed out before lasts until its time.
      const loggedOutBy = (updated: User) =>
        updated.sessionsEndBy ? ` Wie nu als ${who} is ingelogd, wordt uiterlijk ${formatTime(updated.sessionsEndBy)} afgemeld.` : "";

      // Roles and areas.
      const roles = new ChoiceGroup("Rollen", "checkbox", roleOptions);
      roles.check(u.roles ?? []);
      const userAreas = new ChoiceGroup("Gebieden", "checkbox", areaOptions, "De gebieden waarin deze gebruiker werkt.");
      userAreas.check(u.areas ?? []);
      const toggle = (b: HTMLButtonElement, form: HTMLElement, open: boolean, first?: { focus(): void }) => {
        form.hidden = !open;
        b.setAttribute("aria-expanded", String(open));
        if (open) first?.focus();
        else b.focus();
      };
      const editButton = rowButton("Rollen en gebieden wijzigen", who, () => toggle(editButton, editForm, true, roles));
      editButton.dataset.action = "rollen";
      editButton.setAttribute("aria-expanded", "false");
      const editForm: HTMLFormElement = h(
        "form",
        {
          class: "hartslag-form hartslag-admin-inline",
          attrs: { hidden: true, novalidate: true, "aria-label": `Rollen en gebieden van ${who}` },
          on: {
            submit: (event) => {
              event.preventDefault();
              const paths: string[] = [];
              const request: Record<string, unknown> = {};
              if (!sameSet(roles.checked, u.roles ?? [])) {
                paths.push("roles");
                request.roles = roles.checked;
              }
              if (!sameSet(userAreas.checked, u.areas ?? [])) {
                paths.push("areas");
                request.areas = userAreas.checked;
              }
              if (!paths.length) {
                message.show("info", "Er is niets gewijzigd.");
                return;
              }
              void update(request, paths, () => `De rollen en gebieden van ${who} zijn opgeslagen.`, { roles, areas: userAreas }, "rollen");
            },
          },
        },
        roles.element,
        userAreas.element,
        h("div", { class: "utrecht-button-group" }, button("Opslaan", undefined, "primary", "submit"), button("Annuleren", () => toggle(editButton, editForm, false), "subtle")),
      );

      // A new password.
      const password = new Field(
        "Nieuw wachtwoord",
        passwordBox(),
        "Minstens 12 tekens. Geef het de gebruiker op een veilige manier door. Inloggen met het oude wachtwoord lukt daarna niet meer; wie nu is ingelogd, wordt niet meteen afgemeld maar kort daarna (hoe laat uiterlijk, ziet u na het opslaan).",
      );
      const passwordButton = rowButton("Wachtwoord opnieuw instellen", who, () => toggle(passwordButton, passwordForm, true, password));
      passwordButton.dataset.action = "wachtwoord";
      passwordButton.setAttribute("aria-expanded", "false");
      const passwordForm: HTMLFormElement = h(
        "form",
        {
          class: "hartslag-form hartslag-admin-inline",
          attrs: { hidden: true, novalidate: true, "aria-label": `Nieuw wachtwoord voor ${who}` },
          on: {
            submit: (event) => {
              event.preventDefault();
              void update({ password: password.control.value }, ["password"], (updated) => `${who} heeft een nieuw wachtwoord. Inloggen met het oude wachtwoord lukt niet meer.${loggedOutBy(updated)}`, { password }, "wachtwoord");
            },
          },
        },
        password.element,
        h("div", { class: "utrecht-button-group" }, button("Wachtwoord opslaan", undefined, "primary", "submit"), button("Annuleren", () => toggle(passwordButton, passwordForm, false), "subtle")),
      );

      // Deactivating asks first; activating again does not.
      const confirmPlace = h("div", { attrs: { hidden: true } });
      const activeButton: HTMLButtonElement = u.active
        ? rowButton("Deactiveren", who, () =>
            confirmInPlace(
              confirmPlace,
              `${who} deactiveren? ${who} kan dan niet meer inloggen. Wie nu als ${who} is ingelogd, wordt niet meteen afgemeld maar kort daarna (hoe laat uiterlijk, ziet u na het deactiveren).`,
              "Ja, deactiveren",
              activeButton,
              () => update({ active: false }, ["active"], (updated) => `${who} is gedeactiveerd en kan niet meer inloggen.${loggedOutBy(updated)}`, {}, "actief"),
            ),
          )
        : rowButton("Activeren", who, () => void update({ active: true }, ["active"], () => `${who} is weer actief.`, {}, "actief"));
      activeButton.dataset.action = "actief";

      replaceChildren(
        li,
        h(
          "div",
          { class: "hartslag-admin-row" },
          h("span", { class: "hartslag-admin-row__name" }, who),
          h("code", { class: "hartslag-admin-id" }, u.userId),
          statusBadge(u.active ? "Actief" : "Gedeactiveerd", u.active ? "success" : "inactive"),
        ),
        h(
          "p",
          { class: "utrecht-paragraph hartslag-admin-details" },
          organisationName(u.organisationId),
          " · ",
          (u.roles ?? []).map((r) => capitalised(roleLabel[r] ?? r)).join(", ") || "Geen rol",
          " · ",
          areaNames(u.areas ?? []) || "Geen gebied",
        ),
        h("div", { class: "utrecht-button-group hartslag-admin-actions" }, editButton, passwordButton, activeButton),
        editForm,
        passwordForm,
        confirmPlace,
        message.element,
      );
      li.dataset.active = String(Boolean(u.active));
      if (focus) li.querySelector<HTMLButtonElement>(`button[data-action="${focus}"]`)?.focus();
    };
    render(initial);
    return li;
  };

  const pager = new Pager<User>(
    "Meer gebruikers laden",
    async (pageToken) => {
      const page = await call<{ users?: User[]; nextPageToken?: string }>(`${kDirectory}/ListUsers`, { organisationId: filter.value, pageSize: kPageSize, pageToken });
      return { items: page.users ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (users, first) => {
      if (first) replaceChildren(list);
      const added = users.map(row);
      list.append(...added);
      if (first && !added.length) listMessage.show("info", "Geen gebruikers gevonden.");
      else if (first) listMessage.clear();
      return added;
    },
    (error) => showRefusal(error, listMessage, {}, "De gebruikers konden niet worden gelezen."),
  );

  // A new user.
  const newId = new Field("Gebruikersnaam", textbox({ maxlength: "128", autocomplete: "off", spellcheck: "false" }), "Waarmee de gebruiker inlogt: kleine letters, cijfers, punten en streepjes, bijvoorbeeld sanne.jansen.");
  const newName = new Field("Naam", textbox({ maxlength: "200", autocomplete: "off" }));
  const newOrganisation = new Field("Organisatie van de gebruiker", select([["", "Kies de organisatie"], ...organisationOptions]));
  const newRoles = new ChoiceGroup("Rollen van de gebruiker", "checkbox", roleOptions);
  const newAreas = new ChoiceGroup("Gebieden van de gebruiker", "checkbox", areaOptions);
  const newPassword = new Field("Eerste wachtwoord", passwordBox(), "Minstens 12 tekens. Geef het de gebruiker op een veilige manier door.");
  const createMessage = new MessageSlot();
  const createFields = {
    "user.user_id": newId,
    "user.display_name": newName,
    "user.organisation_id": newOrganisation,
    "user.roles": newRoles,
    "user.areas": newAreas,
    password: newPassword,
  };
  const createForm: HTMLFormElement = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "gebruiker-nieuw" },
      on: {
        input: () => createMessage.clear(),
        submit: (event) => {
          event.preventDefault();
          void creating.run(async () => {
            clearErrors(createFields);
            try {
              const created = await call<User>(`${kDirectory}/CreateUser`, {
                requestId: requestId.value,
                user: { userId: newId.value, displayName: newName.value, organisationId: newOrganisation.value, roles: newRoles.checked, areas: newAreas.checked },
                password: newPassword.control.value,
              });
              requestId.renew();
              for (const f of [newId, newName, newOrganisation, newPassword]) f.control.value = "";
              newRoles.check([]);
              newAreas.check([]);
              await pager.restart();
              createMessage.show("ok", `${created.displayName || created.userId} is aangemaakt.`);
            } catch (error) {
              showRefusal(error, createMessage, createFields, "Aanmaken lukte niet.");
            }
          });
        },
      },
    },
    newId.element,
    newName.element,
    newOrganisation.element,
    newRoles.element,
    newAreas.element,
    newPassword.element,
    createMessage.element,
    h("div", { class: "utrecht-button-group" }, button("Gebruiker aanmaken", undefined, "primary", "submit")),
  );
  const requestId = new FormRequestId(createForm);
  const creating = new OneAtATime(createForm);

  await pager.restart();
  const element = h(
    "div",
    { class: "hartslag-admin" },
    heading(1, "Gebruikers"),
    paragraph("Wie met Hartslag werkt, met welke rollen en in welke gebieden."),
    h("section", { attrs: { "aria-labelledby": "gebruikers-lijst" } }, heading(2, "Alle gebruikers", "gebruikers-lijst"), h("div", { class: "hartslag-form" }, filter.element), listMessage.element, list, pager.more),
    h("section", { attrs: { "aria-labelledby": "gebruiker-nieuw" } }, heading(2, "Nieuwe gebruiker", "gebruiker-nieuw"), createForm),
  );
  return { title: "Gebruikers", element };
}

