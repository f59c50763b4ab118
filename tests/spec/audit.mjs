// Runs every server audit of the GraphQL-over-HTTP specification (graphql-http's serverAudits:
// MUST, SHOULD and MAY) against one GraphQL endpoint and prints one JSON array of
// {id, name, status, reason, response} (status: "ok", or "error" for a MUST, "warn" for a
// SHOULD, "notice" for a MAY that failed; response: the failing answer's status and the start
// of its body, to read the reason by).
//
//   node audit.mjs URL [--header "Name: value"]...
//
// Each --header is added to every request, as a configured client would add it (the hub in
// production wants X-GraphQL-CSRF on a GET). The exit code is 1 when any MUST or SHOULD audit
// failed, 2 on a usage error, 0 otherwise (failed MAY audits are printed, not counted).
import { serverAudits } from 'graphql-http';

function usage(message) {
  process.stderr.write(`${message}\nusage: node audit.mjs URL [--header "Name: value"]...\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let url;
const extra = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--header') {
    const header = args[++i] ?? usage('--header needs "Name: value"');
    const colon = header.indexOf(':');
    if (colon < 1) usage(`not a header: ${header}`);
    extra[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  } else if (url === undefined) {
    url = args[i];
  } else {
    usage(`unexpected argument: ${args[i]}`);
  }
}
if (url === undefined) usage('the GraphQL endpoint URL is missing');

function fetchWithHeaders(input, init = {}) {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
}

async function described(result) {
  const { id, name, status } = result;
  if (status === 'ok') return { id, name, status };
  let response = null;
  if (result.response) {
    let body;
    try {
      body = await result.response.clone().text();
    } catch {
      body = '(already read by the audit)';
    }
    response = {
      status: result.response.status,
      contentType: result.response.headers.get('content-type'),
      body: body.slice(0, 500),
    };
  }
  return { id, name, status, reason: result.reason, response };
}

const audits = serverAudits({ url, fetchFn: fetchWithHeaders });
const results = [];
for (const { fn } of audits) results.push(await described(await fn()));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(results.some((r) => r.status === 'error' || r.status === 'warn') ? 1 : 0);
