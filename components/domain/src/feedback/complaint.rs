//! Complaints: when feedback opens one, and how it moves. A submission opens at most one
//! complaint, when the customer asks for it explicitly or gives any rating of 2 stars or fewer
//! (issue 6); it lists every reason. Its category is the customer's when they chose one; for a
//! low rating it is the category closest to what was rated: a line → `product-quality`, the
//! store's service → `staff`, the delivery → `late` (staff re-file it when they read it).
//! A complaint is `open` until staff resolve it with a note: open → resolved, nothing else
//! (WIT `complaint-status` also has `acknowledged`, which the queue does not use yet).

use std::fmt;

use super::submission::{ReviewedOrder, Submission};
use super::values::ComplaintCategory;

/// Where a complaint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintStatus {
    Open,
    Resolved,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 2] = [ComplaintStatus::Open, ComplaintStatus::Resolved];

    /// The transition table: open → resolved only.
    pub fn can_move_to(self, next: ComplaintStatus) -> bool {
        matches!(
            (self, next),
            (ComplaintStatus::Open, ComplaintStatus::Resolved)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::Open => "open",
            ComplaintStatus::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

impl fmt::Display for ComplaintStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A complaint a submission opens.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComplaint {
    pub category: ComplaintCategory,
    pub description: String,
    /// Why it was opened: `"asked for"`, `"line 0 (TEA-1) rated 1"`, ...
    pub reasons: Vec<String>,
}

/// The complaint `submission` opens on `order`, if any.
pub fn complaint_for(submission: &Submission, order: &ReviewedOrder) -> Option<NewComplaint> {
    let mut reasons = Vec::new();
    let mut low_category = None;
    let mut details = Vec::new();
    for review in submission.lines.iter().filter(|r| r.rating.is_low()) {
        let sku = order.sku_of(review.line).unwrap_or("?");
        let reason = format!(
            "line {} ({sku}) rated {}",
            review.line,
            review.rating.stars()
        );
        if let Some(text) = review.text.as_ref().filter(|t| !t.as_str().is_empty()) {
            details.push(format!("{reason}: {}", text.as_str()));
        } else {
            details.push(reason.clone());
        }
        reasons.push(reason);
        low_category.get_or_insert(ComplaintCategory::ProductQuality);
    }
    for (kind, rating, category) in [
        (
            "store service",
            submission.store_rating,
            ComplaintCategory::Staff,
        ),
        (
            "delivery",
            submission.delivery_rating,
            ComplaintCategory::Late,
        ),
    ] {
        if let Some(rating) = rating.filter(|r| r.is_low()) {
            let reason = format!("{kind} rated {}", rating.stars());
            details.push(reason.clone());
            reasons.push(reason);
            low_category.get_or_insert(category);
        }
    }
    match &submission.complaint {
        Some(explicit) => {
            reasons.insert(0, "asked for".to_owned());
            Some(NewComplaint {
                category: explicit.category,
                description: explicit.description.as_str().to_owned(),
                reasons,
            })
        }
        None => low_category.map(|category| NewComplaint {
            category,
            description: details.join("; "),
            reasons,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::submission::{ExplicitComplaint, LineReview};
    use crate::feedback::values::{FeedbackText, Rating};
    use crate::ids::{CustomerId, OrderId};
    use crate::order::OrderStatus;

    fn order() -> ReviewedOrder {
        ReviewedOrder {
            customer: CustomerId::parse("cust-1").unwrap(),
            status: OrderStatus::Delivered,
            lines: vec![(0, "TEA-1".into()), (1, "MILK-1".into())],
            delivery: true,
        }
    }

    fn submission(
        lines: &[(u32, i64, Option<&str>)],
        store: Option<i64>,
        delivery: Option<i64>,
        explicit: Option<(ComplaintCategory, &str)>,
    ) -> Submission {
        Submission::new(
            OrderId::parse("01900000-0000-7000-8000-000000000001").unwrap(),
            CustomerId::parse("cust-1").unwrap(),
            lines
                .iter()
                .map(|(line, stars, text)| LineReview {
                    line: *line,
                    rating: Rating::new(*stars).unwrap(),
                    text: text.map(|t| FeedbackText::new(t).unwrap()),
                })
                .collect(),
            store.map(|s| Rating::new(s).unwrap()),
            delivery.map(|s| Rating::new(s).unwrap()),
            explicit.map(|(category, text)| ExplicitComplaint {
                category,
                description: FeedbackText::non_empty(text).unwrap(),
            }),
        )
        .unwrap()
    }

    #[test]
    fn ratings_of_three_stars_or_more_open_no_complaint() {
        let sub = submission(&[(0, 3, None), (1, 5, None)], Some(3), Some(4), None);
        assert_eq!(complaint_for(&sub, &order()), None);
    }

    #[test]
    fn a_line_rated_two_stars_or_fewer_opens_a_product_quality_complaint() {
        let sub = submission(&[(0, 5, None), (1, 1, Some("sour"))], None, None, None);
        let complaint = complaint_for(&sub, &order()).expect("a complaint");
        assert_eq!(complaint.category, ComplaintCategory::ProductQuality);
        assert_eq!(complaint.reasons, vec!["line 1 (MILK-1) rated 1"]);
        assert_eq!(complaint.description, "line 1 (MILK-1) rated 1: sour");
        let two = submission(&[(0, 2, None)], None, None, None);
        assert!(complaint_for(&two, &order()).is_some());
    }

    #[test]
    fn low_store_and_delivery_ratings_open_one_complaint_listing_every_reason() {
        let sub = submission(&[], Some(2), Some(1), None);
        let complaint = complaint_for(&sub, &order()).expect("a complaint");
        assert_eq!(complaint.category, ComplaintCategory::Staff);
        assert_eq!(
            complaint.reasons,
            vec!["store service rated 2", "delivery rated 1"]
        );
        let late = submission(&[], Some(4), Some(1), None);
        assert_eq!(
            complaint_for(&late, &order()).unwrap().category,
            ComplaintCategory::Late
        );
    }

    #[test]
    fn an_explicit_complaint_is_opened_whatever_the_ratings_with_its_own_category() {
        let sub = submission(
            &[(0, 1, None)],
            Some(5),
            None,
            Some((ComplaintCategory::Damaged, "the box was crushed")),
        );
        let complaint = complaint_for(&sub, &order()).expect("a complaint");
        assert_eq!(complaint.category, ComplaintCategory::Damaged);
        assert_eq!(complaint.description, "the box was crushed");
        assert_eq!(
            complaint.reasons,
            vec!["asked for", "line 0 (TEA-1) rated 1"]
        );
    }

    #[test]
    fn a_complaint_moves_from_open_to_resolved_and_nowhere_else() {
        use ComplaintStatus::*;
        for from in ComplaintStatus::ALL {
            for to in ComplaintStatus::ALL {
                assert_eq!(from.can_move_to(to), (from, to) == (Open, Resolved));
            }
        }
        for status in ComplaintStatus::ALL {
            assert_eq!(ComplaintStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ComplaintStatus::parse("acknowledged"), None);
    }
}
