//! The feedback function's JSON: request bodies (strict: unknown fields refused), their
//! parsing into the domain's values with the failing field named, the responses, and the one
//! mapping of `FeedbackError` to a problem.
//!
//! Two views of a review: the author's (`review_json`: with order and customer ids, as
//! `POST /feedback` answers) and the public one on product and store pages
//! (`public_review_json`: no order or customer id). Texts go out exactly as stored; JSON
//! encoding is their escaping here (serde_json escapes quotes, backslashes and control
//! characters; a `<script>` in a string is inert data to a JSON client).

use o2o_domain::feedback::repository::{Complaint, StoredReview, Submitted};
use o2o_domain::feedback::submission::ExplicitComplaint;
use o2o_domain::feedback::{
    ComplaintCategory, FeedbackError, FeedbackText, LineReview, Rating, RatingSummary, Submission,
};
use o2o_domain::{CustomerId, OrderId};
use o2o_edge::{ApiError, FieldContext};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    order_id: String,
    #[serde(default)]
    lines: Vec<LineBody>,
    #[serde(default)]
    store_rating: Option<i64>,
    #[serde(default)]
    delivery_rating: Option<i64>,
    #[serde(default)]
    complaint: Option<ComplaintBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineBody {
    line: i64,
    rating: i64,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComplaintBody {
    category: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    note: String,
}

impl ResolveBody {
    pub fn note(&self) -> Result<FeedbackText, ApiError> {
        FeedbackText::non_empty(&self.note).field("note")
    }
}

impl FeedbackBody {
    /// Every value parsed, each failure naming its field; then the rules that need no state.
    /// `customer` is the signed-in customer, who must own the order.
    pub fn parse(self, customer: CustomerId) -> Result<Submission, ApiError> {
        let order = OrderId::parse(&self.order_id)
            .ok_or_else(|| ApiError::invalid_field("order_id", "not an order id"))?;
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                Ok(LineReview {
                    line: u32::try_from(line.line).map_err(|_| {
                        ApiError::invalid_field(
                            format!("lines[{i}].line"),
                            "a line number is 0 or more",
                        )
                    })?,
                    rating: Rating::new(line.rating).field(&format!("lines[{i}].rating"))?,
                    text: line
                        .text
                        .as_deref()
                        .map(FeedbackText::new)
                        .transpose()
                        .field(&format!("lines[{i}].text"))?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let store_rating = self
            .store_rating
            .map(Rating::new)
            .transpose()
            .field("store_rating")?;
        let delivery_rating = self
            .delivery_rating
            .map(Rating::new)
            .transpose()
            .field("delivery_rating")?;
        let complaint = self
            .complaint
            .map(|c| {
                Ok::<_, ApiError>(ExplicitComplaint {
                    category: ComplaintCategory::parse(&c.category).field("complaint.category")?,
                    description: FeedbackText::non_empty(&c.description)
                        .field("complaint.description")?,
                })
            })
            .transpose()?;
        Submission::new(
            order,
            customer,
            lines,
            store_rating,
            delivery_rating,
            complaint,
        )
        .map_err(feedback_error)
    }
}

/// The one mapping of the domain's refusals to problems.
pub fn feedback_error(err: FeedbackError) -> ApiError {
    let detail = err.to_string();
    match err {
        FeedbackError::Invalid { field, detail } => ApiError::invalid_field(field, detail),
        FeedbackError::NotTheirOrder(_) | FeedbackError::NotReceivedYet(_) => {
            ApiError::unprocessable("order_id", detail)
        }
        FeedbackError::UnknownLine { index, .. } => {
            ApiError::unprocessable(format!("lines[{index}].line"), detail)
        }
        FeedbackError::NoDeliveryToRate => ApiError::unprocessable("delivery_rating", detail),
        FeedbackError::LineAlreadyReviewed { index, .. } => ApiError::Conflict {
            field: Some(format!("lines[{index}].line")),
            detail,
        },
        FeedbackError::AlreadyRated { field } => ApiError::Conflict {
            field: Some(field.to_owned()),
            detail,
        },
        FeedbackError::ComplaintNotFound => ApiError::not_found(detail),
        FeedbackError::ComplaintTransition { .. } => ApiError::Conflict {
            field: None,
            detail,
        },
        FeedbackError::Store(store) => ApiError::Storage(store),
    }
}

/// A review as its author sees it.
pub fn review_json(review: &StoredReview) -> Value {
    json!({
        "id": review.id,
        "order_id": review.order_id,
        "line": review.line,
        "sku": review.sku,
        "store_id": review.store_id,
        "customer_id": review.customer_id,
        "rating": review.rating,
        "text": review.text,
        "created_at": review.created_at,
    })
}

/// A review as anyone sees it on a product or store page.
pub fn public_review_json(review: &StoredReview) -> Value {
    json!({
        "id": review.id,
        "sku": review.sku,
        "store_id": review.store_id,
        "rating": review.rating,
        "text": review.text,
        "created_at": review.created_at,
    })
}

pub fn complaint_json(complaint: &Complaint) -> Value {
    json!({
        "id": complaint.id,
        "order_id": complaint.order_id,
        "customer_id": complaint.customer_id,
        "store_id": complaint.store_id,
        "category": complaint.category.as_str(),
        "description": complaint.description,
        "reasons": complaint.reasons,
        "status": complaint.status.as_str(),
        "opened_at": complaint.opened_at,
        "resolved_at": complaint.resolved_at,
        "resolved_by": complaint.resolved_by,
        "resolution_note": complaint.resolution_note,
    })
}

pub fn submitted_json(submitted: &Submitted) -> Value {
    let rating = |field: &str| {
        submitted
            .ratings
            .iter()
            .find(|(kind, _)| kind.field() == field)
            .map(|(_, stars)| *stars)
    };
    json!({
        "order_id": submitted.order_id,
        "store_id": submitted.store_id,
        "reviews": submitted.reviews.iter().map(review_json).collect::<Vec<_>>(),
        "store_rating": rating("store_rating"),
        "delivery_rating": rating("delivery_rating"),
        "complaint": submitted.complaint.as_ref().map(complaint_json),
    })
}

/// `{"count", "average": "4.33" | null, "distribution": {"1": n, ..., "5": n}}`.
pub fn summary_json(summary: &RatingSummary) -> Value {
    let distribution: serde_json::Map<String, Value> = summary
        .distribution
        .iter()
        .enumerate()
        .map(|(i, n)| ((i + 1).to_string(), json!(n)))
        .collect();
    json!({
        "count": summary.count(),
        "average": summary.average_string(),
        "distribution": distribution,
    })
}
