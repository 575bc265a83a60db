//! The rows a test app starts with: `a_catalog()` and its `.with_*` calls build products,
//! stores, promotions (`a_spend_threshold(..)`, `a_percentage_off(..)`, ...), coupons
//! (`a_coupon("WELCOME10").amount_off("10.00")`), delivery bands, member tiers, customers and
//! the discount ceiling, each with sensible defaults; `spawn_app` writes them straight into
//! the app's SQLite database once the migrations have run, without going through the admin
//! API.

use serde_json::{Value, json};
use spin_test_host::{SpinApp, SqlValue};

/// Catalog rows a test needs, with sensible defaults.
#[derive(Debug, Clone, Default)]
pub struct CatalogBuilder {
    products: Vec<ProductRow>,
    stores: Vec<StoreRow>,
    promotions: Vec<PromotionBuilder>,
    coupons: Vec<CouponBuilder>,
    delivery_bands: Vec<(i64, String)>,
    member_tiers: Vec<(String, Option<String>)>,
    customers: Vec<(String, Option<String>)>,
    discount_ceiling: Option<String>,
}

#[derive(Debug, Clone)]
struct ProductRow {
    sku: String,
    category: String,
    list_price: String,
    active: bool,
}

#[derive(Debug, Clone)]
struct StoreRow {
    id: String,
    lat: f64,
    lon: f64,
    radius_km: f64,
}

/// Where test stores stand by default: People's Square, Shanghai.
pub const TEST_STORE_LOCATION: (f64, f64) = (31.2304, 121.4737);

/// A validity window that covers any clock a test runs with.
const ALWAYS: (&str, &str) = ("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z");

/// A promotion row, built by `a_spend_threshold(..)`, `a_percentage_off(..)`, ...
#[derive(Debug, Clone)]
pub struct PromotionBuilder {
    id: String,
    name: String,
    kind: &'static str,
    target_kind: &'static str,
    target_values: Vec<String>,
    priority: i64,
    stacking: &'static str,
    parameters: Value,
    window: (String, String),
}

fn a_promotion(id: &str, kind: &'static str, parameters: Value) -> PromotionBuilder {
    PromotionBuilder {
        id: id.to_owned(),
        name: id.to_owned(),
        kind,
        target_kind: "everything",
        target_values: Vec::new(),
        priority: 0,
        stacking: "stackable",
        parameters,
        window: (ALWAYS.0.to_owned(), ALWAYS.1.to_owned()),
    }
}

/// 满减 on the whole basket: `tiers` are (spend, off) pairs, e.g. `[("100.00", "10.00")]`.
pub fn a_spend_threshold(id: &str, tiers: &[(&str, &str)]) -> PromotionBuilder {
    let tiers: Vec<Value> = tiers
        .iter()
        .map(|(spend, off)| json!({ "spend": spend, "off": off }))
        .collect();
    a_promotion(id, "spend-threshold-tiers", json!({ "tiers": tiers }))
}

/// A percentage off every line (narrow it with `.on_skus(..)`).
pub fn a_percentage_off(id: &str, percent: &str) -> PromotionBuilder {
    a_promotion(id, "percentage-off", json!({ "percent": percent }))
}

/// Buy `buy` get `get` free.
pub fn a_buy_x_get_y(id: &str, buy: u32, get: u32) -> PromotionBuilder {
    a_promotion(id, "buy-x-get-y", json!({ "buy": buy, "get": get }))
}

/// A flash-sale price with a total cap.
pub fn a_flash_sale(id: &str, price: &str, total_cap: u32) -> PromotionBuilder {
    a_promotion(
        id,
        "flash-sale",
        json!({ "price": price, "total_cap": total_cap }),
    )
}

/// A clearance of `clearance_percent` when the store's stock covers more than `cover_days` of
/// its recent sales (narrow it with `.on_skus(..)`).
pub fn a_stock_markdown(id: &str, clearance_percent: &str, cover_days: u32) -> PromotionBuilder {
    a_promotion(
        id,
        "stock-markdown",
        json!({ "clearance_percent": clearance_percent, "cover_days": cover_days }),
    )
}

/// Free delivery once the goods come to `minimum_spend`.
pub fn a_free_delivery(id: &str, minimum_spend: &str) -> PromotionBuilder {
    a_promotion(
        id,
        "free-delivery",
        json!({ "minimum_spend": minimum_spend }),
    )
}

impl PromotionBuilder {
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn on_skus(mut self, skus: &[&str]) -> Self {
        self.target_kind = "skus";
        self.target_values = skus.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn on_categories(mut self, categories: &[&str]) -> Self {
        self.target_kind = "categories";
        self.target_values = categories.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub fn priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }

    pub fn exclusive(mut self) -> Self {
        self.stacking = "exclusive";
        self
    }
}

/// A coupon row: `a_coupon("WELCOME10").amount_off("10.00")`.
#[derive(Debug, Clone)]
pub struct CouponBuilder {
    code: String,
    kind: &'static str,
    amount: Option<String>,
    percent: Option<String>,
    max_discount: Option<String>,
    minimum_spend: Option<String>,
    total_limit: Option<i64>,
    window: (String, String),
}

/// A coupon worth 10.00 off, valid always, without limits.
pub fn a_coupon(code: &str) -> CouponBuilder {
    CouponBuilder {
        code: code.to_owned(),
        kind: "amount-off",
        amount: Some("10.00".to_owned()),
        percent: None,
        max_discount: None,
        minimum_spend: None,
        total_limit: None,
        window: (ALWAYS.0.to_owned(), ALWAYS.1.to_owned()),
    }
}

impl CouponBuilder {
    /// Redeemable `uses` times in all, by everyone together.
    pub fn used_at_most(mut self, uses: i64) -> Self {
        self.total_limit = Some(uses);
        self
    }

    pub fn amount_off(mut self, amount: &str) -> Self {
        self.kind = "amount-off";
        self.amount = Some(amount.to_owned());
        self
    }

    pub fn percentage_off(mut self, percent: &str, capped_at: Option<&str>) -> Self {
        self.kind = "percentage-off";
        self.percent = Some(percent.to_owned());
        self.max_discount = capped_at.map(str::to_owned);
        self
    }

    pub fn minimum_spend(mut self, amount: &str) -> Self {
        self.minimum_spend = Some(amount.to_owned());
        self
    }

    /// Valid only in 2001.
    pub fn expired(mut self) -> Self {
        self.window = (
            "2001-01-01T00:00:00Z".to_owned(),
            "2002-01-01T00:00:00Z".to_owned(),
        );
        self
    }
}

/// An empty catalog to build on.
pub fn a_catalog() -> CatalogBuilder {
    CatalogBuilder::default()
}

impl CatalogBuilder {
    /// An active product priced 10.00 CNY.
    pub fn with_product(self, sku: &str) -> Self {
        self.with_priced_product(sku, "test", "10.00")
    }

    /// An active product of `category` at `list_price` CNY.
    pub fn with_priced_product(mut self, sku: &str, category: &str, list_price: &str) -> Self {
        self.products.push(ProductRow {
            sku: sku.to_owned(),
            category: category.to_owned(),
            list_price: list_price.to_owned(),
            active: true,
        });
        self
    }

    pub fn with_products(self, skus: &[&str]) -> Self {
        skus.iter().fold(self, |b, sku| b.with_product(sku))
    }

    /// A product that exists but is no longer sold.
    pub fn with_retired_product(mut self, sku: &str) -> Self {
        self.products.push(ProductRow {
            sku: sku.to_owned(),
            category: "test".to_owned(),
            list_price: "10.00".to_owned(),
            active: false,
        });
        self
    }

    /// An open store at People's Square, Shanghai, offering pickup and delivery within 5 km.
    pub fn with_store(self, id: &str) -> Self {
        let (lat, lon) = TEST_STORE_LOCATION;
        self.with_store_at(id, lat, lon, 5.0)
    }

    /// An open store at (`lat`, `lon`) delivering within `radius_km` (0: pickup only).
    pub fn with_store_at(mut self, id: &str, lat: f64, lon: f64, radius_km: f64) -> Self {
        self.stores.push(StoreRow {
            id: id.to_owned(),
            lat,
            lon,
            radius_km,
        });
        self
    }

    pub fn with_promotion(mut self, promotion: PromotionBuilder) -> Self {
        self.promotions.push(promotion);
        self
    }

    pub fn with_coupon(mut self, coupon: CouponBuilder) -> Self {
        self.coupons.push(coupon);
        self
    }

    /// Deliveries up to `up_to_m` metres cost `fee`.
    pub fn with_delivery_band(mut self, up_to_m: i64, fee: &str) -> Self {
        self.delivery_bands.push((up_to_m, fee.to_owned()));
        self
    }

    /// A member tier with a discount off every sku (`None`: no discount).
    pub fn with_member_tier(mut self, id: &str, discount_percent: Option<&str>) -> Self {
        self.member_tiers
            .push((id.to_owned(), discount_percent.map(str::to_owned)));
        self
    }

    /// A customer of a member tier (`None`: no tier).
    pub fn with_customer(mut self, id: &str, tier: Option<&str>) -> Self {
        self.customers
            .push((id.to_owned(), tier.map(str::to_owned)));
        self
    }

    /// The most a quote may take off, as a percentage of its subtotal.
    pub fn with_discount_ceiling(mut self, percent: &str) -> Self {
        self.discount_ceiling = Some(percent.to_owned());
        self
    }
}

impl CatalogBuilder {
    /// Writes the rows into the `default` database of `app` (its migrations already run).
    pub(crate) fn insert_into(&self, app: &SpinApp) {
        let db = app.sqlite("default");
        let text = |v: &str| SqlValue::Text(v.to_owned());
        let optional = |v: &Option<String>| v.as_deref().map_or(SqlValue::Null, text);
        for product in &self.products {
            db.execute(
                "INSERT INTO products (sku, name, category, brand, list_price, active) \
                 VALUES (?, ?, ?, 'Test Brand', ?, ?)",
                &[
                    text(&product.sku),
                    SqlValue::Text(format!("Product {}", product.sku)),
                    text(&product.category),
                    text(&product.list_price),
                    SqlValue::Integer(i64::from(product.active)),
                ],
            )
            .expect("insert product");
        }
        for store in &self.stores {
            db.execute(
                "INSERT INTO stores (id, name, address, city, latitude, longitude, opening_hours, delivery_radius_km) \
                 VALUES (?, ?, '1 Test Rd', 'Shanghai', ?, ?, '{}', ?)",
                &[
                    text(&store.id),
                    SqlValue::Text(format!("Store {}", store.id)),
                    SqlValue::Real(store.lat),
                    SqlValue::Real(store.lon),
                    SqlValue::Real(store.radius_km),
                ],
            )
            .expect("insert store");
        }
        for p in &self.promotions {
            db.execute(
                "INSERT INTO promotions (id, name, kind, starts_at, ends_at, target_kind, \
                 target_values, priority, stacking, parameters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&p.id),
                    text(&p.name),
                    text(p.kind),
                    text(&p.window.0),
                    text(&p.window.1),
                    text(p.target_kind),
                    SqlValue::Text(json!(p.target_values).to_string()),
                    SqlValue::Integer(p.priority),
                    text(p.stacking),
                    SqlValue::Text(p.parameters.to_string()),
                ],
            )
            .expect("insert promotion");
        }
        for c in &self.coupons {
            db.execute(
                "INSERT INTO coupons (code, name, kind, amount, percent, max_discount, \
                 minimum_spend, starts_at, ends_at, total_limit) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&c.code),
                    SqlValue::Text(format!("Coupon {}", c.code)),
                    text(c.kind),
                    optional(&c.amount),
                    optional(&c.percent),
                    optional(&c.max_discount),
                    optional(&c.minimum_spend),
                    text(&c.window.0),
                    text(&c.window.1),
                    c.total_limit.map_or(SqlValue::Null, SqlValue::Integer),
                ],
            )
            .expect("insert coupon");
        }
        for (up_to_m, fee) in &self.delivery_bands {
            db.execute(
                "INSERT INTO delivery_fee_bands (up_to_m, fee) VALUES (?, ?)",
                &[SqlValue::Integer(*up_to_m), text(fee)],
            )
            .expect("insert delivery band");
        }
        for (id, discount) in &self.member_tiers {
            db.execute(
                "INSERT INTO member_tiers (id, name, discount_percent) VALUES (?, ?, ?)",
                &[text(id), text(id), optional(discount)],
            )
            .expect("insert member tier");
        }
        for (id, tier) in &self.customers {
            db.execute(
                "INSERT INTO customers (id, name, tier_id) VALUES (?, ?, ?)",
                &[
                    text(id),
                    SqlValue::Text(format!("Customer {id}")),
                    optional(tier),
                ],
            )
            .expect("insert customer");
        }
        if let Some(percent) = &self.discount_ceiling {
            db.execute(
                "INSERT INTO pricing_settings (name, value) VALUES ('discount_ceiling_percent', ?)",
                &[text(percent)],
            )
            .expect("insert discount ceiling");
        }
    }
}
