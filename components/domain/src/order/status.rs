//! The order status machine, from issue 5 ("Place order"): online orders start
//! `pending_payment` and move `paid` → `fulfilling` → `ready_for_pickup` → `collected`, or
//! `fulfilling` → `out_for_delivery` → `delivered` (or back to `paid` when the delivery failed
//! and the goods are held for it again); pay-at-pickup orders start `confirmed` and
//! go to `fulfilling` without a payment step. An order can be cancelled from `pending_payment`,
//! `confirmed` or `paid` (a paid cancel owes a refund); an unpaid order expires. Every other
//! move is refused, and the edge answers 409. `OrderStatus::can_move_to` is the only place the
//! table lives.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the customer pays: online before fulfilment, or at the store when collecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMethod {
    Online,
    PayAtPickup,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Online, PaymentMethod::PayAtPickup];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Online => "online",
            PaymentMethod::PayAtPickup => "pay-at-pickup",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// Where an order is in its life. Stored and sent as the snake_case names of the issue
/// (`pending_payment`), which are also the values of `orders.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Confirmed,
    Paid,
    Fulfilling,
    ReadyForPickup,
    Collected,
    OutForDelivery,
    Delivered,
    Cancelled,
    Expired,
}

/// A move the transition table does not allow; the edge maps it to 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {from} cannot become {to}")]
pub struct TransitionRefused {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 10] = [
        OrderStatus::PendingPayment,
        OrderStatus::Confirmed,
        OrderStatus::Paid,
        OrderStatus::Fulfilling,
        OrderStatus::ReadyForPickup,
        OrderStatus::Collected,
        OrderStatus::OutForDelivery,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
    ];

    /// Where a newly placed order starts: online orders wait for their payment, pay-at-pickup
    /// orders are confirmed at once.
    pub fn initial(payment: PaymentMethod) -> Self {
        match payment {
            PaymentMethod::Online => OrderStatus::PendingPayment,
            PaymentMethod::PayAtPickup => OrderStatus::Confirmed,
        }
    }

    /// The transition table. Whether a pickup order goes to `ready_for_pickup` and a delivery
    /// order to `out_for_delivery` is the dispatch function's rule, not the status machine's.
    pub fn can_move_to(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | Cancelled | Expired)
                | (Confirmed, Fulfilling | Cancelled)
                | (Paid, Fulfilling | Cancelled)
                | (Fulfilling, ReadyForPickup | OutForDelivery)
                | (ReadyForPickup, Collected)
                | (OutForDelivery, Delivered | Paid)
        )
    }

    /// `next` if the table allows it, else the refusal the edge turns into a 409.
    pub fn move_to(self, next: OrderStatus) -> Result<OrderStatus, TransitionRefused> {
        if self.can_move_to(next) {
            Ok(next)
        } else {
            Err(TransitionRefused {
                from: self,
                to: next,
            })
        }
    }

    /// An order that cannot move any more.
    pub fn is_final(self) -> bool {
        Self::ALL.into_iter().all(|next| !self.can_move_to(next))
    }

    /// Whether the order still holds its reserved units (they go back when it is cancelled or
    /// expires, and leave the store when it is fulfilled).
    pub fn holds_reservation(self) -> bool {
        matches!(
            self,
            OrderStatus::PendingPayment | OrderStatus::Confirmed | OrderStatus::Paid
        )
    }

    /// Cancelling from here owes the customer a refund of what they paid.
    pub fn cancel_owes_refund(self) -> bool {
        self == OrderStatus::Paid
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilling => "fulfilling",
            OrderStatus::ReadyForPickup => "ready_for_pickup",
            OrderStatus::Collected => "collected",
            OrderStatus::OutForDelivery => "out_for_delivery",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;
    use super::*;

    /// The moves issue 5 lists, written out independently of `can_move_to`.
    const ALLOWED: &[(OrderStatus, OrderStatus)] = &[
        (PendingPayment, Paid),
        (PendingPayment, Cancelled),
        (PendingPayment, Expired),
        (Confirmed, Fulfilling),
        (Confirmed, Cancelled),
        (Paid, Fulfilling),
        (Paid, Cancelled),
        (Fulfilling, ReadyForPickup),
        (Fulfilling, OutForDelivery),
        (ReadyForPickup, Collected),
        (OutForDelivery, Delivered),
        // Dispatch (issue 6): a failed delivery brings the goods back, held for the order.
        (OutForDelivery, Paid),
    ];

    #[test]
    fn every_pair_of_statuses_moves_exactly_as_the_issue_lists() {
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    ALLOWED.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn refused_move_names_both_statuses() {
        assert_eq!(
            Delivered.move_to(Cancelled),
            Err(TransitionRefused {
                from: Delivered,
                to: Cancelled
            })
        );
        assert_eq!(Paid.move_to(Fulfilling), Ok(Fulfilling));
    }

    #[test]
    fn no_status_moves_to_itself() {
        for status in OrderStatus::ALL {
            assert!(!status.can_move_to(status), "{status}");
        }
    }

    #[test]
    fn online_orders_wait_for_payment_and_pay_at_pickup_orders_start_confirmed() {
        assert_eq!(OrderStatus::initial(PaymentMethod::Online), PendingPayment);
        assert_eq!(OrderStatus::initial(PaymentMethod::PayAtPickup), Confirmed);
    }

    #[test]
    fn cancel_is_allowed_only_from_pending_payment_confirmed_or_paid() {
        let cancellable: Vec<_> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.can_move_to(Cancelled))
            .collect();
        assert_eq!(cancellable, vec![PendingPayment, Confirmed, Paid]);
        assert!(Paid.cancel_owes_refund());
        assert!(!PendingPayment.cancel_owes_refund() && !Confirmed.cancel_owes_refund());
    }

    #[test]
    fn only_unpaid_online_orders_expire() {
        let expiring: Vec<_> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.can_move_to(Expired))
            .collect();
        assert_eq!(expiring, vec![PendingPayment]);
    }

    #[test]
    fn collected_delivered_cancelled_and_expired_are_final() {
        let finals: Vec<_> = OrderStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, vec![Collected, Delivered, Cancelled, Expired]);
    }

    #[test]
    fn statuses_and_payment_methods_round_trip_through_their_stored_names() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        for method in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(method.as_str()), Some(method));
            assert_eq!(
                serde_json::to_value(method).unwrap(),
                serde_json::json!(method.as_str())
            );
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }
}
