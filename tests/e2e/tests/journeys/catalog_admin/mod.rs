//! The operators' catalog through the built `o2o_catalog.wasm`: products, stores, member
//! tiers, customers and coupons created, read, updated, deactivated (or removed) and listed
//! page by page; a promotion, a price change, a tier price, a customer's move to another tier
//! and a coupon made through the API taken up by the very next quote; bad input refused
//! naming the field with nothing written; duplicates refused; every write audited with the row
//! before and after.
//!
//! One file per part of the catalog (`products_and_stores`, `prices_and_promotions`,
//! `member_tiers_and_customers`, `coupons`), and one for each rule all parts keep alike
//! (`bad_input_and_duplicates`, `api_keys_and_audit`). Helpers more than one file uses are here.

mod api_keys_and_audit;
mod bad_input_and_duplicates;
mod coupons;
mod member_tiers_and_customers;
mod prices_and_promotions;
mod products_and_stores;

use serde_json::Value;

/// The ids (or codes) of a list page, in order.
fn ids_of(page: &Value, key: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[key].as_str().expect("an id").to_owned())
        .collect()
}
