//! Membership (`member_tiers`, `customers`): member tiers are created, replaced, read, listed
//! and removed once no customer is on them (their tier prices, `prices.rs`, go with them);
//! customers are created, replaced (which is how one changes tier, or leaves membership with
//! `tier_id: null`), read and listed, never removed: orders refer to them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::prices::{TierPriceRecord, list_tier_prices};
use super::write::{Change, Subject, create, remove, replace, run};
use super::{ListQuery, Page, first, page};
use crate::catalog::{CatalogError, Customer, MemberTier};
use crate::ids::CustomerId;
use crate::pricing::TierId;
use crate::pricing::stored_rules::stored_percentage;
use crate::storage::row::{col_opt_parsed, col_parsed, col_text, col_u32, optional_text, text};
use crate::storage::{Sql, SqlValue, StoreError, parse_timestamp, timestamp};

const MEMBER_TIER: &str = "SELECT id, name, rank, discount_percent FROM member_tiers WHERE id = ?";
const MEMBER_TIERS_PAGE: &str = "SELECT id, name, rank, discount_percent FROM member_tiers \
     WHERE id > ? ORDER BY id LIMIT ?";
const INSERT_MEMBER_TIER: &str =
    "INSERT INTO member_tiers (id, name, rank, discount_percent) VALUES (?, ?, ?, ?)";
const UPDATE_MEMBER_TIER: &str =
    "UPDATE member_tiers SET name = ?, rank = ?, discount_percent = ? WHERE id = ?";
const DELETE_MEMBER_TIER: &str = "DELETE FROM member_tiers WHERE id = ?";
const DELETE_TIER_PRICES: &str = "DELETE FROM tier_prices WHERE tier_id = ?";
const CUSTOMERS_ON_TIER: &str = "SELECT COUNT(*) FROM customers WHERE tier_id = ?";

const CUSTOMER: &str = "SELECT id, name, tier_id, created_at FROM customers WHERE id = ?";
const CUSTOMERS_PAGE: &str = "SELECT id, name, tier_id, created_at FROM customers WHERE id > ? \
     AND (? IS NULL OR tier_id = ?) ORDER BY id LIMIT ?";
const INSERT_CUSTOMER: &str =
    "INSERT INTO customers (id, name, tier_id, created_at) VALUES (?, ?, ?, ?)";
const UPDATE_CUSTOMER: &str = "UPDATE customers SET name = ?, tier_id = ? WHERE id = ?";

/// A member tier as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberTierRecord {
    pub id: TierId,
    pub name: String,
    pub rank: u32,
    /// Percent off the store price of every sku without a tier price, as stored ("5");
    /// `None`: no discount.
    pub discount_percent: Option<Decimal>,
}

/// A customer as the catalog answers it (and the audit log keeps it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRecord {
    pub id: CustomerId,
    pub name: String,
    /// `None`: not a member (non-member prices).
    pub tier_id: Option<TierId>,
    pub created_at: DateTime<Utc>,
}

/// What the audit log keeps of a removed tier: the tier, with its tier prices as `prices`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct RemovedTier {
    #[serde(flatten)]
    tier: MemberTierRecord,
    prices: Vec<TierPriceRecord>,
}

/// A member tier row, in the column order of `MEMBER_TIER`.
fn read_member_tier(row: &[SqlValue]) -> Result<MemberTierRecord, StoreError> {
    let what = "member_tiers";
    Ok(MemberTierRecord {
        id: col_parsed(row, 0, what, TierId::parse)?,
        name: col_text(row, 1, what)?,
        rank: col_u32(row, 2, what)?,
        discount_percent: col_opt_parsed(row, 3, what, str::parse::<Decimal>)?,
    })
}

/// A customer row, in the column order of `CUSTOMER`.
fn read_customer(row: &[SqlValue]) -> Result<CustomerRecord, StoreError> {
    let what = "customers";
    Ok(CustomerRecord {
        id: col_parsed(row, 0, what, CustomerId::parse)?,
        name: col_text(row, 1, what)?,
        tier_id: col_opt_parsed(row, 2, what, TierId::parse)?,
        created_at: col_parsed(row, 3, what, parse_timestamp)?,
    })
}

// ---- member tiers ----

pub fn get_member_tier(
    db: &impl Sql,
    id: &TierId,
) -> Result<Option<MemberTierRecord>, CatalogError> {
    first(db, MEMBER_TIER, &[text(id.as_str())], read_member_tier)
}

/// No filters: a shop has a handful of tiers.
pub fn list_member_tiers(
    db: &impl Sql,
    query: &ListQuery,
) -> Result<Page<MemberTierRecord>, CatalogError> {
    page(db, MEMBER_TIERS_PAGE, query, read_member_tier, |t| {
        t.id.as_str()
    })
}

/// Every column but the id, in the order of `UPDATE_MEMBER_TIER`.
fn member_tier_params(tier: &MemberTier) -> [SqlValue; 3] {
    let discount = tier.discount_percent.map(stored_percentage);
    [
        text(&tier.name),
        SqlValue::Integer(i64::from(tier.rank)),
        optional_text(discount.as_deref()),
    ]
}

pub fn create_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &MemberTier,
) -> Result<MemberTierRecord, CatalogError> {
    let id = &tier.id;
    let subject = Subject::new("catalog.member-tier.create", "member tier", id.as_str());
    let mut params = vec![text(id.as_str())];
    params.extend(member_tier_params(tier));
    let read = || get_member_tier(db, id);
    create(db, change, &subject, "id", read, || {
        run(db, INSERT_MEMBER_TIER, &params)
    })
}

/// Replaces a tier's name, rank and discount; its customers pay the new prices from their
/// next quote.
pub fn replace_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    tier: &MemberTier,
) -> Result<MemberTierRecord, CatalogError> {
    let id = &tier.id;
    let subject = Subject::new("catalog.member-tier.update", "member tier", id.as_str());
    let mut params = member_tier_params(tier).to_vec();
    params.push(text(id.as_str()));
    let read = || get_member_tier(db, id);
    replace(db, change, &subject, read, || {
        run(db, UPDATE_MEMBER_TIER, &params)
    })
}

/// Removes a tier and its tier prices, once no customer is on it (tiers have no `active`
/// column; moving the customers first is the operator's decision, not a side effect). The
/// audit entry's `before` is the tier with its `prices`.
pub fn remove_member_tier(
    db: &impl Sql,
    change: &Change<'_>,
    id: &TierId,
) -> Result<(), CatalogError> {
    let subject = Subject::new("catalog.member-tier.remove", "member tier", id.as_str());
    let read = || -> Result<Option<RemovedTier>, CatalogError> {
        let Some(tier) = get_member_tier(db, id)? else {
            return Ok(None);
        };
        let prices = list_tier_prices(db, id)?;
        Ok(Some(RemovedTier { tier, prices }))
    };
    remove(db, change, &subject, read, |_| {
        let key = [text(id.as_str())];
        let members = first(db, CUSTOMERS_ON_TIER, &key, |row| col_u32(row, 0, "count"))?
            .ok_or_else(|| StoreError::Corrupt("a count without a row".to_owned()))?;
        if members > 0 {
            return Err(CatalogError::InUse {
                field: "id".to_owned(),
                detail: format!(
                    "{members} customer(s) are on member tier {}: move them to another tier \
                     (or none) first",
                    id.as_str()
                ),
            });
        }
        run(db, DELETE_TIER_PRICES, &key)?;
        run(db, DELETE_MEMBER_TIER, &key)
    })
}

// ---- customers ----

pub fn get_customer(
    db: &impl Sql,
    id: &CustomerId,
) -> Result<Option<CustomerRecord>, CatalogError> {
    first(db, CUSTOMER, &[text(id.as_str())], read_customer)
}

/// Filters: tier_id.
pub fn list_customers(
    db: &impl Sql,
    query: &ListQuery,
) -> Result<Page<CustomerRecord>, CatalogError> {
    page(db, CUSTOMERS_PAGE, query, read_customer, |c| c.id.as_str())
}

/// The customer's tier as a column value; a tier that does not exist is the body's mistake.
fn customer_tier(db: &impl Sql, customer: &Customer) -> Result<SqlValue, CatalogError> {
    let Some(tier) = &customer.tier else {
        return Ok(SqlValue::Null);
    };
    if get_member_tier(db, tier)?.is_none() {
        return Err(CatalogError::Unknown {
            field: "tier_id".to_owned(),
            detail: format!("no member tier {}", tier.as_str()),
        });
    }
    Ok(text(tier.as_str()))
}

pub fn create_customer(
    db: &impl Sql,
    change: &Change<'_>,
    customer: &Customer,
) -> Result<CustomerRecord, CatalogError> {
    let id = &customer.id;
    let subject = Subject::new("catalog.customer.create", "customer", id.as_str());
    let insert = || {
        let tier = customer_tier(db, customer)?;
        let now = text(&timestamp(change.now));
        let params = [text(id.as_str()), text(&customer.name), tier, now];
        run(db, INSERT_CUSTOMER, &params)
    };
    create(db, change, &subject, "id", || get_customer(db, id), insert)
}

/// Replaces a customer's name and tier: the next quote for them is at the new tier's prices
/// (`tier_id: null`: non-member prices).
pub fn replace_customer(
    db: &impl Sql,
    change: &Change<'_>,
    customer: &Customer,
) -> Result<CustomerRecord, CatalogError> {
    let id = &customer.id;
    let subject = Subject::new("catalog.customer.update", "customer", id.as_str());
    let update = || {
        let tier = customer_tier(db, customer)?;
        let params = [text(&customer.name), tier, text(id.as_str())];
        run(db, UPDATE_CUSTOMER, &params)
    };
    replace(db, change, &subject, || get_customer(db, id), update)
}
