// A list read a page at a time ("Meer … laden"), the one way every screen
// pages: it keeps the page token, ignores the answer to a question the user
// has since replaced (a slow page of the old subject must never land in the
// new list), disables its button while a page loads, and after a further
// page moves the focus to the first new row (so the keyboard user goes on
// where the list grew, and the focus is not lost when the button hides).
//
//   const pager = new Pager<Access>("Meer inzages tonen", (token) => fetch(token), (rows, first) => ...);
//   form.onsubmit = () => pager.restart();   // a new question: page one anew
//   section.append(list, pager.more);
import { button } from "./components";

export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

export class Pager<T> {
  readonly more: HTMLButtonElement;
  private token = "";
  private generation = 0;

  // `read(pageToken)`: one page ("" for the first). `show(items, first)`:
  // puts the items on screen (replacing what was there when `first`) and
  // returns their rows, for the focus. `failed(error, first)`: tells the
  // user; the list stays as it was.
  constructor(
    moreLabel: string,
    private readonly read: (pageToken: string) => Promise<Page<T>>,
    private readonly show: (items: T[], first: boolean) => HTMLElement[],
    private readonly failed: (error: unknown, first: boolean) => void,
  ) {
    this.more = button(moreLabel, () => void this.next(), "secondary");
    this.more.hidden = true;
  }

  // Whether a further page exists.
  get hasMore(): boolean {
    return this.token !== "";
  }

  // Reads page one anew; answers to earlier reads are ignored from now on.
  restart(): Promise<void> {
    this.generation += 1;
    this.token = "";
    return this.load(true);
  }

  next(): Promise<void> {
    return this.token ? this.load(false) : Promise.resolve();
  }

  private async load(first: boolean): Promise<void> {
    const generation = this.generation;
    this.more.disabled = true;
    try {
      const page = await this.read(first ? "" : this.token);
      if (generation !== this.generation) return;
      this.token = page.nextPageToken;
      const rows = this.show(page.items, first);
      this.more.hidden = !this.token;
      if (!first) focusRow(rows[0]);
    } catch (error) {
      if (generation === this.generation) this.failed(error, first);
    } finally {
      if (generation === this.generation) this.more.disabled = false;
    }
  }
}

// The row's first link or button, or the row itself.
function focusRow(row: HTMLElement | undefined): void {
  if (!row) return;
  const target = row.querySelector<HTMLElement>("a[href], button:not([disabled]), input, select, textarea") ?? row;
  if (target === row && !row.hasAttribute("tabindex")) row.tabIndex = -1;
  target.focus();
}
