//! Routes of coupons (`/admin/coupons/...`). Codes are read in any case and kept upper case,
//! as customers' codes are (`/admin/coupons/save10` is `SAVE10`); `"active": false` stops a
//! coupon for every later quote. The rules are `o2o_domain::catalog::coupons`', the SQL
//! `o2o_domain::catalog::repository`'s.

use o2o_domain::catalog::repository as catalog;
use o2o_domain::catalog::{CouponDraft, parse_coupon_code};
use o2o_edge::ApiError;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::respond::{created, json};
use o2o_edge::spin_store::SpinSql;
use spin_sdk::http::{Params, Request, Response};

use crate::wire::{
    READERS, Scope, catalog_error, change_by, create_body, found, list_query, listed, param,
    path_not_found, staff, staff_any,
};

pub fn create(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (code_raw, rest) = create_body(&req, "code", "a coupon code")?;
    let draft: CouponDraft = decode_json(&rest)?;
    let code = parse_coupon_code("code", &code_raw).map_err(catalog_error)?;
    let coupon = draft.validate(code).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let row = catalog::create_coupon(&db, &change_by(&actor), &coupon).map_err(catalog_error)?;
    created(&format!("/admin/coupons/{}", coupon.code.as_str()), &row)
}

pub fn list(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &["kind", "active"])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_coupons(&db, &query).map_err(catalog_error)?)
}

pub fn get(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let code = parse_coupon_code("code", param(&params, "code")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    found(
        catalog::get_coupon(&db, &code).map_err(catalog_error)?,
        "such coupon",
    )
}

pub fn replace(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let code = parse_coupon_code("code", param(&params, "code")).map_err(path_not_found)?;
    let draft: CouponDraft = parse_json(&req)?;
    let coupon = draft.validate(code).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    json(
        200,
        &catalog::replace_coupon(&db, &change_by(&actor), &coupon).map_err(catalog_error)?,
    )
}
