//! The webhooks function (`/webhooks/...`): integrators' subscriptions (staff create, list,
//! get, deactivate), and the delivery of the outbox's events to them, signed, retried with
//! exponential backoff and dead-lettered after the last attempt, driven by a route a scheduler
//! calls (`POST /webhooks/deliveries/run`). Every rule is `o2o_domain::webhooks`'s (and
//! `o2o_domain::signature`'s, `o2o_domain::events`'s), every write one transaction of
//! `o2o_domain::webhooks::repository`; `sending` does the outbound HTTP; this file is the
//! routing table and reads the clock and the Spin variables.
//!
//! Every route but the list of event types needs an API key with the scope `webhooks` (the
//! scheduler that calls the delivery run holds one too); writes are audited under its id.

mod sending;
mod wire;

use o2o_domain::events::EventType;
use o2o_domain::sealed::SealingKey;
use o2o_domain::webhooks::repository::{self as webhooks, Change, Sealing};
use o2o_domain::webhooks::{
    AllowedHost, DeliveryId, DeliveryStatus, RetryPolicy, SubscriptionDraft, SubscriptionId,
    SubscriptionSecret, WebhookError, WebhookUrl, parse_event_types,
};
use o2o_edge::edge_context::{count_variable, now, random_bytes};
use o2o_edge::json_body::parse_json;
use o2o_edge::respond::{created, finish, json, no_content, page};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve_async;
use o2o_edge::spin_store::SpinSql;
use o2o_edge::{ApiError, FieldContext};
use serde_json::json;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use o2o_domain::auth::Scope;
use o2o_edge::auth::staff;
use wire::{CreateSubscription, deliveries_query, subscriptions_query, webhook_error};

/// Events handed over and deliveries attempted per run, unless `batch_size` says otherwise.
const DEFAULT_BATCH_SIZE: i64 = 20;
/// The largest batch an operator may configure.
const MAX_BATCH_SIZE: i64 = 500;

#[http_component]
async fn handle(req: Request) -> Response {
    serve_async("webhooks", req, routing_table).await
}

/// The routing table.
async fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/webhooks/subscriptions", |r, p| {
        finish(create_subscription(r, p))
    });
    router.get("/webhooks/subscriptions", |r, p| {
        finish(list_subscriptions(r, p))
    });
    router.get("/webhooks/subscriptions/:id", |r, p| {
        finish(get_subscription(r, p))
    });
    router.delete("/webhooks/subscriptions/:id", |r, p| {
        finish(deactivate_subscription(r, p))
    });
    router.get("/webhooks/event-types", |_: Request, _| {
        // Every type at once: the list is the code's, short and fixed.
        let names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        finish(page(&names, None))
    });
    router.post_async("/webhooks/deliveries/run", |r, p| async move {
        finish(run_deliveries(r, p).await)
    });
    router.get("/webhooks/deliveries", |r, p| finish(list_deliveries(r, p)));
    router.get("/webhooks/deliveries/:id", |r, p| {
        finish(get_delivery(r, p))
    });
    router.post("/webhooks/deliveries/:id/redeliver", |r, p| {
        finish(redeliver(r, p))
    });
    refuse_unrouted(
        &mut router,
        &[
            "/webhooks/subscriptions",
            "/webhooks/subscriptions/:id",
            "/webhooks/event-types",
            "/webhooks/deliveries/run",
            "/webhooks/deliveries",
            "/webhooks/deliveries/:id",
            "/webhooks/deliveries/:id/redeliver",
        ],
        "webhooks",
    );
    router.handle_async(req).await
}

fn retry_policy() -> RetryPolicy {
    let max_attempts = count_variable(
        "max_attempts",
        i64::from(RetryPolicy::DEFAULT_MAX_ATTEMPTS),
        1..=i64::from(RetryPolicy::MAX_MAX_ATTEMPTS),
    );
    RetryPolicy::with_max_attempts(u32::try_from(max_attempts).unwrap_or(1))
}

/// The operator's outbound host pattern (the same `webhook_hosts` value spin.toml grants the
/// component); `None` when unset or unreadable, and then Spin alone decides at delivery.
fn allowed_host() -> Option<AllowedHost> {
    let raw = spin_sdk::variables::get("webhook_hosts").ok()?;
    AllowedHost::parse(&raw)
        .inspect_err(|e| eprintln!("variable webhook_hosts={raw:?} is not a host pattern: {e}"))
        .ok()
}

/// The key subscription secrets are sealed under, from the secret variable `secrets_key`. A
/// missing or short one is the operator's to fix: logged, and the request fails (503) rather
/// than storing a secret in the clear.
fn sealing_key() -> Result<SealingKey, ApiError> {
    let raw = spin_sdk::variables::get("secrets_key").unwrap_or_default();
    SealingKey::from_secret(&raw).map_err(|e| {
        ApiError::Storage(o2o_domain::storage::StoreError::Unavailable(format!(
            "variable secrets_key: {e}"
        )))
    })
}

fn path_subscription(params: &Params) -> Result<SubscriptionId, ApiError> {
    params
        .get("id")
        .and_then(SubscriptionId::parse)
        .ok_or_else(|| ApiError::not_found("no such subscription"))
}

fn path_delivery(params: &Params) -> Result<DeliveryId, ApiError> {
    params
        .get("id")
        .and_then(DeliveryId::parse)
        .ok_or_else(|| ApiError::not_found("no such delivery"))
}

fn create_subscription(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Webhooks)?.id;
    let body: CreateSubscription = parse_json(&req)?;
    let url = WebhookUrl::parse(&body.url).field("url")?;
    if let Some(allowed) = allowed_host()
        && !allowed.allows(&url)
    {
        return Err(webhook_error(WebhookError::NotAllowed {
            field: "url".to_owned(),
            detail: "this host is not among the shop's allowed webhook hosts (webhook_hosts)"
                .to_owned(),
        }));
    }
    let event_types = parse_event_types(&body.event_types).map_err(webhook_error)?;
    let (secret, generated) = match &body.secret {
        Some(raw) => (SubscriptionSecret::parse(raw).field("secret")?, false),
        None => (SubscriptionSecret::generate(random_bytes()?), true),
    };
    let draft = SubscriptionDraft {
        url,
        event_types,
        secret,
    };
    let key = sealing_key()?;
    let random = random_bytes()?;
    let sealing = Sealing {
        key: &key,
        nonce: std::array::from_fn(|i| random[i]),
    };
    let now = now();
    let db = SpinSql::open_default()?;
    let change = Change { actor: &actor, now };
    let subscription =
        webhooks::create_subscription(&db, change, SubscriptionId::new(now), &draft, sealing)
            .map_err(webhook_error)?;
    // The secret is shown this once (a chosen one is not echoed back: the caller has it).
    let mut view = json!(subscription);
    if generated {
        view["secret"] = json!(draft.secret.expose());
    }
    created(
        &format!("/webhooks/subscriptions/{}", subscription.id),
        &view,
    )
}

fn list_subscriptions(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Webhooks)?;
    let (cursor, limit) = subscriptions_query(req.query())?;
    let db = SpinSql::open_default()?;
    let (subscriptions, next_cursor) = webhooks::list_subscriptions(&db, cursor, limit)?;
    page(&subscriptions, next_cursor)
}

fn get_subscription(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Webhooks)?;
    let id = path_subscription(&params)?;
    let db = SpinSql::open_default()?;
    match webhooks::get_subscription(&db, id)? {
        Some(subscription) => json(200, &subscription),
        None => Err(ApiError::not_found("no such subscription")),
    }
}

/// Deactivates (a subscription is never erased: its deliveries keep their history).
fn deactivate_subscription(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Webhooks)?.id;
    let id = path_subscription(&params)?;
    let db = SpinSql::open_default()?;
    let change = Change {
        actor: &actor,
        now: now(),
    };
    webhooks::deactivate_subscription(&db, change, id).map_err(webhook_error)?;
    Ok(no_content())
}

/// One run: hand over outbox events, then attempt the deliveries that are due, each at most
/// once, at most `batch_size` of each, so a run ends by itself; a scheduler calls it again.
async fn run_deliveries(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Webhooks)?;
    let batch = count_variable("batch_size", DEFAULT_BATCH_SIZE, 1..=MAX_BATCH_SIZE);
    let policy = retry_policy();
    let db = SpinSql::open_default()?;
    let started = now();
    let handed_over = webhooks::hand_over_outbox(&db, started, batch)?;
    let claimed = webhooks::claim_due(&db, started, batch, &sealing_key()?)?;
    let (mut delivered, mut retrying, mut dead_lettered) = (0, 0, 0);
    for delivery in &claimed {
        let outcome = sending::attempt(delivery, now()).await;
        match webhooks::record_attempt(&db, &delivery.id, &outcome, &policy, now())? {
            DeliveryStatus::Delivered => delivered += 1,
            DeliveryStatus::Pending => retrying += 1,
            DeliveryStatus::Dead => dead_lettered += 1,
        }
    }
    json(
        200,
        &json!({
            "handed_over": handed_over,
            "attempted": claimed.len(),
            "delivered": delivered,
            "retrying": retrying,
            "dead_lettered": dead_lettered,
        }),
    )
}

fn list_deliveries(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Webhooks)?;
    let filter = deliveries_query(req.query())?;
    let db = SpinSql::open_default()?;
    let deliveries = webhooks::list_deliveries(&db, &filter)?;
    // The newest `limit`: one page by nature.
    page(&deliveries, None)
}

fn get_delivery(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Webhooks)?;
    let id = path_delivery(&params)?;
    let db = SpinSql::open_default()?;
    match webhooks::get_delivery(&db, id)? {
        Some(delivery) => json(200, &delivery),
        None => Err(ApiError::not_found("no such delivery")),
    }
}

fn redeliver(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Webhooks)?.id;
    let id = path_delivery(&params)?;
    let db = SpinSql::open_default()?;
    let change = Change {
        actor: &actor,
        now: now(),
    };
    let delivery = webhooks::redeliver(&db, change, id).map_err(webhook_error)?;
    json(200, &delivery)
}
