// "Organisaties": the partner organisations with their kind, a page at a
// time; a new organisation, and renaming one. Its kind is fixed: it decides
// what its members may see, so a change of kind is a new organisation.
import { call } from "../api";
import type { App, Screen } from "../app";
import { button, clearErrors, Field, heading, MessageSlot, paragraph, rowButton, select, showRefusal, statusBadge, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { organisationKind } from "../labels";
import { Pager } from "../pager";
import { type Organisation, FormRequestId, kDirectory, OneAtATime } from "./admin_common";

const kPageSize = 50;

export async function adminOrganisationsScreen(_app: App): Promise<Screen> {
  const list = h("ul", { class: "hartslag-admin-list" });
  const listMessage = new MessageSlot();

  const row = (organisation: Organisation): HTMLLIElement => {
    const li = h("li", { class: "hartslag-admin-list__item", attrs: { "data-organisation-id": organisation.organisationId } });
    const render = (o: Organisation) => {
      const name = new Field("Nieuwe naam", textbox({ maxlength: "200", autocomplete: "off" }));
      name.control.value = o.name ?? "";
      const message = new MessageSlot();
      const rename = rowButton("Naam wijzigen", o.name ?? o.organisationId, () => {
        form.hidden = false;
        rename.setAttribute("aria-expanded", "true");
        name.focus();
      });
      rename.setAttribute("aria-expanded", "false");
      const form: HTMLFormElement = h(
        "form",
        {
          class: "hartslag-form hartslag-admin-inline",
          attrs: { hidden: true, novalidate: true, "aria-label": `Naam van ${o.name ?? o.organisationId} wijzigen` },
          on: {
            submit: (event) => {
              event.preventDefault();
              void saving.run(async () => {
                name.showError(null);
                if (name.value === (o.name ?? "")) {
                  message.show("info", "De naam is niet gewijzigd.");
                  return;
                }
                try {
                  const renamed = await call<Organisation>(`${kDirectory}/UpdateOrganisation`, { organisationId: o.organisationId, name: name.value, updateMask: "name" });
                  render(renamed);
                  listMessage.show("ok", `De organisatie heet nu ${renamed.name}.`);
                  li.querySelector<HTMLButtonElement>("button")?.focus();
                } catch (error) {
                  showRefusal(error, message, { name }, "Opslaan lukte niet.");
                }
              });
            },
          },
        },
        name.element,
        message.element,
        h(
          "div",
          { class: "utrecht-button-group" },
          button("Opslaan", undefined, "primary", "submit"),
          button(
            "Annuleren",
            () => {
              form.hidden = true;
              rename.setAttribute("aria-expanded", "false");
              rename.focus();
            },
            "subtle",
          ),
        ),
      );
      replaceChildren(
        li,
        h(
          "div",
          { class: "hartslag-admin-row" },
          h("span", { class: "hartslag-admin-row__name" }, o.name ?? o.organisationId),
          h("code", { class: "hartslag-admin-id" }, o.organisationId),
          statusBadge(organisationKind[o.kind ?? ""] ?? "Onbekend"),
          rename,
        ),
        form,
      );
    };
    // Across renders: a rename under way is not sent again.
    const saving = new OneAtATime(li);
    render(organisation);
    return li;
  };

  const pager = new Pager<Organisation>(
    "Meer organisaties laden",
    async (pageToken) => {
      const page = await call<{ organisations?: Organisation[]; nextPageToken?: string }>(`${kDirectory}/ListOrganisations`, { pageSize: kPageSize, pageToken });
      return { items: page.organisations ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (organisations, first) => {
      if (first) replaceChildren(list);
      const added = organisations.map(row);
      list.append(...added);
      return added;
    },
    (error) => showRefusal(error, listMessage, {}, "De organisaties konden niet worden gelezen."),
  );

  const newId = new Field("Code", textbox({ maxlength: "128", autocomplete: "off", spellcheck: "false" }, "hartslag-width-10"), "Kleine letters, cijfers en streepjes, bijvoorbeeld politie-limburg. Wordt later niet meer gewijzigd.");
  const newName = new Field("Naam", textbox({ maxlength: "200", autocomplete: "organization" }));
  const newKind = new Field(
    "Soort",
    select([["", "Kies de soort"], ...Object.entries(organisationKind)]),
    "De soort bepaalt wat de medewerkers mogen zien en kan later niet worden gewijzigd.",
  );
  const createMessage = new MessageSlot();
  const createFields = { "organisation.organisation_id": newId, "organisation.name": newName, "organisation.kind": newKind };
  const createForm: HTMLFormElement = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "organisatie-nieuw" },
      on: {
        input: () => createMessage.clear(),
        submit: (event) => {
          event.preventDefault();
          void creating.run(async () => {
            clearErrors(createFields);
            try {
              const created = await call<Organisation>(`${kDirectory}/CreateOrganisation`, {
                requestId: requestId.value,
                organisation: { organisationId: newId.value, name: newName.value, kind: newKind.value || "ORGANISATION_KIND_UNSPECIFIED" },
              });
              requestId.renew();
              for (const f of [newId, newName, newKind]) f.control.value = "";
              await pager.restart();
              createMessage.show("ok", `${created.name} is aangemaakt.`);
            } catch (error) {
              showRefusal(error, createMessage, createFields, "Aanmaken lukte niet.");
            }
          });
        },
      },
    },
    newId.element,
    newName.element,
    newKind.element,
    createMessage.element,
    h("div", { class: "utrecht-button-group" }, button("Organisatie aanmaken", undefined, "primary", "submit")),
  );
  const requestId = new FormRequestId(createForm);
  const creating = new OneAtATime(createForm);

  await pager.restart();
  const element = h(
    "div",
    { class: "hartslag-admin" },
    heading(1, "Organisaties"),
    paragraph("De organisaties die aan Hartslag meedoen. Wat hun medewerkers mogen zien, hangt af van de soort organisatie."),
    h("section", { attrs: { "aria-labelledby": "organisaties-lijst" } }, heading(2, "Alle organisaties", "organisaties-lijst"), listMessage.element, list, pager.more),
    h("section", { attrs: { "aria-labelledby": "organisatie-nieuw" } }, heading(2, "Nieuwe organisatie", "organisatie-nieuw"), createForm),
  );
  return { title: "Organisaties", element };
}
