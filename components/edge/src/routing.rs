//! The routes every component ends its routing table with, so that a wrong method or an unknown
//! path under the component's route is a problem+json like every other error, not spin-sdk's
//! plain-text 404/405.

use spin_sdk::http::{Request, Router};

use crate::problem::ApiError;

/// Answers 405 for any other method on `paths` and 404 for any other path (`what` names the
/// function in the 404's detail: "no such cart route").
pub fn refuse_unrouted(router: &mut Router, paths: &[&str], what: &'static str) {
    for path in paths {
        router.any(path, |_: Request, _| {
            ApiError::MethodNotAllowed.into_response()
        });
    }
    router.any("/*", move |_: Request, _| {
        ApiError::not_found(format!("no such {what} route")).into_response()
    });
}
