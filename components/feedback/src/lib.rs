//! The feedback function: declared in spin.toml with its route so that the application's shape is
//! complete, answering 501 problem+json until its own issue lands.

use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(_req: Request) -> Response {
    o2o_edge::respond::not_implemented("feedback")
}
