//! The domain of the O2O shop: values parsed once at the edge (`Sku`, `Quantity`, `Money`, ids),
//! the aggregates and their rules (`cart`), and the small storage traits (`store`) through which
//! the rules reach key-value and SQL. No spin-sdk here: everything is plain Rust, unit-tested
//! natively, and time is always passed in by the caller.

pub mod auth;
pub mod cart;
pub mod cart_repository;
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
pub mod pricing_rules_store;
pub mod refund;
pub mod sealed;
pub mod signature;
pub mod stock;
pub mod storage;
pub mod values;
pub mod webhooks;
pub mod workflow;

pub use cart::{Cart, CartError, CartLine, MergeOutcome};
pub use ids::{CartId, CustomerId, OrderId, QuoteId, StoreId};
pub use money::{Currency, Money, MoneyError};
pub use values::{Quantity, Sku, ValueError};
