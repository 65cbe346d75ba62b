// Calls to Callgate's API with the console's session cookie. The CSRF token lives in this
// module's memory only: never in storage, never in a URL.

let csrfToken = null;
let onSignedOut = () => {};

/** A refusal of the API: its status and problem document (RFC 9457, with Callgate's code). */
export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `The request failed with status ${status}.`);
    this.status = status;
    this.problem = problem || {};
  }

  get code() {
    return this.problem.code || `HTTP_${this.status}`;
  }

  /** Each problem with the field it names, when it names one. */
  get problems() {
    const all = this.problem.problems || [
      { code: this.problem.code, message: this.problem.detail, remedy: this.problem.remedy, facts: this.problem.facts },
    ];
    return all.map((p) => ({ ...p, field: p.facts && p.facts.field }));
  }

  /** What to tell a person: what happened and what to do. */
  get sentence() {
    const remedy = this.problem.remedy ? ` ${this.problem.remedy}` : '';
    return `${this.code}: ${this.message}${remedy}`;
  }
}

export function session(signedIn) {
  csrfToken = signedIn ? signedIn.csrfToken : null;
}

/** Called with the problem whenever the API answers 401: the session is over. */
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

/**
 * Sends a request; resolves with the JSON answer (null for 204), rejects with an ApiProblem. A
 * change carries X-CSRF-Token.
 */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (failure) {
    throw new ApiProblem(0, {
      code: 'NETWORK_ERROR',
      detail: 'Callgate did not answer.',
      remedy: 'Check that the service is running and reachable, then try again.',
    });
  }
  const type = response.headers.get('Content-Type') || '';
  const json = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const problem = new ApiProblem(response.status, json);
    if (response.status === 401 && !path.startsWith('/console/session')) onSignedOut(problem);
    throw problem;
  }
  return response.status === 204 ? null : json;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);
export const put = (path, body) => call('PUT', path, body);
export const del = (path) => call('DELETE', path);

/** A path segment, encoded. */
export const seg = (value) => encodeURIComponent(value);
