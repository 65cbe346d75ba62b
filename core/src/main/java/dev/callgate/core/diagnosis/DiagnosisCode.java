package dev.callgate.core.diagnosis;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closed catalogue of everything that can go wrong with a credential or a callout. Each code
 * carries a message template (what happened, with the facts) and a remedy template (what a person
 * should do). Placeholders are written {@code {fact}} and filled from a {@link Diagnosis}'s facts;
 * merge-field syntax such as {@code {!$Credential.OAuthToken}} is not a placeholder. Adding a code
 * breaks every exhaustive {@code switch} over it, which is where it must be handled.
 */
public enum DiagnosisCode {
  CREDENTIAL_NOT_FOUND(
      "No credential named '{credential}' exists.",
      "Check the name, or create the credential with POST /v1/credentials."),
  PROVIDER_NOT_FOUND(
      "No auth provider named '{provider}' exists.",
      "Check the name, or create the provider with POST /v1/providers."),
  CALLER_NOT_ALLOWED(
      "'{subject}' may not call credential '{credential}'.",
      "Add '{subject}' to the credential's allowedCallers, or call with a key whose subject is"
          + " listed there."),
  NOT_AUTHORIZED_YET(
      "Credential '{credential}' has no token for {principal} yet.",
      "Start the authorization flow with POST /v1/credentials/{credential}/authorizations and"
          + " open the returned authorizationUrl in a browser."),
  NO_REFRESH_TOKEN_ISSUED(
      "The identity provider issued no refresh token, so the access token cannot be renewed once"
          + " it expires at {accessTokenExpiresAt}.",
      "Request offline access ({missingScope}) in the provider's scopes and authorize again."),
  REFRESH_TOKEN_EXPIRED(
      "The refresh token has expired: {evidence}. It was last used at {lastUsedAt}, {idleFor}"
          + " before {moment}; its lifetime as known to Callgate: {knownLifetime}. {cause}",
      "Authorize again with POST /v1/credentials/{credential}/authorizations. {advice}"),
  REFRESH_TOKEN_REVOKED(
      "The identity provider refused the refresh token ({error}: {errorDescription}) before it"
          + " expired — {evidence}: the grant was revoked or withdrawn.",
      "Authorize again with POST /v1/credentials/{credential}/authorizations. If it recurs, check"
          + " whether a user or an administrator ended the session or revoked the consent at the"
          + " identity provider (Keycloak: the user's LOGOUT and REVOKE_GRANT events, and the admin"
          + " events for an administrator's logout), or whether another client used the same"
          + " refresh token."),
  REFRESH_TOKEN_EXPIRED_OR_REVOKED(
      "The identity provider refused the refresh token ({error}: {errorDescription}), and Callgate"
          + " cannot tell whether it expired or was revoked: {unknown}. It was last used at"
          + " {lastUsedAt}, {idleFor} before this refresh.",
      "Authorize again with POST /v1/credentials/{credential}/authorizations. To tell the two"
          + " apart, look at the identity provider: a logout, an ended session or a revoked consent"
          + " there means it was revoked (Keycloak: the user's LOGOUT and REVOKE_GRANT events, the"
          + " admin events, the user's sessions); if there is none, it idled out after {idleFor} —"
          + " then set"
          + " refreshTokenLifetime on provider '{provider}' to the identity provider's idle"
          + " lifetime, so that Callgate refreshes before it."),
  GRANT_LOST_DURING_OUTAGE(
      "The identity provider refused the refresh token ({error}: {errorDescription}) at its first"
          + " answer after an outage: {attempts} refresh attempts failed from {firstFailureAt} to"
          + " {lastFailureAt}. {whatHappened}",
      "Authorize again with POST /v1/credentials/{credential}/authorizations. Callgate tries ever"
          + " more often as a refresh token's known expiry nears; to ride out longer outages, give"
          + " refresh tokens a longer idle lifetime at the identity provider, or make it more"
          + " available."),
  REFRESH_RESULT_LOST(
      "A refresh that instance {instance} began at {startedAt} did not record the identity"
          + " provider's answer (the instance stopped, lost its store, or gave up waiting), and"
          + " the identity provider now refuses the refresh token it used ({error}:"
          + " {errorDescription}): the lost answer had replaced the refresh token.",
      "Authorize again with POST /v1/credentials/{credential}/authorizations. So that Callgate"
          + " recovers from an interrupted refresh by itself, let the identity provider accept the"
          + " previous refresh token for a short time after rotating it (a reuse interval or grace"
          + " period, such as Keycloak's Refresh Token Max Reuse or Okta's grace period for token"
          + " rotation), or turn refresh-token rotation off for this client."),
  REFRESH_TOKEN_EXPIRING(
      "The refresh token reaches its absolute lifetime at {refreshTokenExpiresAt}; refreshing"
          + " does not extend it.",
      "Authorize again before {refreshTokenExpiresAt}, or raise the maximum session or"
          + " refresh-token lifetime at the identity provider."),
  REFRESH_TOKEN_LIFETIME_ASSUMED(
      "The identity provider does not say how long the refresh token lives, and provider"
          + " '{provider}' has no refreshTokenLifetime: Callgate assumes {assumed} and refreshes"
          + " within it, which is too late if the identity provider's idle lifetime is shorter.",
      "Set refreshTokenLifetime on provider '{provider}' (PUT /v1/providers/{provider}) to the"
          + " identity provider's idle lifetime of refresh tokens (Keycloak's offline tokens: the"
          + " realm's Offline Session Idle, 30 days unless changed; WSO2: 24 hours)."),
  GRANT_REVOKED(
      "Callgate revoked the grant of {principal} at {revokedAt}, as {by} asked; {outcome}.",
      "Authorize again with POST /v1/credentials/{credential}/authorizations to use the"
          + " credential again."),
  GRANT_MAY_LIVE_ON(
      "The grant of {principal} was not revoked at the identity provider: {reason}. It may live"
          + " on there until it expires.",
      "If it must end now, end it at the identity provider (for Keycloak: the user's sessions or"
          + " consents in the admin console)."),
  REFRESH_RATE_LIMITED(
      "Refreshes of credential '{credential}' asked for by {askedBy} are limited to {maxAttempts}"
          + " per {window}, and that many were made; the next is allowed at {nextAllowedAt}.",
      "Nothing: Callgate refreshes the token by itself before it expires and after a target"
          + " rejects it. Ask again after {nextAllowedAt} if a new token is still needed."),
  REFRESH_FAILED_TRANSIENT(
      "Refreshing the token failed for a reason that may pass: {reason}. Next attempt at"
          + " {nextAttemptAt}.",
      "Nothing, if it passes: Callgate retries with back-off and serves the current access token"
          + " while it is valid. If it persists, check that the identity provider is reachable"
          + " and healthy."),
  CLIENT_AUTH_FAILED(
      "The identity provider refused the client authentication of client '{clientId}' ({error}:"
          + " {errorDescription}).",
      "Check the clientId and the {clientProof} of provider '{provider}' against the client"
          + " registered at the identity provider, and correct them with PUT"
          + " /v1/providers/{provider}. {afterwards}"),
  GRANT_TYPE_NOT_ALLOWED(
      "The identity provider does not let client '{clientId}' use the {grantType} grant ({error}:"
          + " {errorDescription}).",
      "Allow the grant for the client at the identity provider (Keycloak: Standard flow for the"
          + " authorization code and its refresh tokens, Service accounts for client credentials),"
          + " or correct provider '{provider}' with PUT /v1/providers/{provider}. {afterwards}"),
  JWT_ASSERTION_REJECTED(
      "The identity provider refused the JWT bearer assertion of credential '{credential}'"
          + " ({error}: {errorDescription}).",
      "Check the credential's jwtIssuer, jwtSubject, jwtAudience and signing key against what the"
          + " identity provider expects (the public key registered there), and correct them with"
          + " PUT /v1/credentials/{credential}: the change re-arms it at once."),
  SCOPE_REJECTED(
      "The identity provider did not grant the scopes {scopes} ({reason}).",
      "Remove those scopes from the provider, or allow them for the client at the identity"
          + " provider, then authorize again."),
  AUTHORIZATION_HEADER_CONFLICT(
      "The request sets its own {header} header while credential '{credential}' generates the"
          + " authorization header: the target would receive a second, conflicting credential.",
      "Drop the header and let Callgate authenticate the call, or turn generateAuthorizationHeader"
          + " off and allowMergeFieldsInHeaders on and write the header with a merge field such as"
          + " {!$Credential.OAuthToken}."),
  MERGE_FIELDS_NOT_ALLOWED(
      "The request uses the merge field {field} in its {location}, which credential"
          + " '{credential}' does not allow.",
      "Turn on allowMergeFieldsInHeaders (or allowMergeFieldsInBody) for the credential, or"
          + " remove the merge field."),
  MERGE_FIELD_UNKNOWN(
      "The request uses the merge field {field}, which Callgate does not know.",
      "Use one of {known}."),
  MERGE_FIELD_VALUE_INVALID(
      "The merge field {field} cannot be used in the {location}: {reason}.",
      "Use the merge field where its value fits, or fix the credential's value."),
  TOKEN_REJECTED_AFTER_REFRESH(
      "The target answered {status} even to a freshly refreshed access token: the token is valid"
          + " but not accepted there.",
      "Check the token's audience and scopes, the user's permissions at the target, and that the"
          + " credential's URL is the API the identity provider issues tokens for."),
  TLS_BOUND_TOKEN_REJECTED(
      "The target answered {status} even to a freshly refreshed access token sent over a"
          + " connection that presented the client certificate {certificate} ({source}).",
      "If the identity provider binds access tokens to its client's certificate (RFC 8705 §3, the"
          + " token's cnf x5t#S256), the target must be shown that same certificate: leave"
          + " tlsClientCertificate out of the credential so that its provider's is presented, or"
          + " give the credential the provider's certificate and key. Otherwise check the token's"
          + " audience and scopes and the user's permissions at the target."),
  TARGET_UNREACHABLE(
      "The target {target} could not be reached: {reason}.",
      "Check the credential's URL, the name resolution and network path to the target, and the"
          + " target's health."),
  TARGET_CONNECTION_LIMIT_REACHED(
      "All {maxConnections} connections of credential '{credential}' to {target} are in use and"
          + " {maxWaiting} callouts already wait for one, so this callout was not sent.",
      "Retry shortly. If the load is expected or the target is slow to answer, raise"
          + " CALLGATE_CALLOUT_POOL_SIZE (connections per credential and target) or"
          + " CALLGATE_CALLOUT_POOL_QUEUE (callouts that may wait for a connection). Other"
          + " credentials are not affected: each has its own connections."),
  TARGET_PATH_REJECTED(
      "The path '{path}' is not allowed below the credential's URL {baseUrl}: {reason}.",
      "Call a path below the credential's URL, without '..', backslashes, empty segments or an"
          + " absolute URL."),
  METHOD_NOT_ALLOWED(
      "The method {method} is not allowed for the credential '{credential}'; it allows {allowed}.",
      "Use one of {allowed}, or ask an admin to add {method} to the credential's allowedMethods"
          + " (TRACE and CONNECT are never allowed)."),
  SECRET_ECHOED(
      "The target's answer repeated the credential's secret in its {where}, so Callgate did not"
          + " relay it.",
      "Call another path: this one reflects the request it receives (a debugging or tracing"
          + " endpoint). The secret did not reach you; have the target's owner stop the echo."),
  TOKEN_PARAMETER_CONFLICT(
      "The request's query sets its own {parameter} parameter while credential '{credential}'"
          + " places its access token there: the target would receive a second, conflicting"
          + " credential.",
      "Drop the {parameter} parameter from the query and let Callgate authenticate the call."),
  IDP_RESPONSE_INVALID(
      "The identity provider's answer from {endpoint} is not a valid OAuth 2.0 response:"
          + " {reason}.",
      "Check the provider's issuer or endpoint URLs: an HTML page usually means a wrong URL, or a"
          + " login page or proxy in between."),
  IDP_UNAVAILABLE(
      "The identity provider could not be reached or failed to answer: {reason}.",
      "Try again shortly; if it persists, check that the identity provider is reachable from"
          + " Callgate and healthy."),
  PROVIDER_METADATA_INVALID(
      "Provider '{provider}': the {source} gives {field} as '{value}', which Callgate does not"
          + " use: {rule}.",
      "Correct the provider's issuer or endpoints with PUT /v1/providers/{provider}, or the"
          + " identity provider's published metadata; plain http to a host other than loopback"
          + " needs CALLGATE_PROVIDER_ALLOW_HTTP=true. Tokens wait, their grants kept, until the"
          + " provider is saved again."),
  OUTBOUND_ADDRESS_REFUSED(
      "Callgate does not connect to {host} at {address}: {rule}.",
      "To reach a loopback or private address on purpose, name its range or the host in"
          + " CALLGATE_OUTBOUND_ALLOW (e.g. 10.0.0.0/8,idp.internal) and restart Callgate;"
          + " link-local and cloud metadata addresses are never reached."),
  AWS_ROLE_DENIED(
      "STS refused to let credential '{credential}' assume role {roleArn} ({error}: {errorMessage}).",
      "AccessDenied: allow sts:AssumeRole on the role for the credential's access key, and trust"
          + " that principal in the role's trust policy (with the awsExternalId it demands);"
          + " InvalidClientTokenId or SignatureDoesNotMatch: correct awsAccessKeyId and"
          + " awsSecretAccessKey; a duration above the role's maximum: lower awsRoleDuration."
          + " Save the credential with PUT /v1/credentials/{credential}."),
  AWS_STS_UNAVAILABLE(
      "Credential '{credential}' could not assume its role: STS at {endpoint} failed: {reason}.",
      "Try again shortly; if it persists, check that {endpoint} (awsStsEndpoint) is reachable"
          + " from Callgate and that its region is enabled for the account."),
  AWS_SIGNATURE_REJECTED(
      "The target refused the AWS signature of credential '{credential}' ({error}).",
      "SignatureDoesNotMatch: correct awsSecretAccessKey, and awsRegion and awsService to the"
          + " target's; InvalidAccessKeyId: correct awsAccessKeyId; ExpiredToken or"
          + " InvalidToken: replace awsSessionToken (or give an awsRoleArn, whose keys Callgate"
          + " renews); RequestTimeTooSkewed: correct Callgate's clock. Save the credential with"
          + " PUT /v1/credentials/{credential}."),
  STORE_UNAVAILABLE(
      "Callgate's store is unavailable: {reason}.",
      "Check the database (or the data directory of the embedded store) and Callgate's"
          + " connection settings; Callgate retries by itself."),
  AUTHORIZATION_STATE_INVALID(
      "The authorization callback carries a state that is unknown, already used or expired.",
      "Start the authorization again and complete it within {stateLifetime}."),
  AUTHORIZATION_BROWSER_MISMATCH(
      "The authorization callback came from a browser that did not start the flow: {reason}.",
      "Start again from the link that sent you to the provider (the authorizationUrl, the"
          + " console's Authorize button or a connect link) and finish signing in in that same"
          + " browser; a sign-in finished elsewhere, or a callback address passed on, is refused."),
  PROVIDER_IDENTITY_CHANGED(
      "The identity provider signed in '{newIdentity}', but {principal} of credential"
          + " '{credential}' is granted to '{recordedIdentity}'; the grant was kept as it was.",
      "Authorize again signed in as '{recordedIdentity}'. If the token is to belong to another"
          + " account, an admin starts the authorization with \"allowIdentityChange\": true."),
  AUTHORIZATION_DENIED(
      "The identity provider ended the authorization with {error}: {errorDescription}.",
      "Authorize again and grant the requested access; if the provider refuses, check the client's"
          + " configuration there (redirect URI, allowed scopes, consent)."),
  AUTHORIZATION_CODE_REJECTED(
      "The identity provider refused the authorization code ({error}: {errorDescription}).",
      "Authorize again: a code is single-use and short-lived. If it recurs, check that the redirect"
          + " URI registered at the identity provider is {redirectUri}."),
  FLOW_NOT_SUPPORTED(
      "Credential '{credential}' uses {protocol}, which has no {flow}.",
      "Use a credential whose protocol supports it."),
  RETURN_URL_NOT_ALLOWED(
      "The return URL '{returnUrl}' is not allowed for credential '{credential}': {reason}.",
      "Use a URL at or below one of the credential's allowedReturnUrls ({allowed}), or add its"
          + " origin and path to allowedReturnUrls with PUT /v1/credentials/{credential}."),
  CONNECT_LINK_UNKNOWN(
      "This connect link is not known to Callgate: it was mistyped, cut short, or removed after"
          + " it expired or was used.",
      "Ask whoever sent you the link for a new one."),
  CONNECT_LINK_EXPIRED(
      "This connect link expired at {expiresAt}.",
      "Ask whoever sent you the link for a new one, and open it within {lifetime}."),
  CONNECT_LINK_USED(
      "This connect link was already used at {usedAt}; a link works once.",
      "If you did not finish signing in, ask whoever sent you the link for a new one."),
  CONNECT_LINK_NOT_SUPPORTED(
      "Credential '{credential}' cannot have connect links: {reason}.",
      "Connect links are for credentials with principal per_user and protocol"
          + " oauth2_authorization_code; for others, an admin authorizes with POST"
          + " /v1/credentials/{credential}/authorizations."),
  INVALID_NAME(
      "'{value}' is not a valid {field}: {rule}.",
      "Choose a name that matches the rule; names appear in URL paths."),
  INVALID_URL(
      "'{value}' is not a valid {field}: {reason}.",
      "Give an absolute http or https URL, such as https://api.example.com/v1."),
  UNKNOWN_PROTOCOL("'{value}' is not a protocol Callgate knows.", "Use one of {known}."),
  SECRET_MISSING(
      "{field} is required for {protocol} and was not given.",
      "Set {field}; Callgate stores it encrypted and never shows it again."),
  INVALID_VALUE("{field} is invalid: {problem}.", "Correct {field} and send the request again."),
  MALFORMED_REQUEST(
      "The request could not be read: {reason}.",
      "Send a JSON object (Content-Type: application/json) with the fields the API documents at"
          + " /openapi.json."),
  AMBIGUOUS_REQUEST(
      "The request is ambiguous and was refused before anything was forwarded: {reason}.",
      "Send one Host, one Authorization and either Content-Length or Transfer-Encoding: chunked,"
          + " never both and never another coding; a proxy in front of Callgate that adds or"
          + " rewrites these fields must be fixed."),
  REQUEST_TOO_LARGE(
      "The request body is larger than the {limit} bytes Callgate accepts here.",
      "Send a smaller body."),
  REQUEST_URI_TOO_LONG(
      "The request line is longer than the {limit} bytes Callgate accepts.",
      "Send a shorter path and query; large data belongs in the body."),
  REQUEST_HEADERS_TOO_LARGE(
      "The request's headers are larger than the {limit} bytes Callgate accepts.",
      "Send fewer or smaller headers."),
  UNSUPPORTED_MEDIA_TYPE(
      "The body is {contentType}; this API reads only application/json.",
      "Send the body as JSON with 'Content-Type: application/json' (file uploads are not"
          + " accepted)."),
  UNAUTHENTICATED(
      "The request carries no valid Callgate API key ({reason}).",
      "Send 'Authorization: Bearer <api key>' with a key created by an admin (POST /v1/keys)."),
  FORBIDDEN(
      "'{subject}' may not {action}: it needs the {role} role.",
      "Use a key with that role, or ask an admin to do it."),
  CSRF_TOKEN_INVALID(
      "The request {reason}, so it may have come from another site.",
      "With a console session, send the session's csrfToken (from GET /console/session) in the"
          + " X-CSRF-Token header with every request that changes something, or authenticate with"
          + " 'Authorization: Bearer'. On a connect link's page, open the link itself and press its"
          + " button there."),
  ALREADY_EXISTS(
      "A {kind} named '{name}' exists already.",
      "Choose another name, or change the existing one with PUT."),
  API_KEY_NOT_FOUND("No API key with id '{id}' exists.", "List the keys with GET /v1/keys."),
  WEBHOOK_NOT_FOUND(
      "No webhook with id '{id}' exists.", "List the webhooks with GET /v1/webhooks."),
  PROVIDER_IN_USE(
      "The auth provider '{provider}' is used by the credentials {credentials}.",
      "Delete those credentials or point them at another provider first."),
  ROUTE_NOT_FOUND(
      "There is no {method} {path} in Callgate's API.",
      "See /openapi.json for the routes Callgate offers."),
  INTERNAL_ERROR(
      "Callgate failed on a defect of its own (reference {reference}).",
      "Report it with the reference; the log line with the same reference has the details."),
  INVALID_CONFIGURATION(
      "{variable} is invalid: {problem}.",
      "Correct {variable} in Callgate's environment and start it again."),
  TOKEN_EXCHANGE_SUBJECT_TOKEN_MISSING(
      "Credential '{credential}' exchanges the caller's token, and the request has no {header}"
          + " header.",
      "Send the token to exchange (an access token of the identity provider whose audience"
          + " includes the exchanging client) in the {header} header; Callgate never forwards"
          + " it."),
  TOKEN_EXCHANGE_SUBJECT_TOKEN_REJECTED(
      "The identity provider refused the subject token that credential '{credential}' exchanges"
          + " ({error}: {errorDescription}).",
      "The subject token (the caller's Callgate-Subject-Token header, or the access token of the"
          + " credential's tokenExchange.subjectCredential) must be a valid access token of"
          + " provider '{provider}' whose audience includes client '{clientId}' (Keycloak: an"
          + " Audience mapper on the subject token's client), of the type"
          + " tokenExchange.subjectTokenType names."),
  TOKEN_EXCHANGE_NOT_ALLOWED(
      "The identity provider does not let client '{clientId}' exchange tokens ({error}:"
          + " {errorDescription}).",
      "Allow token exchange for the client at the identity provider (Keycloak: Standard Token"
          + " Exchange in the client's capability config, the client attribute"
          + " standard.token.exchange.enabled), or correct provider '{provider}' with PUT"
          + " /v1/providers/{provider}. {afterwards}"),
  TOKEN_EXCHANGE_AUDIENCE_REJECTED(
      "The identity provider will not issue client '{clientId}' a token for the audience or"
          + " resource that credential '{credential}' asks for ({error}: {errorDescription}).",
      "Let the client request that audience at the identity provider (Keycloak: the target client"
          + " must be available in the client's scopes, e.g. through an Audience mapper), or"
          + " correct tokenExchange.audience or tokenExchange.resource with PUT"
          + " /v1/credentials/{credential}. {afterwards}"),
  TOKEN_EXCHANGE_SUBJECT_UNAVAILABLE(
      "Credential '{credential}' exchanges the access token of credential '{subjectCredential}',"
          + " which has none to give: {reason}",
      "Make credential '{subjectCredential}' work first ({subjectRemedy}); credential"
          + " '{credential}' exchanges its token at its next callout."),
  DEVICE_AUTHORIZATION_NOT_SUPPORTED(
      "Provider '{provider}' has no device authorization endpoint (RFC 8628): {reason}.",
      "Set deviceAuthorizationEndpoint on provider '{provider}' with PUT /v1/providers/{provider}"
          + " if the identity provider has one and enable the device grant for the client there"
          + " (Keycloak: OAuth 2.0 Device Authorization Grant), or authorize in a browser with POST"
          + " /v1/credentials/{credential}/authorizations without a body."),
  DEVICE_AUTHORIZATION_DENIED(
      "The user declined the device authorization at the identity provider ({error}:"
          + " {errorDescription}).",
      "Start a new one with POST /v1/credentials/{credential}/authorizations and the body"
          + " {\"flow\":\"device\"}, and approve the access at the verification page."),
  DEVICE_CODE_EXPIRED(
      "The device authorization started at {startedAt} expired at {expiresAt} before the user"
          + " finished at {verificationUri} ({reason}).",
      "Start a new one with POST /v1/credentials/{credential}/authorizations and the body"
          + " {\"flow\":\"device\"}, and enter its user code at the verification page before it"
          + " expires.");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)}");

  private final String messageTemplate;
  private final String remedyTemplate;

  DiagnosisCode(String messageTemplate, String remedyTemplate) {
    this.messageTemplate = messageTemplate;
    this.remedyTemplate = remedyTemplate;
  }

  public String messageTemplate() {
    return messageTemplate;
  }

  public String remedyTemplate() {
    return remedyTemplate;
  }

  /** The fact names both templates refer to; a {@link Diagnosis} of this code must supply all. */
  public Set<String> facts() {
    Set<String> names = new LinkedHashSet<>();
    for (String template : new String[] {messageTemplate, remedyTemplate}) {
      Matcher matcher = PLACEHOLDER.matcher(template);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  String render(String template, Map<String, String> facts) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder rendered = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(rendered, Matcher.quoteReplacement(facts.get(matcher.group(1))));
    }
    matcher.appendTail(rendered);
    return rendered.toString();
  }
}
