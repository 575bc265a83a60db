//! Orders: what an order is once placed and how it moves. `status` holds the one transition
//! table (`OrderStatus::can_move_to`) every route that changes an order goes through, and the
//! payment methods that decide where an order starts. The place-order workflow and its tables
//! (still to come) build on these.

pub mod status;

pub use status::{OrderStatus, PaymentMethod, TransitionRefused};
