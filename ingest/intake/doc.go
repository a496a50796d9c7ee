// Package intake is the HTTP server that takes feedback in: POST
// /v1/feedback for contract records (bearer token), and POST
// /webhooks/{zendesk,intercom,github,discourse} for the sources' signed
// webhooks, mapped by package sources.
//
// A 202 means durable: it is sent only after JetStream acknowledged every
// record of the request. A request whose signature or token is wrong gets
// 401 and publishes nothing; a body that cannot be mapped gets 400 with the
// position, field and reason of each bad item; a body over the size limit
// gets 413; NATS out of reach, or an acknowledgement slower than the
// publish timeout, gets 503 so that the sender retries (record ids are
// stable, so a retry stores nothing twice). Webhook events that carry no
// feedback (pings, status changes, deletions, other topics) get 200.
//
// A webhook whose secret is not configured answers 404 and never reads an
// unsigned body.
package intake
