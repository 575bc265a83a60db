//! The end-to-end test kit: `spawn_app` starts the real application of `spin.toml` (the built
//! `.wasm` files) on the Spin-compatible host with its own in-memory state, seeded by small
//! builders (`a_catalog().with_product("TEA-1")`, `.with_promotion(a_spend_threshold(..))`,
//! `.with_coupon(a_coupon("WELCOME10").amount_off("10.00"))`), and `TestApp` offers typed calls
//! (`app.add_to_cart(…)`, `app.quote(&a_quote().for_cart(..))`) and looks into the stores, so
//! that journeys read like journeys.
//!
//! Where things are:
//! - `app`: `spawn_app`, `TestApp` and its plain requests, the test secrets;
//! - `seed`: the rows an app starts with (`a_catalog()`, promotions, coupons, ...);
//! - `response`: `TestResponse` and its `expect`/`expect_problem` checks;
//! - `access_kit`: who a request comes from (customers' tokens, staff keys, ids' owners);
//! - one `*_kit` per part of the shop (cart, quote, catalog, order, stock, dispatch, refund,
//!   feedback, webhooks, concurrency): its typed calls and request builders.
//!
//! The foundation (`app`, `seed`, `response`) and the cart and quote kits are used by nearly
//! every journey, so their items are re-exported here (`o2o_e2e::spawn_app`,
//! `o2o_e2e::a_quote`); the other kits are reached by their module path.

mod app;
mod cart_kit;
mod quote_kit;
mod response;
mod seed;

pub mod access_kit;
pub mod catalog_kit;
pub mod concurrency_kit;
pub mod dispatch_kit;
pub mod feedback_kit;
pub mod order_kit;
pub mod refund_kit;
pub mod stock_kit;
pub mod webhooks_kit;

pub use app::{
    AppConfig, TEST_ADMIN_KEY, TEST_COURIER_SECRET, TEST_JWT_SECRET, TEST_PAYMENT_SECRET,
    TEST_REFUND_SECRET, TEST_SECRETS_KEY, TestApp, repo_root, spawn_app,
};
pub use cart_kit::lines_of;
pub use quote_kit::{QuoteRequestBuilder, a_quote, amount};
pub use response::TestResponse;
pub use seed::{
    CatalogBuilder, CouponBuilder, PromotionBuilder, TEST_STORE_LOCATION, a_buy_x_get_y, a_catalog,
    a_coupon, a_flash_sale, a_free_delivery, a_percentage_off, a_spend_threshold, a_stock_markdown,
};
