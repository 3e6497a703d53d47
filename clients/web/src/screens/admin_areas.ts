// "Gebieden": the municipality's focus areas with their wijken as a tree;
// a new area (a focus area, or a wijk under a parent), and renaming an area
// or moving it under another parent. An update names only what the
// administrator changed, so that a change made meanwhile by someone else to
// the other field is kept.
import { call } from "../api";
import type { App, Screen } from "../app";
import { button, clearErrors, Field, heading, MessageSlot, paragraph, rowButton, select, showRefusal, textbox } from "../components";
import { append, h, replaceChildren } from "../dom";
import { type Area, allAreas, FormRequestId, kDirectory, OneAtATime } from "./admin_common";

// The area and every area below it: none of them can become its parent.
function selfAndBelow(areaId: string, areas: Area[]): Set<string> {
  const below = new Set([areaId]);
  // Parents come before children, so one pass finds every descendant.
  for (const a of areas) if (a.parentAreaId && below.has(a.parentAreaId)) below.add(a.areaId);
  return below;
}

export async function adminAreasScreen(_app: App): Promise<Screen> {
  const tree = h("div", { class: "hartslag-admin-tree" });
  const listMessage = new MessageSlot();
  let areas: Area[] = [];

  const parentOptions = (exclude: Set<string>): [string, string][] => areas.filter((a) => !exclude.has(a.areaId)).map((a) => [a.areaId, a.name ?? a.areaId]);

  // One area in the tree, with its form to rename or move it.
  const item = (area: Area, children: HTMLElement | null): HTMLLIElement => {
    const li = h("li", { class: "hartslag-admin-tree__item", attrs: { "data-area-id": area.areaId } });
    const name = new Field("Naam", textbox({ maxlength: "200", autocomplete: "off" }));
    name.control.value = area.name ?? "";
    const below = selfAndBelow(area.areaId, areas);
    // A focus area stays one (a parent cannot be removed); it may be put
    // under another area.
    const parent = new Field(
      "Valt onder",
      select([...(area.parentAreaId ? [] : ([["", "Geen: het blijft een focusgebied"]] as [string, string][])), ...parentOptions(below)]),
      "Een gebied kan niet onder zichzelf of onder een van zijn eigen wijken vallen.",
    );
    (parent.control as HTMLSelectElement).value = area.parentAreaId ?? "";
    const message = new MessageSlot();
    const fields = { name, parent_area_id: parent };
    const edit = rowButton("Wijzigen", area.name ?? area.areaId, () => {
      form.hidden = false;
      edit.setAttribute("aria-expanded", "true");
      name.focus();
    });
    edit.setAttribute("aria-expanded", "false");
    const close = () => {
      form.hidden = true;
      edit.setAttribute("aria-expanded", "false");
      edit.focus();
    };
    const form: HTMLFormElement = h(
      "form",
      {
        class: "hartslag-form hartslag-admin-inline",
        attrs: { hidden: true, novalidate: true, "aria-label": `${area.name ?? area.areaId} wijzigen` },
        on: {
          submit: (event) => {
            event.preventDefault();
            void saving.run(() => save());
          },
        },
      },
      name.element,
      parent.element,
      message.element,
      h("div", { class: "utrecht-button-group" }, button("Opslaan", undefined, "primary", "submit"), button("Annuleren", close, "subtle")),
    );
    const saving = new OneAtATime(form);
    const save = async () => {
      clearErrors(fields);
      const paths: string[] = [];
      const request: Record<string, unknown> = { areaId: area.areaId };
      if (name.value !== (area.name ?? "")) {
        paths.push("name");
        request.name = name.value;
      }
      if (parent.value !== (area.parentAreaId ?? "")) {
        // proto3 JSON writes a mask's paths in lowerCamelCase.
        paths.push("parentAreaId");
        request.parentAreaId = parent.value;
      }
      if (!paths.length) {
        message.show("info", "Er is niets gewijzigd.");
        return;
      }
      request.updateMask = paths.join(",");
      try {
        const updated = await call<Area>(`${kDirectory}/UpdateArea`, request);
        await reload(`${updated.name ?? updated.areaId} is opgeslagen.`, updated.areaId);
      } catch (error) {
        showRefusal(error, message, fields, "Opslaan lukte niet.");
      }
    };
    append(li, [h("div", { class: "hartslag-admin-row" }, h("span", { class: "hartslag-admin-row__name" }, area.name ?? area.areaId), h("code", { class: "hartslag-admin-id" }, area.areaId), edit), form, children]);
    return li;
  };

  const render = () => {
    const childrenOf = new Map<string, Area[]>();
    for (const a of areas) {
      const key = a.parentAreaId ?? "";
      childrenOf.set(key, [...(childrenOf.get(key) ?? []), a]);
    }
    const branch = (parentId: string): HTMLUListElement | null => {
      const children = childrenOf.get(parentId);
      if (!children?.length) return null;
      return h("ul", { class: "hartslag-admin-tree__list" }, children.map((a) => item(a, branch(a.areaId))));
    };
    replaceChildren(tree, branch("") ?? paragraph("Er zijn nog geen gebieden."));
    replaceChildren(newParent.control, ...[["", "Geen: een nieuw focusgebied"] as [string, string], ...parentOptions(new Set())].map(([value, label]) => h("option", { attrs: { value } }, label)));
  };

  // Reads the tree anew; `done` is said, and the focus goes back to the
  // changed area's button.
  const reload = async (done?: string, focusAreaId?: string) => {
    try {
      areas = await allAreas();
      render();
      if (done) listMessage.show("ok", done);
      if (focusAreaId) tree.querySelector<HTMLButtonElement>(`li[data-area-id="${CSS.escape(focusAreaId)}"] > .hartslag-admin-row button`)?.focus();
    } catch (error) {
      showRefusal(error, listMessage, {}, "De gebieden konden niet worden gelezen.");
    }
  };

  const newId = new Field("Code", textbox({ maxlength: "128", autocomplete: "off", spellcheck: "false" }, "hartslag-width-10"), "Kleine letters, cijfers en streepjes, bijvoorbeeld vrieheide. Wordt later niet meer gewijzigd.");
  const newName = new Field("Naam", textbox({ maxlength: "200", autocomplete: "off" }));
  const newParent = new Field("Valt onder", select([["", "Geen: een nieuw focusgebied"]]));
  const createMessage = new MessageSlot();
  const createFields = { "area.area_id": newId, "area.name": newName, "area.parent_area_id": newParent };
  const createForm: HTMLFormElement = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "gebied-nieuw" },
      on: {
        input: () => createMessage.clear(),
        submit: (event) => {
          event.preventDefault();
          void creating.run(() => create());
        },
      },
    },
    newId.element,
    newName.element,
    newParent.element,
    createMessage.element,
    h("div", { class: "utrecht-button-group" }, button("Gebied aanmaken", undefined, "primary", "submit")),
  );
  const requestId = new FormRequestId(createForm);
  const creating = new OneAtATime(createForm);
  const create = async () => {
    clearErrors(createFields);
    try {
      const created = await call<Area>(`${kDirectory}/CreateArea`, { requestId: requestId.value, area: { areaId: newId.value, name: newName.value, parentAreaId: newParent.value } });
      requestId.renew();
      newId.control.value = "";
      newName.control.value = "";
      await reload();
      createMessage.show("ok", `${created.name ?? created.areaId} is aangemaakt.`);
    } catch (error) {
      showRefusal(error, createMessage, createFields, "Aanmaken lukte niet.");
    }
  };

  await reload();
  const element = h(
    "div",
    { class: "hartslag-admin" },
    heading(1, "Gebieden"),
    paragraph("De focusgebieden van de gemeente met hun wijken. Meldingen en casussen horen bij een gebied; gebruikers werken in de gebieden die zij toegewezen krijgen."),
    h("section", { attrs: { "aria-labelledby": "gebieden-boom" } }, heading(2, "Alle gebieden", "gebieden-boom"), listMessage.element, tree),
    h("section", { attrs: { "aria-labelledby": "gebied-nieuw" } }, heading(2, "Nieuw gebied", "gebied-nieuw"), createForm),
  );
  return { title: "Gebieden", element };
}
