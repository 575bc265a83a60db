//! The operators' catalog (`/admin/...`): products, stores, store price overrides and
//! promotions (here), member tiers with their tier prices and customers (`membership`), and
//! coupons (`coupons`). Create is `POST` (201 + `Location`), update is `PUT` of the whole
//! resource (`"active": false` deactivates products, stores, promotions and coupons, which are
//! never deleted; a member tier is removed once no customer is on it; customers are never
//! removed), get and list (`?limit=&cursor=` plus filters). Every rule is
//! `o2o_domain::catalog`'s and every write one audited transaction of
//! `o2o_domain::catalog::repository`; this file is the routing table. Writes need an API key
//! with the scope `catalog` (its id is the audit log's actor); reads take `catalog` or
//! `reports`.

mod coupons;
mod membership;
mod wire;

use o2o_domain::catalog::repository as catalog;
use o2o_domain::catalog::{
    CatalogError, PriceDraft, ProductDraft, PromotionDraft, StoreDraft, parse_price, parse_sku,
    parse_store_id,
};
use o2o_domain::pricing::PromotionId;
use o2o_edge::ApiError;
use o2o_edge::json_body::{decode_json, parse_json};
use o2o_edge::respond::{created, finish, json, no_content, page};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{
    READERS, Scope, catalog_error, change_by, create_body, found, list_query, listed, param,
    path_not_found, staff, staff_any,
};

#[http_component]
fn handle(req: Request) -> Response {
    serve("catalog", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/admin/products", |r, p| finish(create_product(r, p)));
    router.get("/admin/products", |r, p| finish(list_products(r, p)));
    router.get("/admin/products/:sku", |r, p| finish(get_product(r, p)));
    router.put("/admin/products/:sku", |r, p| finish(replace_product(r, p)));
    router.post("/admin/stores", |r, p| finish(create_store(r, p)));
    router.get("/admin/stores", |r, p| finish(list_stores(r, p)));
    router.get("/admin/stores/:id", |r, p| finish(get_store(r, p)));
    router.put("/admin/stores/:id", |r, p| finish(replace_store(r, p)));
    router.get("/admin/stores/:id/prices", |r, p| {
        finish(list_store_prices(r, p))
    });
    router.put("/admin/stores/:id/prices/:sku", |r, p| {
        finish(set_store_price(r, p))
    });
    router.delete("/admin/stores/:id/prices/:sku", |r, p| {
        finish(remove_store_price(r, p))
    });
    router.post("/admin/promotions", |r, p| finish(create_promotion(r, p)));
    router.get("/admin/promotions", |r, p| finish(list_promotions(r, p)));
    router.get("/admin/promotions/:id", |r, p| finish(get_promotion(r, p)));
    router.put("/admin/promotions/:id", |r, p| {
        finish(replace_promotion(r, p))
    });
    router.post("/admin/member-tiers", |r, p| {
        finish(membership::create_tier(r, p))
    });
    router.get("/admin/member-tiers", |r, p| {
        finish(membership::list_tiers(r, p))
    });
    router.get("/admin/member-tiers/:id", |r, p| {
        finish(membership::get_tier(r, p))
    });
    router.put("/admin/member-tiers/:id", |r, p| {
        finish(membership::replace_tier(r, p))
    });
    router.delete("/admin/member-tiers/:id", |r, p| {
        finish(membership::remove_tier(r, p))
    });
    router.get("/admin/member-tiers/:id/prices", |r, p| {
        finish(membership::list_tier_prices(r, p))
    });
    router.put("/admin/member-tiers/:id/prices/:sku", |r, p| {
        finish(membership::set_tier_price(r, p))
    });
    router.delete("/admin/member-tiers/:id/prices/:sku", |r, p| {
        finish(membership::remove_tier_price(r, p))
    });
    router.post("/admin/customers", |r, p| {
        finish(membership::create_customer(r, p))
    });
    router.get("/admin/customers", |r, p| {
        finish(membership::list_customers(r, p))
    });
    router.get("/admin/customers/:id", |r, p| {
        finish(membership::get_customer(r, p))
    });
    router.put("/admin/customers/:id", |r, p| {
        finish(membership::replace_customer(r, p))
    });
    router.post("/admin/coupons", |r, p| finish(coupons::create(r, p)));
    router.get("/admin/coupons", |r, p| finish(coupons::list(r, p)));
    router.get("/admin/coupons/:code", |r, p| finish(coupons::get(r, p)));
    router.put("/admin/coupons/:code", |r, p| {
        finish(coupons::replace(r, p))
    });
    refuse_unrouted(
        &mut router,
        &[
            "/admin/products",
            "/admin/products/:sku",
            "/admin/stores",
            "/admin/stores/:id",
            "/admin/stores/:id/prices",
            "/admin/stores/:id/prices/:sku",
            "/admin/promotions",
            "/admin/promotions/:id",
            "/admin/member-tiers",
            "/admin/member-tiers/:id",
            "/admin/member-tiers/:id/prices",
            "/admin/member-tiers/:id/prices/:sku",
            "/admin/customers",
            "/admin/customers/:id",
            "/admin/coupons",
            "/admin/coupons/:code",
        ],
        "catalog",
    );
    router.handle(req)
}

// ---- products ----

fn create_product(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (sku_raw, rest) = create_body(&req, "sku", "a sku code")?;
    let draft: ProductDraft = decode_json(&rest)?;
    let sku = parse_sku("sku", &sku_raw).map_err(catalog_error)?;
    let product = draft.validate(sku).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    let row = catalog::create_product(&db, &change, &product).map_err(catalog_error)?;
    created(&format!("/admin/products/{}", product.sku.as_str()), &row)
}

fn list_products(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &["category", "brand", "active"])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_products(&db, &query).map_err(catalog_error)?)
}

fn get_product(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    found(
        catalog::get_product(&db, &sku).map_err(catalog_error)?,
        "such product",
    )
}

fn replace_product(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let draft: ProductDraft = parse_json(&req)?;
    let product = draft.validate(sku).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    json(
        200,
        &catalog::replace_product(&db, &change, &product).map_err(catalog_error)?,
    )
}

// ---- stores ----

fn create_store(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (id_raw, rest) = create_body(&req, "id", "a store id")?;
    let draft: StoreDraft = decode_json(&rest)?;
    let id = parse_store_id("id", &id_raw).map_err(catalog_error)?;
    let store = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    let row = catalog::create_store(&db, &change, &store).map_err(catalog_error)?;
    created(&format!("/admin/stores/{}", store.id.as_str()), &row)
}

fn list_stores(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &["city", "active"])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_stores(&db, &query).map_err(catalog_error)?)
}

fn get_store(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let id = parse_store_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    found(
        catalog::get_store(&db, &id).map_err(catalog_error)?,
        "such store",
    )
}

fn replace_store(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_store_id("id", param(&params, "id")).map_err(path_not_found)?;
    let draft: StoreDraft = parse_json(&req)?;
    let store = draft.validate(id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    json(
        200,
        &catalog::replace_store(&db, &change, &store).map_err(catalog_error)?,
    )
}

// ---- store price overrides ----

fn list_store_prices(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let id = parse_store_id("id", param(&params, "id")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    let prices = catalog::list_store_prices(&db, &id).map_err(catalog_error)?;
    page(&prices, None)
}

fn set_store_price(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_store_id("id", param(&params, "id")).map_err(path_not_found)?;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let draft: PriceDraft = parse_json(&req)?;
    let price = parse_price("price", &draft.price).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    let row = catalog::set_store_price(&db, &change, &id, &sku, &price).map_err(catalog_error)?;
    json(200, &row)
}

fn remove_store_price(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let id = parse_store_id("id", param(&params, "id")).map_err(path_not_found)?;
    let sku = parse_sku("sku", param(&params, "sku")).map_err(path_not_found)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    catalog::remove_store_price(&db, &change, &id, &sku).map_err(catalog_error)?;
    Ok(no_content())
}

// ---- promotions ----

fn create_promotion(req: Request, _: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let (id, rest) = create_body(&req, "id", "a promotion id")?;
    let draft: PromotionDraft = decode_json(&rest)?;
    let promotion = draft.validate(&id).map_err(catalog_error)?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    let row = catalog::create_promotion(&db, &change, &promotion).map_err(catalog_error)?;
    created(
        &format!("/admin/promotions/{}", promotion.id.as_str()),
        &row,
    )
}

fn list_promotions(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    let query = list_query(req.query(), &["kind", "active"])?;
    let db = SpinSql::open_default()?;
    listed(catalog::list_promotions(&db, &query).map_err(catalog_error)?)
}

fn get_promotion(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, READERS)?;
    // An id that cannot be a promotion's names none.
    let Ok(id) = PromotionId::parse(param(&params, "id")) else {
        return Err(ApiError::not_found("no such promotion"));
    };
    let db = SpinSql::open_default()?;
    let promotion = catalog::get_promotion(&db, &id).map_err(catalog_error)?;
    found(promotion, "such promotion")
}

fn replace_promotion(req: Request, params: Params) -> Result<Response, ApiError> {
    let actor = staff(&req, Scope::Catalog)?.id;
    let draft: PromotionDraft = parse_json(&req)?;
    let promotion = draft
        .validate(param(&params, "id"))
        .map_err(path_not_found_or(catalog_error))?;
    let db = SpinSql::open_default()?;
    let change = change_by(&actor);
    json(
        200,
        &catalog::replace_promotion(&db, &change, &promotion).map_err(catalog_error)?,
    )
}

/// An id in the path that cannot be a promotion id is not found; other problems are the body's.
fn path_not_found_or(otherwise: fn(CatalogError) -> ApiError) -> impl Fn(CatalogError) -> ApiError {
    move |error| match &error {
        CatalogError::Invalid { field, .. } if field == "id" => {
            ApiError::not_found("no such promotion")
        }
        _ => otherwise(error),
    }
}
