// What every screen gets: who is logged in, the outbox of unsent signals,
// and a way to tell the user something that happened elsewhere.
import type { Session } from "./api";
import type { Outbox } from "./outbox";

export interface App {
  session: Session;
  outbox: Outbox;
  // Says `text` to screen-reader users without moving their focus.
  announce(text: string): void;
}

export interface Screen {
  title: string;
  element: HTMLElement;
  // Called when the user leaves the screen (closes its event stream).
  leave?: () => void;
  // A screen that needs the width of a desk (tables, a map, a signal beside
  // its decision): the page is wider while it is shown.
  wide?: boolean;
}


export function hasRole(session: Session, role: string): boolean {
  return (session.roles ?? []).includes(role);
}
