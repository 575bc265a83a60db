//! Where feedback is kept (`migrations/0009_feedback.sql`): line reviews
//! (`feedback_reviews`, one per order line), the order's store service and delivery ratings
//! (`feedback_ratings`, one of each per order) and the complaint queue
//! (`feedback_complaints`). A submission is one `BEGIN IMMEDIATE` transaction that re-reads
//! the order and what was already given under the write lock, checks
//! (`Submission::check_against`), writes, and appends `feedback.complaint` to the outbox when
//! it opens a complaint: all of it or nothing. Resolving a complaint is a guarded
//! `UPDATE ... WHERE status = 'open'` with its audit entry, in one transaction.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::events::EventType;
use crate::ids::StoreId;
use crate::order::repository as orders;
use crate::storage::journal::{append_audit_entry, append_outbox_event};
use crate::storage::row::{changed, col_int, col_opt_text, col_text, corrupt, text};
use crate::storage::{Sql, SqlValue, StoreError};
use crate::storage::{in_immediate_transaction, timestamp};
use crate::values::Sku;

use super::FeedbackError;
use super::complaint::{ComplaintStatus, complaint_for};
use super::submission::{RatingKind, ReviewedOrder, Submission};
use super::summary::RatingSummary;
use super::values::{ComplaintCategory, FeedbackText};

const REVIEWED_LINES: &str = "SELECT line FROM feedback_reviews WHERE order_id = ?";
const GIVEN_RATINGS: &str = "SELECT kind FROM feedback_ratings WHERE order_id = ?";
const INSERT_REVIEW: &str = "INSERT INTO feedback_reviews (id, order_id, line, sku, store_id, \
     customer_id, rating, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_RATING: &str = "INSERT INTO feedback_ratings (order_id, kind, store_id, \
     customer_id, rating, created_at) VALUES (?, ?, ?, ?, ?, ?)";
const INSERT_COMPLAINT: &str = "INSERT INTO feedback_complaints (id, order_id, customer_id, \
     store_id, category, description, reasons, status, opened_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)";
const REVIEW_COLUMNS: &str = "SELECT id, order_id, line, sku, store_id, customer_id, rating, \
     text, created_at FROM feedback_reviews";
const SKU_DISTRIBUTION: &str =
    "SELECT rating, COUNT(*) FROM feedback_reviews WHERE sku = ? GROUP BY rating";
const STORE_LINE_DISTRIBUTION: &str =
    "SELECT rating, COUNT(*) FROM feedback_reviews WHERE store_id = ? GROUP BY rating";
const STORE_RATING_DISTRIBUTION: &str = "SELECT rating, COUNT(*) FROM feedback_ratings \
     WHERE store_id = ? AND kind = ? GROUP BY rating";
const COMPLAINT_COLUMNS: &str = "SELECT id, order_id, customer_id, store_id, category, \
     description, reasons, status, opened_at, resolved_at, resolved_by, resolution_note \
     FROM feedback_complaints";
const RESOLVE: &str = "UPDATE feedback_complaints SET status = 'resolved', resolved_at = ?, \
     resolved_by = ?, resolution_note = ? WHERE id = ? AND status = 'open'";

/// A line review as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReview {
    pub id: String,
    pub order_id: String,
    pub line: u32,
    pub sku: String,
    pub store_id: String,
    pub customer_id: String,
    pub rating: u8,
    /// Exactly as the customer wrote it.
    pub text: Option<String>,
    pub created_at: String,
}

/// A complaint as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub id: String,
    pub order_id: String,
    pub customer_id: String,
    pub store_id: String,
    pub category: ComplaintCategory,
    pub description: String,
    pub reasons: Vec<String>,
    pub status: ComplaintStatus,
    pub opened_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolution_note: Option<String>,
}

/// What a submission wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub order_id: String,
    pub store_id: String,
    pub reviews: Vec<StoredReview>,
    pub ratings: Vec<(RatingKind, u8)>,
    pub complaint: Option<Complaint>,
}

/// A new v7 id made at `now`: reviews and complaints sort by when they were written.
fn new_id(now: DateTime<Utc>) -> String {
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(now.timestamp()).unwrap_or(0),
        now.timestamp_subsec_nanos(),
    ))
    .to_string()
}

/// Whether `raw` is an id this module made (a hyphenated uuid): anything else is never found.
pub fn parse_id(raw: &str) -> Option<String> {
    (raw.len() == 36)
        .then(|| uuid::Uuid::try_parse(raw).ok())
        .flatten()
        .map(|u| u.to_string())
}

/// Records a submission, or refuses it with nothing written.
pub fn submit(
    db: &impl Sql,
    submission: &Submission,
    now: DateTime<Utc>,
) -> Result<Submitted, FeedbackError> {
    in_immediate_transaction(db, || {
        let order = orders::load(db, submission.order)?
            .ok_or(FeedbackError::NotTheirOrder(submission.order))?;
        let reviewed = ReviewedOrder::of(&order);
        let order_id = submission.order.to_string();
        let reviewed_lines = db
            .execute(REVIEWED_LINES, &[text(&order_id)])?
            .rows
            .iter()
            .map(|row| col_int(row, 0, "feedback_reviews.line").map(|l| l as u32))
            .collect::<Result<Vec<_>, _>>()?;
        let rated = db
            .execute(GIVEN_RATINGS, &[text(&order_id)])?
            .rows
            .iter()
            .map(|row| {
                let kind = col_text(row, 0, "feedback_ratings.kind")?;
                RatingKind::parse(&kind).ok_or_else(|| corrupt(format!("rating kind {kind:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        submission.check_against(&reviewed, &reviewed_lines, &rated)?;

        let at = timestamp(now);
        let store = order.store.as_str().to_owned();
        let customer = submission.customer.as_str().to_owned();
        let mut reviews = Vec::with_capacity(submission.lines.len());
        for review in &submission.lines {
            let stored = StoredReview {
                id: new_id(now),
                order_id: order_id.clone(),
                line: review.line,
                sku: reviewed.sku_of(review.line).unwrap_or_default().to_owned(),
                store_id: store.clone(),
                customer_id: customer.clone(),
                rating: review.rating.stars(),
                text: review.text.as_ref().map(|t| t.as_str().to_owned()),
                created_at: at.clone(),
            };
            db.execute(
                INSERT_REVIEW,
                &[
                    text(&stored.id),
                    text(&order_id),
                    SqlValue::Integer(i64::from(stored.line)),
                    text(&stored.sku),
                    text(&store),
                    text(&customer),
                    SqlValue::Integer(i64::from(stored.rating)),
                    stored.text.as_deref().map_or(SqlValue::Null, text),
                    text(&at),
                ],
            )?;
            reviews.push(stored);
        }
        let mut ratings = Vec::new();
        for (kind, rating) in submission.order_ratings() {
            db.execute(
                INSERT_RATING,
                &[
                    text(&order_id),
                    text(kind.as_str()),
                    text(&store),
                    text(&customer),
                    SqlValue::Integer(i64::from(rating.stars())),
                    text(&at),
                ],
            )?;
            ratings.push((kind, rating.stars()));
        }
        let complaint = match complaint_for(submission, &reviewed) {
            None => None,
            Some(new) => {
                let complaint = Complaint {
                    id: new_id(now),
                    order_id: order_id.clone(),
                    customer_id: customer.clone(),
                    store_id: store.clone(),
                    category: new.category,
                    description: new.description,
                    reasons: new.reasons,
                    status: ComplaintStatus::Open,
                    opened_at: at.clone(),
                    resolved_at: None,
                    resolved_by: None,
                    resolution_note: None,
                };
                db.execute(
                    INSERT_COMPLAINT,
                    &[
                        text(&complaint.id),
                        text(&order_id),
                        text(&customer),
                        text(&store),
                        text(complaint.category.as_str()),
                        text(&complaint.description),
                        text(&json!(complaint.reasons).to_string()),
                        text(&at),
                    ],
                )?;
                append_outbox_event(
                    db,
                    EventType::FeedbackComplaint,
                    &complaint.id,
                    &json!({
                        "complaint_id": complaint.id,
                        "order_id": order_id,
                        "customer_id": customer,
                        "store_id": store,
                        "category": complaint.category.as_str(),
                        "reasons": complaint.reasons,
                        "description": complaint.description,
                    }),
                    now,
                )?;
                Some(complaint)
            }
        };
        Ok(Submitted {
            order_id,
            store_id: store,
            reviews,
            ratings,
            complaint,
        })
    })
}

fn summary(
    db: &impl Sql,
    statement: &str,
    params: &[SqlValue],
) -> Result<RatingSummary, StoreError> {
    let counts = db
        .execute(statement, params)?
        .rows
        .iter()
        .map(|row| {
            let stars = col_int(row, 0, "rating")?;
            let n = col_int(row, 1, "count")?;
            Ok((stars, u64::try_from(n).unwrap_or(0)))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RatingSummary::from_counts(counts))
}

/// The line ratings of a product, over every store.
pub fn product_summary(db: &impl Sql, sku: &Sku) -> Result<RatingSummary, StoreError> {
    summary(db, SKU_DISTRIBUTION, &[text(sku.as_str())])
}

/// The line ratings of the goods a store sold.
pub fn store_products_summary(db: &impl Sql, store: &StoreId) -> Result<RatingSummary, StoreError> {
    summary(db, STORE_LINE_DISTRIBUTION, &[text(store.as_str())])
}

/// A store's service or delivery ratings.
pub fn store_rating_summary(
    db: &impl Sql,
    store: &StoreId,
    kind: RatingKind,
) -> Result<RatingSummary, StoreError> {
    summary(
        db,
        STORE_RATING_DISTRIBUTION,
        &[text(store.as_str()), text(kind.as_str())],
    )
}

/// Which reviews a page lists.
#[derive(Debug, Clone, Copy)]
pub enum ReviewsOf<'a> {
    Product(&'a Sku),
    Store(&'a StoreId),
}

/// A page of reviews, newest first, written before the review `before` (ids are v7).
pub fn recent_reviews(
    db: &impl Sql,
    of: ReviewsOf<'_>,
    before: Option<&str>,
    limit: u32,
) -> Result<Vec<StoredReview>, StoreError> {
    let (column, key) = match of {
        ReviewsOf::Product(sku) => ("sku", sku.as_str()),
        ReviewsOf::Store(store) => ("store_id", store.as_str()),
    };
    // Every v7 id sorts below "g".
    let before = before.unwrap_or("g");
    let statement =
        format!("{REVIEW_COLUMNS} WHERE {column} = ? AND id < ? ORDER BY id DESC LIMIT ?");
    db.execute(
        &statement,
        &[text(key), text(before), SqlValue::Integer(i64::from(limit))],
    )?
    .rows
    .iter()
    .map(|row| read_review(row))
    .collect()
}

fn read_review(row: &[SqlValue]) -> Result<StoredReview, StoreError> {
    let rating = col_int(row, 6, "feedback_reviews.rating")?;
    Ok(StoredReview {
        id: col_text(row, 0, "feedback_reviews.id")?,
        order_id: col_text(row, 1, "feedback_reviews.order_id")?,
        line: u32::try_from(col_int(row, 2, "feedback_reviews.line")?)
            .map_err(|_| corrupt("feedback_reviews.line"))?,
        sku: col_text(row, 3, "feedback_reviews.sku")?,
        store_id: col_text(row, 4, "feedback_reviews.store_id")?,
        customer_id: col_text(row, 5, "feedback_reviews.customer_id")?,
        rating: u8::try_from(rating)
            .ok()
            .filter(|r| (1..=5).contains(r))
            .ok_or_else(|| corrupt(format!("feedback_reviews.rating {rating}")))?,
        text: col_opt_text(row, 7, "feedback_reviews.text")?,
        created_at: col_text(row, 8, "feedback_reviews.created_at")?,
    })
}

fn read_complaint(row: &[SqlValue]) -> Result<Complaint, StoreError> {
    let category = col_text(row, 4, "feedback_complaints.category")?;
    let status = col_text(row, 7, "feedback_complaints.status")?;
    let reasons = col_text(row, 6, "feedback_complaints.reasons")?;
    Ok(Complaint {
        id: col_text(row, 0, "feedback_complaints.id")?,
        order_id: col_text(row, 1, "feedback_complaints.order_id")?,
        customer_id: col_text(row, 2, "feedback_complaints.customer_id")?,
        store_id: col_text(row, 3, "feedback_complaints.store_id")?,
        category: ComplaintCategory::parse(&category)
            .map_err(|_| corrupt(format!("complaint category {category:?}")))?,
        description: col_text(row, 5, "feedback_complaints.description")?,
        reasons: serde_json::from_str(&reasons)
            .map_err(|e| corrupt(format!("complaint reasons: {e}")))?,
        status: ComplaintStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("complaint status {status:?}")))?,
        opened_at: col_text(row, 8, "feedback_complaints.opened_at")?,
        resolved_at: col_opt_text(row, 9, "feedback_complaints.resolved_at")?,
        resolved_by: col_opt_text(row, 10, "feedback_complaints.resolved_by")?,
        resolution_note: col_opt_text(row, 11, "feedback_complaints.resolution_note")?,
    })
}

/// One review, as its author wrote it.
pub fn review(db: &impl Sql, id: &str) -> Result<Option<StoredReview>, StoreError> {
    db.execute(&format!("{REVIEW_COLUMNS} WHERE id = ?"), &[text(id)])?
        .rows
        .first()
        .map(|row| read_review(row))
        .transpose()
}

/// One complaint.
pub fn complaint(db: &impl Sql, id: &str) -> Result<Option<Complaint>, StoreError> {
    db.execute(&format!("{COMPLAINT_COLUMNS} WHERE id = ?"), &[text(id)])?
        .rows
        .first()
        .map(|row| read_complaint(row))
        .transpose()
}

/// The staff queue: complaints (of one status, or all), oldest first — the longest waiting
/// is dealt with first — opened after the complaint `after`.
pub fn complaints(
    db: &impl Sql,
    status: Option<ComplaintStatus>,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<Complaint>, StoreError> {
    let after = after.unwrap_or("");
    let limit = SqlValue::Integer(i64::from(limit));
    let rows = match status {
        Some(status) => db.execute(
            &format!("{COMPLAINT_COLUMNS} WHERE status = ? AND id > ? ORDER BY id LIMIT ?"),
            &[text(status.as_str()), text(after), limit],
        )?,
        None => db.execute(
            &format!("{COMPLAINT_COLUMNS} WHERE id > ? ORDER BY id LIMIT ?"),
            &[text(after), limit],
        )?,
    };
    rows.rows.iter().map(|row| read_complaint(row)).collect()
}

/// Staff resolve an open complaint with a note: open → resolved, audited.
pub fn resolve(
    db: &impl Sql,
    id: &str,
    staff: &str,
    note: &FeedbackText,
    now: DateTime<Utc>,
) -> Result<Complaint, FeedbackError> {
    in_immediate_transaction(db, || {
        let before = complaint(db, id)?.ok_or(FeedbackError::ComplaintNotFound)?;
        if !before.status.can_move_to(ComplaintStatus::Resolved) {
            return Err(FeedbackError::ComplaintTransition {
                from: before.status,
                to: ComplaintStatus::Resolved,
            });
        }
        let at = timestamp(now);
        let moved = changed(
            db,
            RESOLVE,
            &[text(&at), text(staff), text(note.as_str()), text(id)],
        )?;
        if moved != 1 {
            // Under the write lock nobody else can have moved it: the data is not as read.
            return Err(corrupt(format!("complaint {id}: {moved} rows resolved")).into());
        }
        append_audit_entry(
            db,
            staff,
            "feedback.complaint.resolve",
            id,
            &json!({"status": before.status.as_str()}),
            &json!({"status": ComplaintStatus::Resolved.as_str(), "note": note.as_str()}),
            now,
        )?;
        complaint(db, id)?.ok_or_else(|| corrupt(format!("complaint {id} vanished")).into())
    })
}
