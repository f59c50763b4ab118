// The console's only way to the data: the hub's GraphQL API with the signed-in staff token.
// gql() POSTs to /graphql; subscribe() speaks graphql-transport-ws over /graphql with the token
// in the connection_init payload (browsers cannot set headers on a WebSocket).

const TOKEN_KEY = "hub.console.token";
const UNIT_KEY = "hub.console.unit";

let onUnauthorized = () => {};

/** An error of the API: message, stable code (e.g. FORBIDDEN), request id for the logs. */
export class GqlError extends Error {
  constructor(message, { code = "ERROR", requestId = null, status = null } = {}) {
    super(message);
    this.name = "GqlError";
    this.code = code;
    this.requestId = requestId;
    this.status = status;
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function getSignedInUnit() {
  try {
    return JSON.parse(sessionStorage.getItem(UNIT_KEY) || "null");
  } catch {
    return null;
  }
}

export function setSession(token, unit = null) {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (unit) sessionStorage.setItem(UNIT_KEY, JSON.stringify(unit));
  else sessionStorage.removeItem(UNIT_KEY);
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(UNIT_KEY);
}

/** The shell registers what happens when the token is refused (back to sign-in). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

function firstError(errors, status) {
  const e = errors[0] || {};
  const ext = e.extensions || {};
  return new GqlError(e.message || `HTTP ${status}`, {
    code: ext.code || "ERROR",
    requestId: ext.requestId || null,
    status,
  });
}

/** Run a query or mutation; resolves to `data`, throws GqlError on HTTP or GraphQL errors. */
export async function gql(query, variables = {}) {
  // POST of application/json only (never GET); the CSRF header anyway, as the hub asks of any
  // script (a cross-site form cannot set it), so that a GET added later still passes.
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "X-GraphQL-CSRF": "1",
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new GqlError("无法连接数据枢纽，请检查网络后重试", { code: "NETWORK" });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 401) {
    const err = body && body.errors ? firstError(body.errors, 401) : new GqlError("登录已失效", { code: "UNAUTHENTICATED", status: 401 });
    onUnauthorized(err);
    throw err;
  }
  if (!response.ok && !(body && body.errors)) {
    throw new GqlError(`数据枢纽返回 HTTP ${response.status}`, {
      code: "HTTP_" + response.status,
      requestId: response.headers.get("x-request-id"),
      status: response.status,
    });
  }
  if (body && body.errors && body.errors.length) {
    const err = firstError(body.errors, response.status);
    if (err.code === "UNAUTHENTICATED" && token) onUnauthorized(err);
    throw err;
  }
  return body ? body.data : null;
}

let nextId = 1;

/**
 * Subscribe over graphql-transport-ws; `next(data)` for each event, `error(GqlError)` once on
 * failure, and (optional) `connected()` once the hub has acknowledged the connection and the
 * subscription is sent. Returns a function that ends the subscription and closes the socket.
 */
export function subscribe(query, variables, { next = () => {}, error = () => {}, connected = () => {} } = {}) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
  const id = String(nextId++);
  let closedByUs = false;
  let failed = false;
  const fail = (err) => {
    if (failed || closedByUs) return;
    failed = true;
    if (err.code === "UNAUTHENTICATED" && getToken()) onUnauthorized(err);
    error(err);
  };
  ws.addEventListener("open", () => {
    const token = getToken();
    const payload = token ? { authorization: `Bearer ${token}` } : {};
    ws.send(JSON.stringify({ type: "connection_init", payload }));
  });
  ws.addEventListener("message", (event) => {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg.type === "connection_ack") {
      ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
      connected();
    } else if (msg.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    } else if (msg.type === "next" && msg.id === id) {
      if (msg.payload.errors && msg.payload.errors.length) fail(firstError(msg.payload.errors, null));
      else next(msg.payload.data);
    } else if (msg.type === "error" && msg.id === id) {
      fail(firstError(Array.isArray(msg.payload) ? msg.payload : [msg.payload], null));
    }
  });
  ws.addEventListener("close", (event) => {
    if (closedByUs) return;
    const code = event.code === 4403 || event.code === 4401 ? "UNAUTHENTICATED" : "DISCONNECTED";
    fail(new GqlError(`实时连接已断开（${event.code}）`, { code }));
  });
  return () => {
    closedByUs = true;
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ id, type: "complete" }));
      ws.close(1000);
    } else if (ws.readyState === WebSocket.CONNECTING) {
      ws.addEventListener("open", () => ws.close(1000));
    }
  };
}
