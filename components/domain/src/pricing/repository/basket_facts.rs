//! What quoting or placing one basket reads, in one statement (issue 12: with Redis and
//! libSQL behind Spin, every statement is a network round trip): [`read_basket`]. It reads
//! the products, the customer's tier and tier prices, the live promotions and what limited
//! ones have given, the coupons entered, the delivery bands and ceiling, the stores the basket
//! could be fulfilled from (the pickup store, or the delivering stores near the point) with
//! each one's prices, stock levels and recent sales of the basket's skus; and for place-order
//! the saved answer of its `Idempotency-Key` and whether reservations are due to expire.
//!
//! Every part is bounded by what the request names: the basket's skus (`json_each` of a JSON
//! array parameter), the customer, the coupon codes entered, the store or the point; the live
//! promotions and delivery bands are shop-wide settings, not history. What limited promotions
//! have given is read by key: each one's total over all customers from its totals row
//! (`coupon_use_totals`, `flash_sale_totals`, kept by migration 0014's triggers) and this
//! customer's own row. Each kind of fact is a
//! JSON array of rows that SQLite builds (`json_group_array(json_array(..))`); the rows are
//! read back into `SqlValue` rows and through the same readers as the rest of this module, so
//! that a catalog row reads the same whichever statement brought it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::{
    CatalogProduct, CatalogStore, corrupt, coupon, percentage, promotion, read_tier_discount,
    store_from_row,
};
use crate::geo::GeoPoint;
use crate::idempotency::{self, ScopedKey};
use crate::ids::{CustomerId, StoreId};
use crate::money::{Currency, Money};
use crate::pricing::{
    CouponCode, CouponRedemptions, DeliveryBand, DeliveryFeeBands, DiscountCeiling, MemberTier,
    PricingFacts, PricingRules, PromotionKind, RECENT_SALES_DAYS, StockCover, StorePrices, TierId,
};
use crate::stock::StockLevel;
use crate::storage::row::{col_flag, col_int, col_opt_text, col_text};
use crate::storage::timestamp;
use crate::storage::{Sql, SqlValue, StoreError};
use crate::values::Sku;

/// The stores a basket can be fulfilled from: the pickup store `?4` when one is named, else
/// every open store that delivers and whose radius can reach the point (`?6`, `?7`), narrowed
/// by a box (`?8`: `GeoPoint::km_per_degree_of_longitude`) that keeps every store the reach
/// rule (`geo::nearest_delivering_store`) could choose and measures (200 and 110 are
/// `geo::NARROWED_RADIUS_KM` and `geo::KM_PER_DEGREE_OF_LATITUDE`; a test holds them equal);
/// the store a delivery pins (`?15`); and the delivering store nearest the point by a flat
/// measure at the point's own scale (`?14`: `GeoPoint::km_per_degree_of_longitude_here`),
/// which the rule names, with its own distance, when none reaches the point. Stores across the
/// antimeridian from the point are never candidates.
macro_rules! candidate_stores {
    () => {
        "SELECT id, latitude, longitude, pickup_enabled, delivery_radius_km, name FROM stores \
         WHERE active = 1 AND CASE WHEN ?4 IS NOT NULL THEN id = ?4 \
         ELSE delivery_radius_km > 0 AND (delivery_radius_km > 200 \
         OR (abs(latitude - ?6) * 110.0 <= delivery_radius_km \
         AND abs(longitude - ?7) * ?8 <= delivery_radius_km) \
         OR id = ?15 \
         OR id = (SELECT n.id FROM stores n WHERE n.active = 1 AND n.delivery_radius_km > 0 \
         ORDER BY (n.latitude - ?6) * (n.latitude - ?6) * 12364.3 \
         + (n.longitude - ?7) * (n.longitude - ?7) * ?14 * ?14, n.id LIMIT 1)) END"
    };
}

/// Everything placing or quoting a basket reads, in one row (issue 12):
/// - `?1` the customer (NULL for a guest), `?2` the basket's skus (JSON array), `?3` the
///   coupon codes (JSON array);
/// - `?4` the pickup store, or NULL for a delivery to (`?6`, `?7`) (see `candidate_stores!`);
/// - `?5` the first day of recent sales;
/// - for place-order: `?9` now, to count reservations due to expire (NULL: not counted), and
///   `?10`..`?12` the caller, route and key of an `Idempotency-Key` with `?13` the oldest
///   time a saved answer still binds (NULL: none looked up).
///
/// For each candidate store and basket sku, `at_store` has the store's price (NULL: none) and
/// the stock level (NULLs: not stocked) with the units sold since `?5` from the daily rollup.
pub const BASKET_FACTS: &str = concat!(
    "SELECT json_object(",
    "'products', json((SELECT json_group_array(json_array(p.sku, p.name, p.category, p.brand, \
     p.list_price, p.currency)) FROM (SELECT DISTINCT value AS sku FROM json_each(?2)) b \
     CROSS JOIN products p WHERE p.sku = b.sku AND p.active = 1)), ",
    "'tier', json((SELECT json_group_array(json_array(c.tier_id, t.discount_percent, \
     t.id IS NOT NULL)) FROM customers c LEFT JOIN member_tiers t ON t.id = c.tier_id \
     WHERE c.id = ?1)), ",
    "'tier_prices', json((SELECT json_group_array(json_array(tp.sku, tp.price)) \
     FROM customers c CROSS JOIN (SELECT DISTINCT value AS sku FROM json_each(?2)) b \
     CROSS JOIN tier_prices tp WHERE c.id = ?1 AND tp.tier_id = c.tier_id AND tp.sku = b.sku)), ",
    "'promotions', json((SELECT json_group_array(json_array(id, name, kind, starts_at, ends_at, \
     target_kind, target_values, priority, stacking, parameters)) FROM promotions \
     WHERE active = 1)), ",
    "'flash_sales', json((SELECT json_group_array(json_array(pr.id, \
     COALESCE((SELECT t.units FROM flash_sale_totals t WHERE t.promotion_id = pr.id), 0), \
     COALESCE((SELECT f.units FROM flash_sale_sales f \
     WHERE f.promotion_id = pr.id AND f.customer_id = ?1), 0))) \
     FROM promotions pr WHERE pr.active = 1 AND pr.kind = 'flash-sale')), ",
    "'coupons', json((SELECT json_group_array(json_array(c.code, c.name, c.kind, c.amount, \
     c.percent, c.max_discount, c.minimum_spend, c.starts_at, c.ends_at, c.total_limit, \
     c.per_customer_limit, c.stacking, \
     COALESCE((SELECT t.uses FROM coupon_use_totals t WHERE t.code = c.code), 0), \
     COALESCE((SELECT r.uses FROM coupon_redemptions r \
     WHERE r.code = c.code AND r.customer_id = ?1), 0))) \
     FROM (SELECT DISTINCT value AS code FROM json_each(?3)) e \
     CROSS JOIN coupons c WHERE c.code = e.code AND c.active = 1)), ",
    "'bands', json((SELECT json_group_array(json_array(up_to_m, fee)) FROM delivery_fee_bands)), ",
    "'ceiling', (SELECT value FROM pricing_settings WHERE name = 'discount_ceiling_percent'), ",
    "'stores', json((SELECT json_group_array(json_array(id, latitude, longitude, \
     pickup_enabled, delivery_radius_km, name)) FROM (",
    candidate_stores!(),
    "))), ",
    "'at_store', json((SELECT json_group_array(json_array(s.id, b.sku, sp.price, l.on_hand, \
     l.reserved, l.safety_stock, l.reorder_point, l.low_alert_armed, \
     COALESCE((SELECT SUM(d.units) FROM stock_sales_daily d \
     WHERE d.store_id = s.id AND d.sku = b.sku AND d.day >= ?5), 0))) FROM (",
    candidate_stores!(),
    ") s CROSS JOIN (SELECT DISTINCT value AS sku FROM json_each(?2)) b \
     LEFT JOIN store_prices sp ON sp.store_id = s.id AND sp.sku = b.sku \
     LEFT JOIN stock_levels l ON l.store_id = s.id AND l.sku = b.sku)), ",
    "'due_holds', (SELECT COUNT(*) FROM reservations WHERE status = 'held' AND expires_at <= ?9), ",
    "'saved', json((SELECT json_group_array(json_array(request_hash, response_status, \
     response_body)) FROM idempotency_requests \
     WHERE caller = ?10 AND route = ?11 AND key = ?12 AND created_at > ?13))",
    ") AS facts, ",
    crate::schema_ledger!()
);

/// What a basket is priced for.
#[derive(Debug, Clone, Copy)]
pub struct BasketQuery<'a> {
    pub skus: &'a [Sku],
    pub customer: Option<&'a CustomerId>,
    pub coupon_codes: &'a [CouponCode],
    pub fulfilled: FulfilledBy<'a>,
    pub now: DateTime<Utc>,
    /// What place-order reads besides, in the same statement.
    pub placing: Option<Placing<'a>>,
}

/// Where a basket would be fulfilled from.
#[derive(Debug, Clone, Copy)]
pub enum FulfilledBy<'a> {
    /// The store a pickup names.
    Pickup(&'a StoreId),
    /// A store that delivers to the point, chosen from [`BasketFacts::stores`]; or the
    /// store the request pins, if it reaches the point.
    Delivery {
        point: GeoPoint,
        pinned: Option<&'a StoreId>,
    },
}

/// What place-order reads with its basket: the saved answer of its `Idempotency-Key`, and
/// whether reservations are due to expire (their units count as available again).
#[derive(Debug, Clone, Copy)]
pub struct Placing<'a> {
    pub key: &'a ScopedKey,
}

/// What [`read_basket`] found.
#[derive(Debug, Clone)]
pub struct BasketFacts {
    /// The active products among the basket's skus; an absent sku is unknown or not sold.
    pub products: BTreeMap<Sku, CatalogProduct>,
    /// The pickup store (none when it is unknown or closed), or every open store that
    /// delivers, in id order.
    pub stores: Vec<CatalogStore>,
    /// The customer's member tier; `None` for a guest, a customer the catalog does not know
    /// yet, or one without a tier.
    pub tier: Option<TierId>,
    /// How many held reservations are due to expire (0 unless placing).
    pub due_holds: i64,
    /// The saved answer of the key (`idempotency_requests`' hash, status and body), if any.
    pub saved: Option<Vec<SqlValue>>,
    tier_row: Option<Vec<SqlValue>>,
    tier_prices: Vec<Vec<SqlValue>>,
    promotions: Vec<Vec<SqlValue>>,
    flash_sales: Vec<Vec<SqlValue>>,
    coupons: Vec<Vec<SqlValue>>,
    bands: Vec<Vec<SqlValue>>,
    ceiling: Option<String>,
    at_store: Vec<Vec<SqlValue>>,
}

/// One candidate store's prices and stock for the basket's skus: rows of `store, sku, price,
/// on_hand, reserved, safety_stock, reorder_point, low_alert_armed, recent sales`.
#[derive(Debug, Clone)]
pub struct AtStore<'a> {
    store: &'a StoreId,
    rows: Vec<&'a [SqlValue]>,
}

/// A basket sku's stock level at a candidate store, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelAtStore {
    pub level: StockLevel,
    pub alert_armed: bool,
}

fn recent_sales_since(now: DateTime<Utc>) -> SqlValue {
    // The first day of the window counts whole: the rollup keeps days, not moments.
    let since = now - Duration::days(i64::from(RECENT_SALES_DAYS));
    SqlValue::Text(since.format("%Y-%m-%d").to_string())
}

fn json_list<T: AsRef<str>>(items: &[T]) -> SqlValue {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    SqlValue::Text(serde_json::json!(items).to_string())
}

/// Reads what pricing `query` needs, in one statement.
pub fn read_basket(db: &impl Sql, query: &BasketQuery<'_>) -> Result<BasketFacts, StoreError> {
    let skus: Vec<&str> = query.skus.iter().map(Sku::as_str).collect();
    let codes: Vec<&str> = query.coupon_codes.iter().map(CouponCode::as_str).collect();
    let (pickup, point, pinned) = match query.fulfilled {
        FulfilledBy::Pickup(store) => (SqlValue::from(store.as_str()), None, SqlValue::Null),
        FulfilledBy::Delivery { point, pinned } => (
            SqlValue::Null,
            Some(point),
            pinned.map_or(SqlValue::Null, |s| SqlValue::from(s.as_str())),
        ),
    };
    let number = |value: Option<f64>| value.map_or(SqlValue::Null, SqlValue::Real);
    let mut params = vec![
        query
            .customer
            .map_or(SqlValue::Null, |c| SqlValue::from(c.as_str())),
        json_list(&skus),
        json_list(&codes),
        pickup,
        recent_sales_since(query.now),
        number(point.map(|p| p.lat())),
        number(point.map(|p| p.lon())),
        number(point.map(|p| p.km_per_degree_of_longitude())),
    ];
    match query.placing {
        Some(placing) => {
            let [caller, route, key] = placing.key.params();
            params.extend([
                SqlValue::Text(timestamp(query.now)),
                caller,
                route,
                key,
                SqlValue::Text(timestamp(query.now - idempotency::kept_for())),
            ]);
        }
        None => params.extend(std::iter::repeat_n(SqlValue::Null, 5)),
    }
    params.push(number(point.map(|p| p.km_per_degree_of_longitude_here())));
    params.push(pinned);
    let rows = db.execute(BASKET_FACTS, &params)?;
    let raw = rows
        .rows
        .first()
        .map(|row| col_text(row, 0, "basket facts"))
        .transpose()?
        .ok_or_else(|| corrupt("basket facts", "no row"))?;
    let facts: Value = serde_json::from_str(&raw).map_err(|e| corrupt("basket facts", e))?;
    let part = |name: &str| json_rows(&facts, name);

    let mut products = BTreeMap::new();
    for row in part("products")? {
        let product = super::product_from_row(&row)?;
        products.insert(product.sku.clone(), product);
    }
    let mut stores = part("stores")?
        .iter()
        .map(|row| store_from_row(row))
        .collect::<Result<Vec<_>, _>>()?;
    stores.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let tier_row = part("tier")?.into_iter().next();
    let tier = match (&tier_row, query.customer) {
        (Some(row), Some(customer)) => col_opt_text(row, 0, "customers.tier_id")?
            .map(|tier| {
                TierId::parse(&tier)
                    .map_err(|e| corrupt(format!("customers[{}].tier_id", customer.as_str()), e))
            })
            .transpose()?,
        _ => None,
    };
    Ok(BasketFacts {
        products,
        stores,
        tier,
        due_holds: match facts.get("due_holds") {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            _ => 0,
        },
        saved: part("saved")?.into_iter().next(),
        tier_row,
        tier_prices: part("tier_prices")?,
        promotions: part("promotions")?,
        flash_sales: part("flash_sales")?,
        coupons: part("coupons")?,
        bands: part("bands")?,
        ceiling: match facts.get("ceiling") {
            Some(Value::String(raw)) => Some(raw.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        },
        at_store: part("at_store")?,
    })
}

impl BasketFacts {
    /// What was read at `store`, one of [`BasketFacts::stores`].
    pub fn at<'a>(&'a self, store: &'a StoreId) -> AtStore<'a> {
        AtStore {
            store,
            rows: self
                .at_store
                .iter()
                .filter(
                    |row| matches!(row.first(), Some(SqlValue::Text(id)) if id == store.as_str()),
                )
                .map(Vec::as_slice)
                .collect(),
        }
    }

    /// The rules and live facts of this basket at the store of `at_store`, amounts read in
    /// `currency` (the basket's). A row the rules cannot read is `StoreError::Corrupt` naming
    /// it, as everywhere in this module.
    pub fn rules_and_facts(
        &self,
        currency: Currency,
        at_store: &AtStore<'_>,
        customer: Option<&CustomerId>,
    ) -> Result<(PricingRules, PricingFacts), StoreError> {
        let mut facts = PricingFacts::default();
        let mut store_prices = StorePrices::default();
        for row in &at_store.rows {
            let (sku, at) = at_store.sku_of(row)?;
            if let Some(price) = col_opt_text(row, 2, &at)? {
                let at = format!("store_prices[{at}]");
                store_prices.set(
                    at_store.store,
                    sku.clone(),
                    super::money(&price, currency, &at)?,
                );
            }
            if let Some(found) = at_store.level_of(row)? {
                let at = format!("stock_levels[{at}]");
                let on_hand = u32::try_from(found.level.on_hand).map_err(|e| corrupt(&at, e))?;
                let sold =
                    u32::try_from(col_int(row, 8, &at)?.max(0)).map_err(|e| corrupt(&at, e))?;
                facts
                    .stock
                    .insert(sku, StockCover::from_recent_sales(on_hand, sold));
            }
        }

        let mut member_tiers = BTreeMap::new();
        if let (Some(tier), Some(row)) = (&self.tier, &self.tier_row)
            && row.get(2) == Some(&SqlValue::Integer(1))
        {
            let discount = read_tier_discount(tier, &row[1..])?;
            let prices = self
                .tier_prices
                .iter()
                .map(|row| {
                    let raw = col_text(row, 0, "tier_prices.sku")?;
                    let at = format!("tier_prices[{tier}/{raw}]");
                    let sku = Sku::parse(&raw).map_err(|e| corrupt(&at, e))?;
                    Ok((sku, super::money(&col_text(row, 1, &at)?, currency, &at)?))
                })
                .collect::<Result<BTreeMap<Sku, Money>, StoreError>>()?;
            member_tiers.insert(tier.clone(), MemberTier { discount, prices });
        }

        let mut promotions = self
            .promotions
            .iter()
            .map(|row| promotion(row, currency))
            .collect::<Result<Vec<_>, _>>()?;
        promotions.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        for row in &self.flash_sales {
            let raw = col_text(row, 0, "flash_sale_sales.promotion_id")?;
            let at = format!("flash_sale_sales[{raw}]");
            let count =
                |index| u32::try_from(col_int(row, index, &at)?).map_err(|e| corrupt(&at, e));
            let Some((id, sale)) = promotions.iter().find_map(|p| match &p.kind {
                PromotionKind::FlashSale(sale) if p.id.as_str() == raw => Some((&p.id, sale)),
                _ => None,
            }) else {
                continue;
            };
            facts
                .flash_sale_units_left
                .insert(id.clone(), sale.total_cap.saturating_sub(count(1)?));
            if customer.is_some() {
                facts.flash_sale_units_bought.insert(id.clone(), count(2)?);
            }
        }

        let mut coupons = BTreeMap::new();
        for row in &self.coupons {
            let read = coupon(row, currency)?;
            let at = format!("coupon_redemptions[{}]", read.code);
            let count =
                |index| u32::try_from(col_int(row, index, &at)?).map_err(|e| corrupt(&at, e));
            facts.coupon_redemptions.insert(
                read.code.clone(),
                CouponRedemptions {
                    total: count(12)?,
                    by_customer: if customer.is_some() { count(13)? } else { 0 },
                },
            );
            coupons.insert(read.code.clone(), read);
        }

        let mut bands = self
            .bands
            .iter()
            .map(|row| {
                let up_to = col_int(row, 0, "delivery_fee_bands.up_to_m")?;
                let at = format!("delivery_fee_bands[{up_to}].fee");
                Ok(DeliveryBand {
                    up_to_m: u32::try_from(up_to).map_err(|e| corrupt(&at, e))?,
                    fee: super::money(&col_text(row, 1, &at)?, currency, &at)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        bands.sort_by_key(|band| band.up_to_m);
        let discount_ceiling = match &self.ceiling {
            Some(raw) => DiscountCeiling {
                max_share: percentage(raw, "pricing_settings.discount_ceiling_percent")?,
            },
            None => DiscountCeiling::default(),
        };

        let rules = PricingRules {
            store_prices,
            member_tiers,
            promotions,
            coupons,
            delivery_fees: DeliveryFeeBands { bands },
            discount_ceiling,
        };
        Ok((rules, facts))
    }
}

impl AtStore<'_> {
    /// The stock level of each basket sku the store keeps.
    pub fn levels(&self) -> Result<BTreeMap<Sku, LevelAtStore>, StoreError> {
        let mut levels = BTreeMap::new();
        for row in &self.rows {
            let (sku, _) = self.sku_of(row)?;
            if let Some(found) = self.level_of(row)? {
                levels.insert(sku, found);
            }
        }
        Ok(levels)
    }

    fn sku_of(&self, row: &[SqlValue]) -> Result<(Sku, String), StoreError> {
        let raw = col_text(row, 1, "basket sku")?;
        let at = format!("{}/{raw}", self.store.as_str());
        let sku = Sku::parse(&raw).map_err(|e| corrupt(&at, e))?;
        Ok((sku, at))
    }

    fn level_of(&self, row: &[SqlValue]) -> Result<Option<LevelAtStore>, StoreError> {
        if matches!(row.get(3), None | Some(SqlValue::Null)) {
            return Ok(None);
        }
        let (_, at) = self.sku_of(row)?;
        let at = format!("stock_levels[{at}]");
        Ok(Some(LevelAtStore {
            level: StockLevel {
                on_hand: col_int(row, 3, &at)?,
                reserved: col_int(row, 4, &at)?,
                safety_stock: col_int(row, 5, &at)?,
                reorder_point: col_int(row, 6, &at)?,
            },
            alert_armed: col_flag(row, 7, &at)?,
        }))
    }
}

/// The rows of one part of the facts object, as `SqlValue` rows.
fn json_rows(facts: &Value, part: &str) -> Result<Vec<Vec<SqlValue>>, StoreError> {
    let at = format!("basket facts.{part}");
    let Some(Value::Array(rows)) = facts.get(part) else {
        return Err(corrupt(&at, "missing"));
    };
    rows.iter()
        .map(|row| match row {
            Value::Array(cells) => cells.iter().map(|cell| sql_value(cell, &at)).collect(),
            other => Err(corrupt(&at, format!("a row that is not an array: {other}"))),
        })
        .collect()
}

fn sql_value(cell: &Value, at: &str) -> Result<SqlValue, StoreError> {
    Ok(match cell {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => SqlValue::Integer(i),
            (None, Some(f)) => SqlValue::Real(f),
            _ => return Err(corrupt(at, format!("a number out of range: {n}"))),
        },
        other => return Err(corrupt(at, format!("a nested value: {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{KM_PER_DEGREE_OF_LATITUDE, NARROWED_RADIUS_KM};

    #[test]
    fn the_statement_narrows_stores_with_the_reach_rules_own_figures() {
        assert!(BASKET_FACTS.contains(&format!("delivery_radius_km > {NARROWED_RADIUS_KM:.0} ")));
        assert!(BASKET_FACTS.contains(&format!("* {KM_PER_DEGREE_OF_LATITUDE:.1} <=")));
        // 111.195 km a degree on the reach rule's sphere, squared.
        let squared = GeoPoint::new(0.0, 0.0)
            .unwrap()
            .km_per_degree_of_longitude_here()
            .powi(2);
        assert!(
            BASKET_FACTS.contains(&format!("* {squared:.1}")),
            "{squared}"
        );
    }
}
