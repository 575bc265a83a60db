//! Orders: what an order is once placed and how it moves. `status` holds the one transition
//! table (`OrderStatus::can_move_to`) every change goes through; `frozen` the quote an order is
//! priced with, checked to add up to the cent; `place` the place-order workflow, its writes in
//! one transaction; `limits` the coupon uses and flash-sale units an order takes and
//! gives back; `lifecycle` payment, cancellation and expiry; `repository` the SQL of
//! `migrations/0005_orders.sql`.

pub mod frozen;
pub mod fulfilment;
pub mod lifecycle;
pub mod limits;
pub mod place;
pub mod repository;
pub mod status;

pub use frozen::{FrozenLine, FrozenQuote};
pub use fulfilment::{Address, DeliverTo, FulfilmentMode, PickupAt};
pub use lifecycle::{OrderError, PaymentConfirmation};
pub use place::{
    Attempt, LineAvailability, LineSource, OrderPolicy, PlaceOrder, PlaceOrderError,
    PlaceOrderFailed, PlaceOutcome, Placed, PriceAsk, Priced, Pricer, place_order,
};
pub use repository::{Order, OrderLine, StatusChange};
pub use status::{OrderStatus, PaymentMethod, TransitionRefused};
