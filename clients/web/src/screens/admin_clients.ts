// "Koppelingen": the partner systems (a police or care system) that call
// Hartslag with a client certificate, a page at a time; registering one by
// the URI in its certificate, and deactivating or activating one. A client
// holds no secret here: it proves itself with its certificate, of which
// only the URI is registered.
import { call } from "../api";
import type { App, Screen } from "../app";
import { button, clearErrors, confirmInPlace, Field, heading, MessageSlot, paragraph, rowButton, select, showRefusal, statusBadge, textbox } from "../components";
import { h, replaceChildren } from "../dom";
import { Pager } from "../pager";
import { type IntegratedClient, allOrganisations, FormRequestId, kDirectory, OneAtATime } from "./admin_common";

const kPageSize = 50;

export async function adminClientsScreen(_app: App): Promise<Screen> {
  const organisations = await allOrganisations();
  const organisationName = new Map(organisations.map((o) => [o.organisationId, o.name ?? o.organisationId]));
  const list = h("ul", { class: "hartslag-admin-list" });
  const listMessage = new MessageSlot();

  const row = (initial: IntegratedClient): HTMLLIElement => {
    const li = h("li", { class: "hartslag-admin-list__item", attrs: { "data-client-id": initial.clientId } });
    // Across renders: a click while a change is under way is not sent again.
    const saving = new OneAtATime(li);
    const render = (c: IntegratedClient, focus = false) => {
      const message = new MessageSlot();
      const setActive = (active: boolean) =>
        saving.run(async () => {
          try {
            const updated = await call<IntegratedClient>(`${kDirectory}/UpdateIntegratedClient`, { clientId: c.clientId, active, updateMask: "active" });
            render(updated, true);
            const done = active ? `Koppeling ${c.clientId} is weer actief.` : `Koppeling ${c.clientId} is gedeactiveerd.`;
            listMessage.show("ok", done);
          } catch (error) {
            showRefusal(error, message, {}, "Opslaan lukte niet.");
          }
        });
      const confirmPlace = h("div", { attrs: { hidden: true } });
      const toggle: HTMLButtonElement = c.active
        ? rowButton("Deactiveren", c.clientId, () =>
            confirmInPlace(confirmPlace, `Koppeling ${c.clientId} deactiveren? Het systeem krijgt dan geen toegang meer tot Hartslag.`, "Ja, deactiveren", toggle, () => setActive(false)),
          )
        : rowButton("Activeren", c.clientId, () => void setActive(true));
      replaceChildren(
        li,
        h(
          "div",
          { class: "hartslag-admin-row" },
          h("span", { class: "hartslag-admin-row__name" }, c.clientId),
          statusBadge(c.active ? "Actief" : "Gedeactiveerd", c.active ? "success" : "inactive"),
        ),
        h("p", { class: "utrecht-paragraph hartslag-admin-details" }, "Namens ", organisationName.get(c.organisationId ?? "") ?? c.organisationId ?? "", " · certificaat ", h("code", { class: "hartslag-admin-id" }, c.certificateUri ?? "")),
        h("div", { class: "utrecht-button-group hartslag-admin-actions" }, toggle),
        confirmPlace,
        message.element,
      );
      li.dataset.active = String(Boolean(c.active));
      if (focus) toggle.focus();
    };
    render(initial);
    return li;
  };

  const pager = new Pager<IntegratedClient>(
    "Meer koppelingen laden",
    async (pageToken) => {
      const page = await call<{ clients?: IntegratedClient[]; nextPageToken?: string }>(`${kDirectory}/ListIntegratedClients`, { pageSize: kPageSize, pageToken });
      return { items: page.clients ?? [], nextPageToken: page.nextPageToken ?? "" };
    },
    (clients, first) => {
      if (first) replaceChildren(list);
      const added = clients.map(row);
      list.append(...added);
      if (first && !added.length) listMessage.show("info", "Er zijn nog geen koppelingen.");
      else if (first) listMessage.clear();
      return added;
    },
    (error) => showRefusal(error, listMessage, {}, "De koppelingen konden niet worden gelezen."),
  );

  const newId = new Field("Code van de koppeling", textbox({ maxlength: "128", autocomplete: "off", spellcheck: "false" }, "hartslag-width-10"), "Kleine letters, cijfers en streepjes, bijvoorbeeld politie-bvh.");
  const newOrganisation = new Field("Organisatie", select([["", "Kies de organisatie"], ...organisations.map((o): [string, string] => [o.organisationId, o.name ?? o.organisationId])]), "Het systeem kan alleen namens medewerkers van deze organisatie werken.");
  const newUri = new Field("URI in het certificaat", textbox({ maxlength: "2048", autocomplete: "off", spellcheck: "false", inputmode: "url" }), "De URI (subject alternative name) in het clientcertificaat van het systeem, bijvoorbeeld spiffe://hartslag/heerlen/client/politie-bvh.");
  const createMessage = new MessageSlot();
  const createFields = { "client.client_id": newId, "client.organisation_id": newOrganisation, "client.certificate_uri": newUri };
  const createForm: HTMLFormElement = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "koppeling-nieuw" },
      on: {
        input: () => createMessage.clear(),
        submit: (event) => {
          event.preventDefault();
          void creating.run(async () => {
            clearErrors(createFields);
            try {
              const created = await call<IntegratedClient>(`${kDirectory}/CreateIntegratedClient`, {
                requestId: requestId.value,
                client: { clientId: newId.value, organisationId: newOrganisation.value, certificateUri: newUri.value },
              });
              requestId.renew();
              for (const f of [newId, newOrganisation, newUri]) f.control.value = "";
              await pager.restart();
              createMessage.show("ok", `Koppeling ${created.clientId} is geregistreerd.`);
            } catch (error) {
              showRefusal(error, createMessage, createFields, "Registreren lukte niet.");
            }
          });
        },
      },
    },
    newId.element,
    newOrganisation.element,
    newUri.element,
    createMessage.element,
    h("div", { class: "utrecht-button-group" }, button("Koppeling registreren", undefined, "primary", "submit")),
  );
  const requestId = new FormRequestId(createForm);
  const creating = new OneAtATime(createForm);

  await pager.restart();
  const element = h(
    "div",
    { class: "hartslag-admin" },
    heading(1, "Koppelingen"),
    paragraph("Systemen van partners die met een clientcertificaat namens hun eigen medewerkers met Hartslag werken."),
    h("section", { attrs: { "aria-labelledby": "koppelingen-lijst" } }, heading(2, "Alle koppelingen", "koppelingen-lijst"), listMessage.element, list, pager.more),
    h("section", { attrs: { "aria-labelledby": "koppeling-nieuw" } }, heading(2, "Nieuwe koppeling", "koppeling-nieuw"), createForm),
  );
  return { title: "Koppelingen", element };
}
