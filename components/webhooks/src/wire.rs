//! The webhooks function's wire: request bodies as they arrive (strict: unknown fields are
//! refused), query strings, and the one mapping of `WebhookError` to
//! problems.

use o2o_domain::events::EventType;
use o2o_domain::webhooks::WebhookError;
use o2o_domain::webhooks::repository::{DeliveryFilter, MAX_LIST_LIMIT};
use o2o_domain::webhooks::{DeliveryStatus, SubscriptionId};
use o2o_edge::ApiError;
use o2o_edge::query::query_pairs;
use serde::Deserialize;

/// `POST /webhooks/subscriptions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscription {
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: Option<String>,
}

/// The one mapping of webhook rule violations to problems.
pub fn webhook_error(err: WebhookError) -> ApiError {
    match err {
        WebhookError::Invalid { field, detail } => ApiError::InvalidField { field, detail },
        WebhookError::NotAllowed { field, detail } => ApiError::Unprocessable { field, detail },
        WebhookError::NotFound(what) => ApiError::not_found(format!("no such {what}")),
        WebhookError::Conflict(detail) => ApiError::Conflict {
            field: None,
            detail,
        },
        WebhookError::Store(e) => ApiError::Storage(e),
    }
}

/// `?limit=` (1 to 500, default 100), refusing any key not in `known`.
fn limit_and_check(pairs: &[(String, String)], known: &[&str]) -> Result<i64, ApiError> {
    let mut limit = 100;
    for (key, value) in pairs {
        if key == "limit" {
            limit = value
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=MAX_LIST_LIMIT).contains(l))
                .ok_or_else(|| {
                    ApiError::invalid_field("limit", format!("must be 1 to {MAX_LIST_LIMIT}"))
                })?;
        } else if !known.contains(&key.as_str()) {
            return Err(ApiError::invalid_field(
                key.clone(),
                "unknown query parameter",
            ));
        }
    }
    Ok(limit)
}

/// The query of `GET /webhooks/subscriptions`: `limit`, and `cursor` (the `next_cursor` of the
/// previous page).
pub fn subscriptions_query(query: &str) -> Result<(Option<SubscriptionId>, u32), ApiError> {
    let pairs = query_pairs(query);
    let limit = limit_and_check(&pairs, &["cursor"])?;
    let cursor = pairs
        .iter()
        .find(|(key, _)| key == "cursor")
        .map(|(_, value)| {
            SubscriptionId::parse(value)
                .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor this list gave"))
        })
        .transpose()?;
    // limit_and_check keeps it within 1..=MAX_LIST_LIMIT.
    Ok((cursor, u32::try_from(limit).unwrap_or(1)))
}

/// The query of `GET /webhooks/deliveries`: `status`, `subscription_id`, `event_type`, `limit`.
pub fn deliveries_query(query: &str) -> Result<DeliveryFilter, ApiError> {
    let pairs = query_pairs(query);
    let limit = limit_and_check(&pairs, &["status", "subscription_id", "event_type"])?;
    let mut filter = DeliveryFilter {
        limit,
        ..DeliveryFilter::default()
    };
    for (key, value) in &pairs {
        match key.as_str() {
            "status" => {
                filter.status = Some(DeliveryStatus::parse(value).ok_or_else(|| {
                    ApiError::invalid_field("status", "one of pending, delivered, dead")
                })?);
            }
            "subscription_id" => {
                filter.subscription = Some(SubscriptionId::parse(value).ok_or_else(|| {
                    ApiError::invalid_field("subscription_id", "not a subscription id")
                })?);
            }
            "event_type" => {
                filter.event_type =
                    Some(EventType::parse(value).ok_or_else(|| {
                        ApiError::invalid_field("event_type", "unknown event type")
                    })?);
            }
            _ => {}
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_refuse_unknown_keys_and_bad_limits() {
        let filter = deliveries_query("status=dead&event_type=stock.low&limit=5").unwrap();
        assert_eq!(filter.status, Some(DeliveryStatus::Dead));
        assert_eq!(filter.event_type, Some(EventType::StockLow));
        assert_eq!(filter.limit, 5);
        assert_eq!(deliveries_query("").unwrap().limit, 100);
        let field = |r: Result<DeliveryFilter, ApiError>| match r {
            Err(ApiError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(deliveries_query("status=failed")), "status");
        assert_eq!(field(deliveries_query("limit=0")), "limit");
        assert_eq!(field(deliveries_query("limit=501")), "limit");
        assert_eq!(field(deliveries_query("colour=red")), "colour");
        assert_eq!(
            field(deliveries_query("subscription_id=x")),
            "subscription_id"
        );
    }
}
