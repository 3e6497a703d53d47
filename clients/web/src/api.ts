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
  // The map's tile URL template (hartslag-web --map-tiles); absent: no map.
  mapTiles?: string;
  // The audit tree's Ed25519 public key (SPKI, base64), to verify signed
  // tree heads in the browser (hartslag-web --audit-public-key).
  auditPublicKey?: string;
}

interface StatusJson {
  code?: number;
  message?: string;
  details?: { "@type"?: string; message?: string; fieldViolations?: { field: string; description: string }[] }[];
  fieldMessages?: Record<string, string>;
}

// The gRPC status codes the screens act on.
export const Code = {
  unknown: 2,
  deadlineExceeded: 4,
  resourceExhausted: 8,
  aborted: 10,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

// Codes that decide nothing: the same request (same request id) may be
// sent again later.
const kRetryable = new Set<number>([Code.deadlineExceeded, Code.resourceExhausted, Code.aborted, Code.internal, Code.unavailable]);

// A refusal by the service (or by hartslag-web) as the user gets to see it.
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    // Dutch sentence per field path ("location.address.postcode").
    readonly fields: Record<string, string>,
    // The English status message, for what the screens must tell apart.
    readonly detail = "",
  ) {
    super(message);
  }

  // No answer at all (httpStatus 0), or an answer that decided nothing.
  get retryable(): boolean {
    return this.httpStatus === 0 || this.httpStatus >= 500 || kRetryable.has(this.code);
  }

  get unauthenticated(): boolean {
    return this.httpStatus === 401;
  }

  // The CSRF token was not this session's: another tab logged in anew.
  get staleCsrf(): boolean {
    return this.httpStatus === 403 && this.detail.startsWith("X-CSRF-Token");
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
  return new ApiError(response.status, status.code ?? Code.unknown, localized ?? fallback, status.fieldMessages ?? {}, status.message ?? "");
}

async function send(path: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: "same-origin", cache: "no-store" });
  } catch {
    throw new ApiError(0, Code.unavailable, kOffline, {});
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
    throw new ApiError(0, Code.unavailable, kOffline, {});
  }
}

// Calls `method` ("hartslag.intake.v1.SignalService/SubmitSignal") with
// `request`; `purpose` is the reason for reading case data.
export async function call<T>(method: string, request: object, purpose = ""): Promise<T> {
  const post = () => {
    const headers: Record<string, string> = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken };
    if (purpose) headers["X-Hartslag-Purpose"] = purpose;
    return send(`/api/v1/${method}`, { method: "POST", headers, body: JSON.stringify(request) });
  };
  try {
    return (await post()) as T;
  } catch (error) {
    // Refused before any service was asked: once more with the session's
    // current token.
    if (!(error instanceof ApiError && error.staleCsrf) || (await currentSession()) === null) throw error;
    return (await post()) as T;
  }
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

export interface StreamHandlers<T> {
  // The stream runs (again): read what may have changed before it did.
  ready(): void;
  message(message: T): void;
  // It does not run now: `message` says why; `final` when it will not be
  // tried again.
  trouble(message: string, final: boolean): void;
}

const kReconnectMs = 10_000;

// Follows a server stream as Server-Sent Events (GET /api/v1/<method>),
// reconnecting after a lost connection or an expired access token (the
// gateway renews it) until `stop` is called or the session has ended.
// Returns `stop`.
export function follow<T>(method: string, request: object, purpose: string, on: StreamHandlers<T>): () => void {
  const url = `/api/v1/${method}?request=${encodeURIComponent(JSON.stringify(request))}&purpose=${purpose}`;
  let source: EventSource | null = null;
  let retry: number | undefined;
  let stopped = false;

  const stop = () => {
    stopped = true;
    window.clearTimeout(retry);
    source?.close();
    source = null;
  };
  // Closes this connection; opens a new one if the session still holds.
  const reconnect = (delayMs: number, why: string) => {
    source?.close();
    source = null;
    on.trouble(why, false);
    retry = window.setTimeout(async () => {
      if (stopped) return;
      const session = await currentSession().catch(() => undefined);
      if (session === null) {
        stop();
        onSessionEnded();
      } else if (!stopped) {
        open();
      }
    }, delayMs);
  };
  const open = () => {
    source = new EventSource(url);
    source.addEventListener("ready", () => on.ready());
    source.addEventListener("message", (event) => on.message(JSON.parse((event as MessageEvent).data) as T));
    source.addEventListener("error", (event) => {
      if (stopped) return;
      const data = (event as MessageEvent).data as string | undefined;
      if (data) {
        // The service ended the stream with a refusal.
        const status = JSON.parse(data) as StatusJson;
        const localized = status.details?.find((d) => d["@type"]?.endsWith("google.rpc.LocalizedMessage"))?.message ?? "De lijst wordt nu niet bijgewerkt.";
        if (status.code === Code.unauthenticated) reconnect(0, localized);  // the access token expired
        else if (kRetryable.has(status.code ?? Code.unknown)) reconnect(kReconnectMs, localized);
        else {
          stop();
          on.trouble(localized, true);
        }
      } else if (source?.readyState === EventSource.CLOSED) {
        // Refused before it began (401, 429): the browser gives up; we try
        // again unless the session has ended.
        reconnect(kReconnectMs, "De lijst wordt even niet live bijgewerkt.");
      } else {
        // The connection dropped; the browser reconnects by itself.
        on.trouble("Verbinding verbroken; opnieuw verbinden…", false);
      }
    });
  };
  open();
  return stop;
}

export function newRequestId(): string {
  return crypto.randomUUID();
}
