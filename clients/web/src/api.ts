// The JSON API of hartslag-web: every call is a gRPC call of one of the
// services, in proto3 JSON (POST /api/v1/<service>/<Method>), and every
// refusal a google.rpc.Status in JSON with the Dutch sentence to show
// (LocalizedMessage) and, for a bad field, a Dutch sentence per field
// (fieldMessages, added by hartslag-web).

export interface Session {
  userId: string;
  tenantId: string;
  organisationId: string;
  organisationKind?: string;
  roles?: string[];
  areas?: string[];
  csrfToken: string;
  expiresAt?: string;
  displayName?: string;
  organisationName?: string;
}

interface StatusJson {
  code?: number;
  message?: string;
  details?: { "@type"?: string; message?: string; fieldViolations?: { field: string; description: string }[] }[];
  fieldMessages?: Record<string, string>;
}

// A refusal by the service (or by hartslag-web) as the user gets to see it.
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    // Dutch sentence per field path ("location.address.postcode").
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }

  // Nothing was decided: the same request may be sent again later.
  get retryable(): boolean {
    return this.httpStatus === 0 || this.httpStatus === 408 || this.httpStatus === 429 || this.httpStatus >= 500;
  }

  get unauthenticated(): boolean {
    return this.httpStatus === 401;
  }
}

const kOffline = "Geen verbinding met Hartslag.";

// What to do when a call finds the session ended (set by the app).
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

let csrfToken = "";

async function errorOf(response: Response): Promise<ApiError> {
  let status: StatusJson = {};
  try {
    status = (await response.json()) as StatusJson;
  } catch {
    // Not one of ours (a proxy's page): the HTTP status says enough.
  }
  const localized = status.details?.find((d) => d["@type"]?.endsWith("google.rpc.LocalizedMessage"))?.message;
  const fallback = response.status >= 500 ? "De dienst is even niet bereikbaar. Probeer het zo opnieuw." : "Dit lukte niet.";
  return new ApiError(response.status, status.code ?? 2, localized ?? fallback, status.fieldMessages ?? {});
}

async function send(path: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, 14, kOffline, {});
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (error.unauthenticated) onSessionEnded();
    throw error;
  }
  try {
    return await response.json();
  } catch {
    // The answer was cut off on the way: as if it never came.
    throw new ApiError(0, 14, kOffline, {});
  }
}

// Calls `method` ("hartslag.intake.v1.SignalService/SubmitSignal") with
// `request`; `purpose` is the reason for reading case data.
export async function call<T>(method: string, request: object, purpose = ""): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken };
  if (purpose) headers["X-Hartslag-Purpose"] = purpose;
  return (await send(`/api/v1/${method}`, { method: "POST", headers, body: JSON.stringify(request) })) as T;
}

export async function currentSession(): Promise<Session | null> {
  try {
    const session = (await send("/api/v1/session", { method: "GET" })) as Session;
    csrfToken = session.csrfToken;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.unauthenticated) return null;
    throw error;
  }
}

export async function logIn(tenantId: string, userId: string, password: string): Promise<Session> {
  const session = (await send("/api/v1/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tenantId, userId, password }),
  })) as Session;
  csrfToken = session.csrfToken;
  return session;
}

export async function logOut(): Promise<void> {
  await send("/api/v1/session", { method: "DELETE", headers: { "X-CSRF-Token": csrfToken } });
  csrfToken = "";
}

// Follows a server stream as Server-Sent Events: `onMessage` per message,
// `onOpen` each time the stream (re)connects, so the caller can catch up on
// what it missed. Returns a function that stops following.
export function follow<T>(
  method: string,
  request: object,
  purpose: string,
  onMessage: (message: T) => void,
  onOpen: () => void,
): () => void {
  const url = `/api/v1/${method}?request=${encodeURIComponent(JSON.stringify(request))}&purpose=${purpose}`;
  let source: EventSource | null = null;
  let retry: number | undefined;
  let stopped = false;
  const open = () => {
    source = new EventSource(url);
    source.addEventListener("open", onOpen);
    source.addEventListener("message", (event) => onMessage(JSON.parse((event as MessageEvent).data) as T));
    // The stream's final refusal (an ended session, a full server).
    source.addEventListener("error", (event) => {
      const data = (event as MessageEvent).data as string | undefined;
      if (data && (JSON.parse(data) as StatusJson).code === 16) {
        stop();
        onSessionEnded();
        return;
      }
      if (source?.readyState === EventSource.CLOSED && !stopped) {
        // Refused before it began (401, 429): the browser gives up, we do
        // not; unless the session has ended.
        source = null;
        retry = window.setTimeout(async () => {
          if ((await currentSession().catch(() => true)) === null) onSessionEnded();
          else if (!stopped) open();
        }, 10_000);
      }
    });
  };
  const stop = () => {
    stopped = true;
    window.clearTimeout(retry);
    source?.close();
  };
  open();
  return stop;
}

export function newRequestId(): string {
  return crypto.randomUUID();
}
