//! Where quote snapshots are kept: one JSON document per quote in key-value under
//! `quote:<id>`, exactly the `o2o_contract::Quote` the client received, so that place-order can
//! honour the very prices shown. Spin's key-value has no TTL: a snapshot read at or after its
//! `valid_until` is deleted and reported absent, like an expired cart.

use chrono::{DateTime, Utc};
use o2o_domain::QuoteId;
use o2o_domain::storage::{KeyValue, StoreError};

fn quote_key(id: QuoteId) -> String {
    format!("quote:{id}")
}

/// Keeps `quote` until its `valid_until`.
pub fn save_quote(kv: &impl KeyValue, quote: &o2o_contract::Quote) -> Result<(), StoreError> {
    let id = QuoteId::parse(&quote.id)
        .ok_or_else(|| StoreError::Corrupt(format!("quote id {:?}", quote.id)))?;
    let bytes = serde_json::to_vec(quote).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    kv.set(&quote_key(id), &bytes)
}

/// The snapshot, while it is valid; an expired one is deleted and reported absent.
pub fn load_quote(
    kv: &impl KeyValue,
    id: QuoteId,
    now: DateTime<Utc>,
) -> Result<Option<o2o_contract::Quote>, StoreError> {
    let key = quote_key(id);
    let Some(bytes) = kv.get(&key)? else {
        return Ok(None);
    };
    let quote: o2o_contract::Quote =
        serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))?;
    let valid_until = DateTime::parse_from_rfc3339(&quote.valid_until)
        .map_err(|e| StoreError::Corrupt(format!("{key}.valid_until: {e}")))?;
    if now >= valid_until {
        kv.delete(&key)?;
        return Ok(None);
    }
    Ok(Some(quote))
}
