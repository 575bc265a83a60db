//! Promotions (`promotions`): created, replaced (`"active": false` ends one for every later
//! quote), read and listed. What is written has been read as the quote reads it
//! (`catalog::PromotionRow::read_as_quote`); what is read back is the row as the operator wrote
//! it, targets by their catalog names and parameters as given.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::write::{Change, Subject, create, replace, run};
use super::{ListQuery, Page, first, one_of, page};
use crate::catalog::{CatalogError, PromotionRow};
use crate::pricing::stored_rules::{PROMOTION_KINDS, TARGET_KINDS};
use crate::pricing::{PromotionId, Stacking};
use crate::storage::row::{col_flag, col_json, col_parsed, col_text, col_u32, flag, text};
use crate::storage::{Sql, SqlValue, StoreError, parse_timestamp, timestamp};

const PROMOTION: &str = "SELECT id, name, kind, starts_at, ends_at, target_kind, target_values, \
     priority, stacking, parameters, active FROM promotions WHERE id = ?";
const PROMOTIONS_PAGE: &str = "SELECT id, name, kind, starts_at, ends_at, target_kind, \
     target_values, priority, stacking, parameters, active FROM promotions WHERE id > ? \
     AND (? IS NULL OR kind = ?) AND (? IS NULL OR active = ?) ORDER BY id LIMIT ?";
const INSERT_PROMOTION: &str = "INSERT INTO promotions (id, name, kind, starts_at, ends_at, \
     target_kind, target_values, priority, stacking, parameters, active) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
const UPDATE_PROMOTION: &str = "UPDATE promotions SET name = ?, kind = ?, starts_at = ?, \
     ends_at = ?, target_kind = ?, target_values = ?, priority = ?, stacking = ?, \
     parameters = ?, active = ? WHERE id = ?";

/// A promotion as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromotionRecord {
    pub id: PromotionId,
    pub name: String,
    /// One of `pricing::stored_rules::PROMOTION_KINDS`.
    pub kind: &'static str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// One of `pricing::stored_rules::TARGET_KINDS`.
    pub target_kind: &'static str,
    /// The skus, categories or brands targeted, by the names the catalog gives them.
    pub target_values: Vec<String>,
    pub priority: u32,
    pub stacking: Stacking,
    /// Free-form by design: the kind's parameters as the operator wrote them (a JSON object
    /// whose shape is the kind's, `pricing::stored_rules::promotion_kind`), handed back as
    /// written; a cell that is not a JSON object is corrupt.
    pub parameters: Map<String, Value>,
    pub active: bool,
}

/// A promotion row, in the column order of `PROMOTION`.
fn read_promotion(row: &[SqlValue]) -> Result<PromotionRecord, StoreError> {
    let what = "promotions";
    Ok(PromotionRecord {
        id: col_parsed(row, 0, what, PromotionId::parse)?,
        name: col_text(row, 1, what)?,
        kind: col_parsed(row, 2, what, |raw| one_of(&PROMOTION_KINDS, raw))?,
        starts_at: col_parsed(row, 3, what, parse_timestamp)?,
        ends_at: col_parsed(row, 4, what, parse_timestamp)?,
        target_kind: col_parsed(row, 5, what, |raw| one_of(&TARGET_KINDS, raw))?,
        target_values: col_json(row, 6, what)?,
        priority: col_u32(row, 7, what)?,
        stacking: col_parsed(row, 8, what, |raw| {
            Stacking::parse(raw).ok_or("not stackable or exclusive")
        })?,
        parameters: col_json(row, 9, what)?,
        active: col_flag(row, 10, what)?,
    })
}

pub fn get_promotion(
    db: &impl Sql,
    id: &PromotionId,
) -> Result<Option<PromotionRecord>, CatalogError> {
    first(db, PROMOTION, &[text(id.as_str())], read_promotion)
}

/// Filters: kind, active.
pub fn list_promotions(
    db: &impl Sql,
    query: &ListQuery,
) -> Result<Page<PromotionRecord>, CatalogError> {
    page(db, PROMOTIONS_PAGE, query, read_promotion, |p| {
        p.id.as_str()
    })
}

/// Every column but the id, in the order of `UPDATE_PROMOTION`.
fn promotion_params(promotion: &PromotionRow) -> [SqlValue; 10] {
    [
        text(&promotion.name),
        text(promotion.kind),
        text(&timestamp(promotion.window.starts_at)),
        text(&timestamp(promotion.window.ends_at)),
        text(promotion.target_kind),
        text(&promotion.stored_target_values()),
        SqlValue::Integer(i64::from(promotion.priority)),
        text(promotion.stacking.as_str()),
        text(&promotion.stored_parameters()),
        flag(promotion.active),
    ]
}

pub fn create_promotion(
    db: &impl Sql,
    change: &Change<'_>,
    promotion: &PromotionRow,
) -> Result<PromotionRecord, CatalogError> {
    let id = &promotion.id;
    let subject = Subject::new("catalog.promotion.create", "promotion", id.as_str());
    let mut params = vec![text(id.as_str())];
    params.extend(promotion_params(promotion));
    let read = || get_promotion(db, id);
    create(db, change, &subject, "id", read, || {
        run(db, INSERT_PROMOTION, &params)
    })
}

/// Replaces a promotion; `active: false` ends it for every later quote.
pub fn replace_promotion(
    db: &impl Sql,
    change: &Change<'_>,
    promotion: &PromotionRow,
) -> Result<PromotionRecord, CatalogError> {
    let id = &promotion.id;
    let subject = Subject::new("catalog.promotion.update", "promotion", id.as_str());
    let mut params = promotion_params(promotion).to_vec();
    params.push(text(id.as_str()));
    let read = || get_promotion(db, id);
    replace(db, change, &subject, read, || {
        run(db, UPDATE_PROMOTION, &params)
    })
}
