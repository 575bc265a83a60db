//! The one mapping of refused inbound webhooks (the payment provider's payment and refund
//! callbacks, couriers' updates) to problems: 401 naming the header at fault. Shared by every
//! function that receives a signed webhook through `o2o_domain::inbound_webhook::accept`, and
//! `accept_signed`, which reads the sender's secret and the headers and calls it.

use chrono::{DateTime, Utc};
use o2o_domain::inbound_webhook::{self, InboundRefusal};
use o2o_domain::signature::{SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER};
use o2o_domain::storage::{Sql, StoreError};
use spin_sdk::http::Request;

use crate::problem::ApiError;

/// Accepts `req` as a signed webhook from `source` once, with the secret in the Spin variable
/// `secret_variable`: the signature headers checked, the replay ledger written. A missing
/// secret is the operator's fault (503, logged), never an open door.
pub fn accept_signed(
    db: &impl Sql,
    req: &Request,
    source: &str,
    secret_variable: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let secret = spin_sdk::variables::get(secret_variable).map_err(|e| {
        ApiError::Storage(StoreError::Unavailable(format!("{secret_variable}: {e}")))
    })?;
    let header = |name: &str| req.header(name).and_then(|v| v.as_str());
    inbound_webhook::accept(
        db,
        source,
        secret.as_bytes(),
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        req.body(),
        now,
    )
    .map_err(inbound_refusal)
}

/// A refused inbound webhook as a problem: 401 naming the header, or the storage failure.
pub fn inbound_refusal(refusal: InboundRefusal) -> ApiError {
    let detail = refusal.to_string();
    match refusal {
        InboundRefusal::Signature(SignatureError::Missing(header))
        | InboundRefusal::Signature(SignatureError::Malformed { header, .. }) => {
            ApiError::Unauthorized {
                field: header.to_owned(),
                detail,
            }
        }
        InboundRefusal::Signature(SignatureError::Stale { .. }) => ApiError::Unauthorized {
            field: TIMESTAMP_HEADER.to_owned(),
            detail,
        },
        InboundRefusal::Signature(_) | InboundRefusal::Replayed => ApiError::Unauthorized {
            field: SIGNATURE_HEADER.to_owned(),
            detail,
        },
        InboundRefusal::Store(store) => ApiError::Storage(store),
    }
}
