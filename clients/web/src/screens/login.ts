// Logging in: municipality, user name, password. The municipality is
// remembered on the device; the password never is.
import { ApiError, type Session, logIn } from "../api";
import type { Screen } from "../app";
import { Field, MessageSlot, button, heading, textbox } from "../components";
import { h } from "../dom";

const kTenantKey = "hartslag.tenant";

export function loginScreen(reason: string | undefined, loggedIn: (session: Session) => void): Screen {
  const tenant = new Field("Gemeente", textbox({ name: "gemeente", autocomplete: "organization", required: true, value: localStorage.getItem(kTenantKey) ?? "", autocapitalize: "none" }));
  const user = new Field("Gebruikersnaam", textbox({ name: "gebruiker", autocomplete: "username", required: true, autocapitalize: "none" }));
  const password = new Field("Wachtwoord", textbox({ name: "wachtwoord", type: "password", autocomplete: "current-password", required: true }));
  const message = new MessageSlot();
  if (reason) message.show("info", reason);
  const submit = button("Inloggen", undefined, "primary", "submit");
  const form = h(
    "form",
    {
      class: "hartslag-form",
      attrs: { novalidate: true, "aria-labelledby": "inloggen-titel" },
      on: {
        submit: async (event) => {
          event.preventDefault();
          const fields: [Field, string][] = [[tenant, "gemeente"], [user, "gebruikersnaam"], [password, "wachtwoord"]];
          let missing = false;
          for (const [field, name] of fields) {
            field.showError(field.value ? null : `Vul uw ${name} in.`);
            missing ||= !field.value;
          }
          if (missing) return;
          submit.disabled = true;
          message.clear();
          try {
            const session = await logIn(tenant.value.toLowerCase(), user.value, password.control.value);
            localStorage.setItem(kTenantKey, tenant.value.toLowerCase());
            loggedIn(session);
          } catch (error) {
            message.show("error", error instanceof ApiError ? error.message : "Inloggen lukt nu niet.");
            password.control.value = "";
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    heading(1, "Inloggen bij Hartslag", "inloggen-titel"),
    message.element,
    tenant.element,
    user.element,
    password.element,
    h("div", { class: "utrecht-button-group" }, submit),
  );
  return { title: "Inloggen", element: form };
}
