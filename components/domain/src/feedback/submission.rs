//! What a customer may review, checked before anything is written: their own order, delivered
//! or collected (the final good states of `OrderStatus`), each of its lines at most once, the
//! store service rating and the delivery rating at most once per order, and a delivery rating
//! only for an order that was delivered. `Submission::new` holds the rules that need no state
//! (400s); `Submission::check_against` the ones that need the order and what was already
//! given (422s and 409s).

use std::fmt;

use crate::ids::{CustomerId, OrderId};
use crate::order::{FulfilmentMode, Order, OrderStatus};

use super::FeedbackError;
use super::values::{ComplaintCategory, FeedbackText, Rating};

/// The review of one order line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineReview {
    pub line: u32,
    pub rating: Rating,
    pub text: Option<FeedbackText>,
}

/// A complaint the customer asked for in so many words.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplicitComplaint {
    pub category: ComplaintCategory,
    pub description: FeedbackText,
}

/// The two ratings an order gets once each, beside its lines' reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatingKind {
    StoreService,
    Delivery,
}

impl RatingKind {
    pub const ALL: [RatingKind; 2] = [RatingKind::StoreService, RatingKind::Delivery];

    /// The stored name (`feedback_ratings.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            RatingKind::StoreService => "store-service",
            RatingKind::Delivery => "delivery",
        }
    }

    /// The request field that carries it.
    pub fn field(self) -> &'static str {
        match self {
            RatingKind::StoreService => "store_rating",
            RatingKind::Delivery => "delivery_rating",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

impl fmt::Display for RatingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Feedback on one order, as the customer sent it, its values parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub order: OrderId,
    pub customer: CustomerId,
    pub lines: Vec<LineReview>,
    pub store_rating: Option<Rating>,
    pub delivery_rating: Option<Rating>,
    pub complaint: Option<ExplicitComplaint>,
}

/// What `check_against` needs of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedOrder {
    pub customer: CustomerId,
    pub status: OrderStatus,
    /// The order's line numbers with their skus.
    pub lines: Vec<(u32, String)>,
    pub delivery: bool,
}

impl ReviewedOrder {
    pub fn of(order: &Order) -> Self {
        ReviewedOrder {
            customer: order.customer.clone(),
            status: order.status,
            lines: order
                .lines
                .iter()
                .map(|l| (l.line, l.sku.as_str().to_owned()))
                .collect(),
            delivery: matches!(order.fulfilment, FulfilmentMode::Delivery(_)),
        }
    }

    pub fn sku_of(&self, line: u32) -> Option<&str> {
        self.lines
            .iter()
            .find(|(l, _)| *l == line)
            .map(|(_, sku)| sku.as_str())
    }
}

impl Submission {
    /// An order has at most 100 lines (a cart's limit), so a review has at most as many.
    pub const MAX_LINES: usize = 100;

    /// The rules that need no state: something to say, each line once, not too many lines.
    pub fn new(
        order: OrderId,
        customer: CustomerId,
        lines: Vec<LineReview>,
        store_rating: Option<Rating>,
        delivery_rating: Option<Rating>,
        complaint: Option<ExplicitComplaint>,
    ) -> Result<Self, FeedbackError> {
        if lines.len() > Self::MAX_LINES {
            return Err(FeedbackError::invalid(
                "lines",
                format!("at most {} lines", Self::MAX_LINES),
            ));
        }
        for (i, review) in lines.iter().enumerate() {
            if lines[..i].iter().any(|earlier| earlier.line == review.line) {
                return Err(FeedbackError::invalid(
                    format!("lines[{i}].line"),
                    format!("line {} is reviewed twice in this request", review.line),
                ));
            }
        }
        if lines.is_empty()
            && store_rating.is_none()
            && delivery_rating.is_none()
            && complaint.is_none()
        {
            return Err(FeedbackError::invalid(
                "lines",
                "review at least one line, or give a store_rating, a delivery_rating or a \
                 complaint",
            ));
        }
        Ok(Submission {
            order,
            customer,
            lines,
            store_rating,
            delivery_rating,
            complaint,
        })
    }

    /// The ratings of the order itself that this submission gives.
    pub fn order_ratings(&self) -> Vec<(RatingKind, Rating)> {
        [
            (RatingKind::StoreService, self.store_rating),
            (RatingKind::Delivery, self.delivery_rating),
        ]
        .into_iter()
        .filter_map(|(kind, rating)| rating.map(|r| (kind, r)))
        .collect()
    }

    /// The rules that need the order and what was given before (`reviewed_lines`: the lines
    /// already reviewed; `rated`: the order ratings already given). Checked in the order a
    /// customer would want to hear them: whose order, whether it arrived, which lines.
    pub fn check_against(
        &self,
        order: &ReviewedOrder,
        reviewed_lines: &[u32],
        rated: &[RatingKind],
    ) -> Result<(), FeedbackError> {
        if order.customer != self.customer {
            return Err(FeedbackError::NotTheirOrder(self.order));
        }
        if !matches!(
            order.status,
            OrderStatus::Delivered | OrderStatus::Collected
        ) {
            return Err(FeedbackError::NotReceivedYet(order.status));
        }
        for (index, review) in self.lines.iter().enumerate() {
            if order.sku_of(review.line).is_none() {
                return Err(FeedbackError::UnknownLine {
                    index,
                    line: review.line,
                });
            }
        }
        if self.delivery_rating.is_some() && !order.delivery {
            return Err(FeedbackError::NoDeliveryToRate);
        }
        for (index, review) in self.lines.iter().enumerate() {
            if reviewed_lines.contains(&review.line) {
                return Err(FeedbackError::LineAlreadyReviewed {
                    index,
                    line: review.line,
                });
            }
        }
        for (kind, _) in self.order_ratings() {
            if rated.contains(&kind) {
                return Err(FeedbackError::AlreadyRated {
                    field: kind.field(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stars(n: i64) -> Rating {
        Rating::new(n).unwrap()
    }

    fn review(line: u32, n: i64) -> LineReview {
        LineReview {
            line,
            rating: stars(n),
            text: None,
        }
    }

    fn order_id() -> OrderId {
        OrderId::parse("01900000-0000-7000-8000-000000000001").unwrap()
    }

    fn cust(id: &str) -> CustomerId {
        CustomerId::parse(id).unwrap()
    }

    fn submission(lines: Vec<LineReview>) -> Submission {
        Submission::new(order_id(), cust("cust-1"), lines, None, None, None).unwrap()
    }

    fn delivered_order() -> ReviewedOrder {
        ReviewedOrder {
            customer: cust("cust-1"),
            status: OrderStatus::Delivered,
            lines: vec![(0, "TEA-1".into()), (1, "MILK-1".into())],
            delivery: true,
        }
    }

    #[test]
    fn the_owner_may_review_a_delivered_or_collected_order() {
        let sub = submission(vec![review(0, 5), review(1, 3)]);
        assert_eq!(sub.check_against(&delivered_order(), &[], &[]), Ok(()));
        let collected = ReviewedOrder {
            status: OrderStatus::Collected,
            delivery: false,
            ..delivered_order()
        };
        assert_eq!(sub.check_against(&collected, &[], &[]), Ok(()));
    }

    #[test]
    fn another_customers_order_is_refused_as_if_it_did_not_exist() {
        let sub = Submission::new(
            order_id(),
            cust("cust-2"),
            vec![review(0, 5)],
            None,
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            sub.check_against(&delivered_order(), &[], &[]),
            Err(FeedbackError::NotTheirOrder(order_id()))
        );
    }

    #[test]
    fn an_order_not_yet_delivered_or_collected_cannot_be_reviewed() {
        let sub = submission(vec![review(0, 5)]);
        for status in OrderStatus::ALL {
            let order = ReviewedOrder {
                status,
                ..delivered_order()
            };
            let outcome = sub.check_against(&order, &[], &[]);
            if matches!(status, OrderStatus::Delivered | OrderStatus::Collected) {
                assert_eq!(outcome, Ok(()), "{status}");
            } else {
                assert_eq!(outcome, Err(FeedbackError::NotReceivedYet(status)));
            }
        }
    }

    #[test]
    fn a_line_the_order_does_not_have_is_named_by_its_index() {
        let sub = submission(vec![review(0, 5), review(7, 4)]);
        assert_eq!(
            sub.check_against(&delivered_order(), &[], &[]),
            Err(FeedbackError::UnknownLine { index: 1, line: 7 })
        );
    }

    #[test]
    fn each_line_is_reviewed_once_and_each_order_rating_given_once() {
        let sub = submission(vec![review(0, 5), review(1, 4)]);
        assert_eq!(
            sub.check_against(&delivered_order(), &[1], &[]),
            Err(FeedbackError::LineAlreadyReviewed { index: 1, line: 1 })
        );
        let rated = Submission::new(
            order_id(),
            cust("cust-1"),
            vec![],
            Some(stars(4)),
            Some(stars(5)),
            None,
        )
        .unwrap();
        assert_eq!(
            rated.check_against(&delivered_order(), &[0, 1], &[RatingKind::Delivery]),
            Err(FeedbackError::AlreadyRated {
                field: "delivery_rating"
            })
        );
        assert_eq!(
            rated.check_against(&delivered_order(), &[0, 1], &[]),
            Ok(())
        );
    }

    #[test]
    fn a_delivery_rating_needs_a_delivery() {
        let sub = Submission::new(
            order_id(),
            cust("cust-1"),
            vec![],
            None,
            Some(stars(5)),
            None,
        )
        .unwrap();
        let picked_up = ReviewedOrder {
            status: OrderStatus::Collected,
            delivery: false,
            ..delivered_order()
        };
        assert_eq!(
            sub.check_against(&picked_up, &[], &[]),
            Err(FeedbackError::NoDeliveryToRate)
        );
    }

    #[test]
    fn a_submission_says_something_and_names_each_line_once() {
        let empty = Submission::new(order_id(), cust("cust-1"), vec![], None, None, None);
        assert!(matches!(empty, Err(FeedbackError::Invalid { field, .. }) if field == "lines"));
        let twice = Submission::new(
            order_id(),
            cust("cust-1"),
            vec![review(0, 5), review(1, 4), review(0, 1)],
            None,
            None,
            None,
        );
        assert!(
            matches!(twice, Err(FeedbackError::Invalid { field, .. }) if field == "lines[2].line")
        );
    }
}
