//! The one mapping of refused inbound webhooks (the payment provider's payment and refund
//! callbacks, couriers' updates) to problems: 401 naming the header at fault. Shared by every
//! function that receives a signed webhook through `o2o_domain::inbound_webhook::accept`.

use o2o_domain::inbound_webhook::InboundRefusal;
use o2o_domain::signature::{SIGNATURE_HEADER, SignatureError, TIMESTAMP_HEADER};

use crate::problem::ApiError;

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
