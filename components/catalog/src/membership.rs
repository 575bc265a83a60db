//! Routes of membership (`/admin/member-tiers/...`, `/admin/customers/...`): member tiers and
//! their tier prices, customers and their tier. A tier has no `active` flag in the schema:
//! `DELETE` removes it (and its tier prices) once no customer is on it, else 409. Customers
//! are never removed (orders refer to them); `"tier_id": null` ends a membership. The rules
//! are `o2o_domain::catalog::members`', the SQL `o2o_domain::catalog::repository`'s.

use o2o_domain::catalog::repository as catalog;
use o2o_domain::catalog::{
    CustomerDraft, MemberTierDraft, PriceDraft, parse_customer_id, parse_price, parse_sku,
    parse_tier_id,
};
use o2o_edge::ApiError;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::respond::{created, json, no_content, page};
use o2o_edge::spin_store::SpinSql;
use spin_sdk::http::{Params, Request, Response};

use crate::wire::{
    READERS, Scope, catalog_error, change_by, create_body, found, list_query, listed, param,
    path_not_found, staff, staff_any,
};

// ---- member tiers ----

pub fn create_tier(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (id_raw, rest) = create_body(&req, "id", "a member tier id")?;
    let draft: MemberTierDraft = decode_json(&rest)?;
    let id = parse_tier_id("id", &id_raw).map_err(catalog_error)?;
    let tier = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let row = catalog::create_member_tier(&db, &change_by(&actor), &tier).map_err(catalog_error)?;
    created(&format!("/admin/member-tiers/{}", tier.id.as_str()), &row)
}

pub fn list_tiers(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &[])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_member_tiers(&db, &query).map_err(catalog_error)?)
}

pub fn get_tier(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    found(
        catalog::get_member_tier(&db, &id).map_err(catalog_error)?,
        "such member tier",
    )
}

pub fn replace_tier(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let draft: MemberTierDraft = parse_json(&req)?;
    let tier = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    json(
        200,
        &catalog::replace_member_tier(&db, &change_by(&actor), &tier).map_err(catalog_error)?,
    )
}

pub fn remove_tier(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    catalog::remove_member_tier(&db, &change_by(&actor), &id).map_err(catalog_error)?;
    Ok(no_content())
}

// ---- tier prices ----

pub fn list_tier_prices(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    if catalog::get_member_tier(&db, &id)
        .map_err(catalog_error)?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "no member tier {}",
            id.as_str()
        )));
    }
    let prices = catalog::list_tier_prices(&db, &id).map_err(catalog_error)?;
    page(&prices, None)
}

pub fn set_tier_price(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let draft: PriceDraft = parse_json(&req)?;
    let price = parse_price("price", &draft.price).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let row = catalog::set_tier_price(&db, &change_by(&actor), &id, &sku, &price)
        .map_err(catalog_error)?;
    json(200, &row)
}

pub fn remove_tier_price(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_tier_id("id", param(&params, "id")).map_err(path_not_found)?;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    catalog::remove_tier_price(&db, &change_by(&actor), &id, &sku).map_err(catalog_error)?;
    Ok(no_content())
}

// ---- customers ----

pub fn create_customer(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (id_raw, rest) = create_body(&req, "id", "a customer id")?;
    let draft: CustomerDraft = decode_json(&rest)?;
    let id = parse_customer_id("id", &id_raw).map_err(catalog_error)?;
    let customer = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let row =
        catalog::create_customer(&db, &change_by(&actor), &customer).map_err(catalog_error)?;
    created(&format!("/admin/customers/{}", customer.id.as_str()), &row)
}

pub fn list_customers(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &["tier_id"])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_customers(&db, &query).map_err(catalog_error)?)
}

pub fn get_customer(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let id = parse_customer_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    found(
        catalog::get_customer(&db, &id).map_err(catalog_error)?,
        "such customer",
    )
}

pub fn replace_customer(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_customer_id("id", param(&params, "id")).map_err(path_not_found)?;
    let draft: CustomerDraft = parse_json(&req)?;
    let customer = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    json(
        200,
        &catalog::replace_customer(&db, &change_by(&actor), &customer).map_err(catalog_error)?,
    )
}
