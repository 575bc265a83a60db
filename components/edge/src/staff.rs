//! Who the acting staff member is. Interim, until authentication lands (issue 7: API keys with
//! scopes, stored hashed): the `x-staff-id` header, required on every staff route and written
//! unverified to the audit log. One reader for every function, so that replacing it with the
//! API-key check is one change.

use spin_sdk::http::Request;

use crate::problem::ApiError;

/// The header that names the acting staff member.
pub const STAFF_HEADER: &str = "x-staff-id";

/// The acting staff member: 1 to 128 visible ASCII characters, else a 400 naming the header.
pub fn staff_id(req: &Request) -> Result<String, ApiError> {
    let raw = req
        .header(STAFF_HEADER)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .unwrap_or_default();
    if (1..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::BadRequest {
            field: Some(STAFF_HEADER.to_owned()),
            detail: "staff actions need the x-staff-id header (1 to 128 visible characters)"
                .to_owned(),
        })
    }
}
