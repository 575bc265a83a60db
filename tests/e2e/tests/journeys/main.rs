//! Every end-to-end journey in one test binary: each links wasmtime and the host, so one
//! binary instead of one per file keeps link time and disk use down (a debug test binary
//! is hundreds of megabytes, and CI machines have limited disk).

mod access_and_limits;
mod after_sales_journey;
mod application_shape;
mod authorization_matrix;
mod cart_bad_input;
mod cart_journey;
mod catalog_admin;
mod concurrency_races;
mod crash_safety;
mod dispatch_journey;
mod feedback_journey;
mod order_journey;
mod query_plans;
mod quote_journey;
mod refund_journey;
mod request_edges;
mod round_trips;
mod scheduled_jobs;
mod stock_reservations;
mod webhooks_delivery;
