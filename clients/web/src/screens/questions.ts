// The questions a category asks, as fields of the signal form, each by its
// type: text, number, date, yes/no, one of (radio buttons, or a list when
// there are many options), several of (checkboxes). What the reporter
// answered becomes the signal's answers; the service's refusal of an answer
// ("answers.<question_id>") shows beside its question.
import { ChoiceGroup, Field, type Validated, select, textbox } from "../components";
import type { Answer, Question } from "../intake";
import { yesNo } from "../labels";

// More options than this are a list to choose from, not radio buttons.
const kMostRadios = 5;

export interface QuestionField extends Validated {
  // The refusal's field path: "answers.<question_id>".
  path: string;
  element: HTMLElement;
  // The answer given, or null when there is none.
  answer(): Answer | null;
  restore(answer: Answer): void;
}

function labelOf(q: Question): string {
  return q.required ? `${q.label} (verplicht)` : q.label;
}

function inputField(q: Question, field: Field, read: (value: string) => Partial<Answer> | null, write: (a: Answer) => string): QuestionField {
  field.control.required = Boolean(q.required);
  return {
    path: `answers.${q.questionId}`,
    element: field.element,
    answer: () => {
      const value = field.value;
      const read_ = value === "" ? null : read(value);
      return read_ ? { questionId: q.questionId, ...read_ } : null;
    },
    restore: (a) => (field.control.value = write(a)),
    showError: (m) => field.showError(m),
    focus: () => field.focus(),
  };
}

function groupField(q: Question, group: ChoiceGroup, read: (checked: string[]) => Partial<Answer> | null, write: (a: Answer) => string[]): QuestionField {
  return {
    path: `answers.${q.questionId}`,
    element: group.element,
    answer: () => {
      const checked = group.checked;
      const read_ = checked.length === 0 ? null : read(checked);
      return read_ ? { questionId: q.questionId, ...read_ } : null;
    },
    restore: (a) => group.check(write(a)),
    showError: (m) => group.showError(m),
    focus: () => group.focus(),
  };
}

export function questionField(q: Question): QuestionField {
  const help = q.helpText || undefined;
  const options = (q.options ?? []).map((o): [string, string] => [o, o]);
  switch (q.type) {
    case "QUESTION_TYPE_NUMBER":
      // A number input takes "2,5" as well as "2.5" and hands out "2.5".
      return inputField(q, new Field(labelOf(q), textbox({ type: "number", step: "any", inputmode: "decimal" }, "hartslag-width-8"), help),
        (v) => (Number.isFinite(Number(v)) ? { number: Number(v) } : null), (a) => String(a.number ?? ""));
    case "QUESTION_TYPE_DATE":
      return inputField(q, new Field(labelOf(q), textbox({ type: "date" }, "hartslag-width-10"), help), (v) => ({ date: v }), (a) => a.date ?? "");
    case "QUESTION_TYPE_YES_NO":
      return groupField(q, new ChoiceGroup(labelOf(q), "radio", [["ja", yesNo.yes], ["nee", yesNo.no]], help, q.required),
        ([v]) => ({ yesNo: v === "ja" }), (a) => (a.yesNo === undefined ? [] : [a.yesNo ? "ja" : "nee"]));
    case "QUESTION_TYPE_ONE_OF":
      if (options.length > kMostRadios) {
        return inputField(q, new Field(labelOf(q), select([["", "Kies een antwoord"], ...options]), help), (v) => ({ choice: v }), (a) => a.choice ?? "");
      }
      return groupField(q, new ChoiceGroup(labelOf(q), "radio", options, help, q.required), ([v]) => ({ choice: v }), (a) => (a.choice ? [a.choice] : []));
    case "QUESTION_TYPE_SEVERAL_OF":
      return groupField(q, new ChoiceGroup(labelOf(q), "checkbox", options, help), (v) => ({ choices: { options: v } }), (a) => a.choices?.options ?? []);
    default:
      return inputField(q, new Field(labelOf(q), textbox({ maxlength: "1000" }), help), (v) => ({ text: v }), (a) => a.text ?? "");
  }
}
