//! The domain of the O2O shop: every rule of the business, in plain Rust (no spin-sdk),
//! unit-tested natively, with time always passed in by the caller. The functions under
//! `components/` parse a request, call in here, and answer.
//!
//! A tour in the order a request meets the modules:
//!
//! 1. **Values, parsed once at the edge**: `values` (`Sku`, `Quantity`), `ids` (uuid v7 ids
//!    and the shop's `StoreId`, `CustomerId`), `money` (`Money` in a `Currency`), `geo`
//!    (points, distances, and the delivery reach rule).
//! 2. **Who is calling**: `auth` (the customer's token, staff keys and their scopes, what a
//!    `Principal` may see and do, the rate limit), `signature` and `inbound_webhook` (signed
//!    callbacks from the payment provider and couriers), `sealed` (secrets sealed at rest).
//! 3. **The shopper's basket**: `cart` (the cart and its rules) kept by `cart::repository` in
//!    key-value; `pricing` (the pricing engine: store and member prices, promotions, coupons,
//!    delivery fees, the discount ceiling), whose rules and live facts are read in one
//!    statement by `pricing::repository::basket_facts`.
//! 4. **Stock**: `stock` (levels, reservations, movements, availability near a point).
//! 5. **The order**: `order` (place-order, the one workflow, in `order::place`: named steps in
//!    one transaction, each handing the next what it made; the fulfilment mode; the status
//!    machine; taking and giving back coupon uses and flash-sale units), with `idempotency`
//!    (keys bound to their caller and answer).
//! 6. **After the order**: `dispatch` (shipments, pickup codes, couriers and routes),
//!    `refund` (the refund machine and its policy), `feedback` (reviews and complaints).
//! 7. **The operators' side**: `catalog` (products, stores, prices, members, promotions,
//!    coupons, each write audited).
//! 8. **What leaves the shop**: `events` (the one list of event types) and `webhooks`
//!    (subscriptions, signed delivery with retries and a dead letter).
//! 9. **Storage**: `storage`, the persistence kernel every repository stands on (the
//!    `KeyValue` and `Sql` traits, the one unit of work, the row reader, and the journal of
//!    outbox events and audit entries).

pub mod auth;
pub mod cart;
pub mod catalog;
pub mod dispatch;
pub mod events;
pub mod feedback;
pub mod geo;
pub mod idempotency;
pub mod ids;
pub mod inbound_webhook;
pub mod money;
pub mod order;
pub mod pricing;
pub mod refund;
pub mod sealed;
pub mod signature;
pub mod stock;
pub mod storage;
pub mod values;
pub mod webhooks;

pub use cart::{Cart, CartError, CartLine, MergeOutcome};
pub use ids::{CartId, CustomerId, OrderId, QuoteId, StoreId};
pub use money::{Currency, Money, MoneyError};
pub use values::{Quantity, Sku, ValueError};
