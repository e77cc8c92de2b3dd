/**
 * How long the notifications keep what they send. A sent message's rendered body (HTML and text,
 * the bulk of the outbox: about 10 KB an e-mail, 20,000 staff a few e-mails a month) is dropped
 * BODY_RETENTION_DAYS after it was sent; the row stays, with its Message-ID and its event keys,
 * because those are what stops a second send (a policy version stays due until acknowledged, so
 * its key must outlive any window). Failed and queued messages keep their bodies (they may still
 * go). An e-mail's unsubscribe token is deleted TOKEN_RETENTION_DAYS after it was issued: an
 * older e-mail's link then says so and points to /account. Calendar feed tokens stay until revoked.
 */
export const BODY_RETENTION_DAYS = 90;
export const TOKEN_RETENTION_DAYS = 400;

/** The payload a sent message keeps once its body is dropped. */
export const PRUNED_PAYLOAD: Record<string, unknown> = Object.freeze({ pruned: true });
