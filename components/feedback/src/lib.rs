//! The feedback function (`/feedback/...`): reviews and ratings from verified buyers, the
//! aggregates per product and per store, and the staff queue of complaints. Every rule is
//! `o2o_domain::feedback`'s; this file is the routing table, `wire` the JSON.
//!
//! Reviews are written by the signed-in customer who owns the order (bearer token); a review
//! read by id is its author's, or staff's with `refund-approve` or `reports` (anyone else:
//! 404); product and store pages are public and name no customer. Complaints are after-sales
//! work: read with `refund-approve` or `reports`, resolved with `refund-approve`.

mod wire;

use o2o_domain::auth::Scope;
use o2o_domain::catalog::repository::{product_known, store_known};
use o2o_domain::feedback::ComplaintStatus;
use o2o_domain::feedback::repository::{self as feedback, ReviewsOf, StoredReview};
use o2o_domain::feedback::submission::RatingKind;
use o2o_domain::{Sku, StoreId};
use o2o_edge::auth::{customer, signed_in, staff, staff_any};
use o2o_edge::edge_context::now;
use o2o_edge::json_body::parse_json;
use o2o_edge::query::query_values;
use o2o_edge::respond::{finish, json, page as listed};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use o2o_edge::{ApiError, FieldContext};
use serde_json::json;
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

use wire::{
    FeedbackBody, ResolveBody, complaint_json, feedback_error, public_review_json, review_json,
    submitted_json, summary_json,
};

/// Reviews per page on product and store pages.
const MAX_REVIEWS_PAGE: u32 = 50;
const DEFAULT_REVIEWS_PAGE: u32 = 10;
/// Complaints per page of the staff queue.
const MAX_COMPLAINTS_PAGE: u32 = 100;
const DEFAULT_COMPLAINTS_PAGE: u32 = 20;
/// Staff who read complaints and any review by id.
const AFTER_SALES_READERS: &[Scope] = &[Scope::RefundApprove, Scope::Reports];

#[http_component]
fn handle(req: Request) -> Response {
    serve("feedback", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/feedback", |r, p| finish(submit(r, p)));
    router.get("/feedback/products/:sku", |r, p| finish(product_page(r, p)));
    router.get("/feedback/stores/:id", |r, p| finish(store_page(r, p)));
    router.get("/feedback/reviews/:id", |r, p| finish(get_review(r, p)));
    router.get("/feedback/complaints", |r, p| finish(complaint_queue(r, p)));
    router.get("/feedback/complaints/:id", |r, p| {
        finish(get_complaint(r, p))
    });
    router.post("/feedback/complaints/:id/resolve", |r, p| {
        finish(resolve_complaint(r, p))
    });
    refuse_unrouted(
        &mut router,
        &[
            "/feedback",
            "/feedback/products/:sku",
            "/feedback/stores/:id",
            "/feedback/reviews/:id",
            "/feedback/complaints",
            "/feedback/complaints/:id",
            "/feedback/complaints/:id/resolve",
        ],
        "feedback",
    );
    router.handle(req)
}

/// `POST /feedback`: the owner of a delivered or collected order reviews its lines, rates the
/// store's service and the delivery; a low rating or an explicit complaint opens a complaint.
fn submit(req: Request, _: Params) -> Result<Response, ApiError> {
    let customer = customer(&req)?;
    let body: FeedbackBody = parse_json(&req)?;
    let submission = body.parse(customer)?;
    let db = SpinSql::open_default()?;
    let submitted = feedback::submit(&db, &submission, now()).map_err(feedback_error)?;
    json(201, &submitted_json(&submitted))
}

/// One value of a query key, or none; the key twice is a 400 naming it.
fn one(query: &str, key: &str) -> Result<Option<String>, ApiError> {
    let mut values = query_values(query, key);
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.pop()),
        _ => Err(ApiError::invalid_field(key, "give it once")),
    }
}

/// `limit` (1 to `max`, `default` without it) and `cursor` (an id of the previous page).
fn page(query: &str, max: u32, default: u32) -> Result<(u32, Option<String>), ApiError> {
    let limit = match one(query, "limit")? {
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::invalid_field("limit", format!("1 to {max}")))?,
        None => default,
    };
    let cursor = one(query, "cursor")?
        .map(|raw| {
            feedback::parse_id(&raw)
                .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor of this list"))
        })
        .transpose()?;
    Ok((limit, cursor))
}

/// A page of public reviews with the cursor of the next one (`null` on the last): the list
/// envelope, to which the product's or store's page adds its ratings.
fn reviews_page(mut reviews: Vec<StoredReview>, limit: u32) -> serde_json::Value {
    let next_cursor = (reviews.len() > limit as usize).then(|| {
        reviews.truncate(limit as usize);
        reviews.last().map(|r| r.id.clone())
    });
    json!({
        "items": reviews.iter().map(public_review_json).collect::<Vec<_>>(),
        "next_cursor": next_cursor.flatten(),
    })
}

/// `GET /feedback/products/{sku}?limit=&cursor=`: the product's ratings over every store and
/// its reviews, newest first.
fn product_page(req: Request, params: Params) -> Result<Response, ApiError> {
    let sku = Sku::parse(params.get("sku").unwrap_or_default()).field("sku")?;
    let (limit, cursor) = page(req.query(), MAX_REVIEWS_PAGE, DEFAULT_REVIEWS_PAGE)?;
    let db = SpinSql::open_default()?;
    if !product_known(&db, &sku)? {
        return Err(ApiError::not_found(format!("no product {}", sku.as_str())));
    }
    let summary = feedback::product_summary(&db, &sku)?;
    let reviews =
        feedback::recent_reviews(&db, ReviewsOf::Product(&sku), cursor.as_deref(), limit + 1)?;
    let mut body = reviews_page(reviews, limit);
    body["sku"] = json!(sku.as_str());
    body["ratings"] = summary_json(&summary);
    json(200, &body)
}

/// `GET /feedback/stores/{id}?limit=&cursor=`: the store's service and delivery ratings, the
/// ratings of the goods it sold, and those goods' reviews, newest first.
fn store_page(req: Request, params: Params) -> Result<Response, ApiError> {
    let store = StoreId::parse(params.get("id").unwrap_or_default()).field("id")?;
    let (limit, cursor) = page(req.query(), MAX_REVIEWS_PAGE, DEFAULT_REVIEWS_PAGE)?;
    let db = SpinSql::open_default()?;
    if !store_known(&db, &store)? {
        return Err(ApiError::not_found(format!("no store {}", store.as_str())));
    }
    let service = feedback::store_rating_summary(&db, &store, RatingKind::StoreService)?;
    let delivery = feedback::store_rating_summary(&db, &store, RatingKind::Delivery)?;
    let products = feedback::store_products_summary(&db, &store)?;
    let reviews =
        feedback::recent_reviews(&db, ReviewsOf::Store(&store), cursor.as_deref(), limit + 1)?;
    let mut body = reviews_page(reviews, limit);
    body["store_id"] = json!(store.as_str());
    body["service"] = summary_json(&service);
    body["delivery"] = summary_json(&delivery);
    body["products"] = summary_json(&products);
    json(200, &body)
}

/// `GET /feedback/complaints?status=open|resolved&limit=&cursor=` (staff): oldest first.
fn complaint_queue(req: Request, _: Params) -> Result<Response, ApiError> {
    staff_any(&req, AFTER_SALES_READERS)?;
    let status = one(req.query(), "status")?
        .map(|raw| {
            ComplaintStatus::parse(&raw)
                .ok_or_else(|| ApiError::invalid_field("status", "open or resolved"))
        })
        .transpose()?;
    let (limit, cursor) = page(req.query(), MAX_COMPLAINTS_PAGE, DEFAULT_COMPLAINTS_PAGE)?;
    let db = SpinSql::open_default()?;
    let mut items = feedback::complaints(&db, status, cursor.as_deref(), limit + 1)?;
    let next_cursor = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|c| c.id.clone())
    });
    let items: Vec<_> = items.iter().map(complaint_json).collect();
    listed(&items, next_cursor.flatten())
}

fn path_complaint_id(params: &Params) -> Result<String, ApiError> {
    params
        .get("id")
        .and_then(feedback::parse_id)
        .ok_or_else(|| ApiError::not_found("no such complaint"))
}

/// `GET /feedback/reviews/{id}`: a review as its author wrote it (with its order), for the
/// author and after-sales staff; to anyone else it does not exist.
fn get_review(req: Request, params: Params) -> Result<Response, ApiError> {
    let caller = signed_in(&req)?;
    let not_found = || ApiError::not_found("no such review");
    let id = params
        .get("id")
        .and_then(feedback::parse_id)
        .ok_or_else(not_found)?;
    let db = SpinSql::open_default()?;
    let review = feedback::review(&db, &id)?
        .filter(|review| {
            caller.may_see_owned_by(Some(review.customer_id.as_str()), AFTER_SALES_READERS)
        })
        .ok_or_else(not_found)?;
    json(200, &review_json(&review))
}

/// `GET /feedback/complaints/{id}` (staff).
fn get_complaint(req: Request, params: Params) -> Result<Response, ApiError> {
    staff_any(&req, AFTER_SALES_READERS)?;
    let id = path_complaint_id(&params)?;
    let db = SpinSql::open_default()?;
    let complaint =
        feedback::complaint(&db, &id)?.ok_or_else(|| ApiError::not_found("no such complaint"))?;
    json(200, &complaint_json(&complaint))
}

/// `POST /feedback/complaints/{id}/resolve` (staff) with `{"note"}`: open → resolved, audited.
fn resolve_complaint(req: Request, params: Params) -> Result<Response, ApiError> {
    let staff = staff(&req, Scope::RefundApprove)?.id;
    let id = path_complaint_id(&params)?;
    let body: ResolveBody = parse_json(&req)?;
    let note = body.note()?;
    let db = SpinSql::open_default()?;
    let complaint = feedback::resolve(&db, &id, &staff, &note, now()).map_err(feedback_error)?;
    json(200, &complaint_json(&complaint))
}
