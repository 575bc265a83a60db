//! The access function (`/admin/api-keys/...`, `/admin/audit`): admins make, list and revoke
//! the API keys of staff and integrators, and read the audit log of every staff write. A new
//! key's text is in the answer to the request that made it and nowhere else; the shop keeps
//! its SHA-256 (`o2o_domain::auth::keys`). Every route needs the `admin` scope: the first
//! admin key is the Spin variable `admin_api_key`, and it makes the others.

use o2o_domain::auth::keys::{self, AuditEntry, AuditQuery, KeyError, KeyRecord, MAX_NAME_CHARS};
use o2o_domain::auth::{Scope, Scopes};
use o2o_edge::auth::staff;
use o2o_edge::edge_context::{now, random_bytes};
use o2o_edge::json_body::parse_json;
use o2o_edge::query::query_pairs;
use o2o_edge::respond::{created, finish, json, page};
use o2o_edge::routing::refuse_unrouted;
use o2o_edge::serve::serve;
use o2o_edge::spin_store::SpinSql;
use o2o_edge::{ApiError, FieldContext};
use serde::Deserialize;
use serde_json::{Value, json};
use spin_sdk::http::{Params, Request, Response, Router};
use spin_sdk::http_component;

/// Longest page of keys or audit entries, and the default.
const MAX_LIMIT: u32 = 500;
const DEFAULT_LIMIT: u32 = 100;

#[http_component]
fn handle(req: Request) -> Response {
    serve("access", req, routing_table)
}

/// The routing table.
fn routing_table(req: Request) -> Response {
    let mut router = Router::new();
    router.post("/admin/api-keys", |r, p| finish(create(r, p)));
    router.get("/admin/api-keys", |r, p| finish(list(r, p)));
    router.get("/admin/api-keys/:id", |r, p| finish(get(r, p)));
    router.delete("/admin/api-keys/:id", |r, p| finish(revoke(r, p)));
    router.get("/admin/audit", |r, p| finish(audit(r, p)));
    refuse_unrouted(
        &mut router,
        &["/admin/api-keys", "/admin/api-keys/:id", "/admin/audit"],
        "access",
    );
    router.handle(req)
}

/// `POST /admin/api-keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateKey {
    name: String,
    scopes: Vec<String>,
}

fn key_json(record: &KeyRecord) -> Value {
    json!({
        "id": record.id,
        "label": record.label,
        "name": record.name,
        "scopes": record.scopes.names(),
        "created_by": record.created_by,
        "created_at": record.created_at,
        "revoked_by": record.revoked_by,
        "revoked_at": record.revoked_at,
    })
}

fn key_error(err: KeyError) -> ApiError {
    match err {
        KeyError::NotFound(id) => ApiError::not_found(format!("no API key {id}")),
        KeyError::BadName => ApiError::invalid_field(
            "name",
            format!("a key's name is 1 to {MAX_NAME_CHARS} characters"),
        ),
        KeyError::Store(e) => ApiError::Storage(e),
    }
}

/// `POST /admin/api-keys` `{"name", "scopes"}` → 201 with the key, shown this once.
fn create(req: Request, _: Params) -> Result<Response, ApiError> {
    let admin = staff(&req, Scope::Admin)?;
    let body: CreateKey = parse_json(&req)?;
    let scopes = Scopes::parse(&body.scopes).field("scopes")?;
    let db = SpinSql::open_default()?;
    let (record, key) =
        keys::create_key(&db, &body.name, &scopes, &admin.id, random_bytes()?, now())
            .map_err(key_error)?;
    let mut answer = key_json(&record);
    answer["key"] = Value::String(key.as_str().to_owned());
    let mut response = created(&format!("/admin/api-keys/{}", record.id), &answer)?;
    response.set_header("cache-control", "no-store");
    Ok(response)
}

/// `GET /admin/api-keys?cursor=&limit=` → a page of the keys in creation order, without their
/// text.
fn list(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Admin)?;
    let mut after = String::new();
    let mut limit = DEFAULT_LIMIT;
    for (key, value) in query_pairs(req.query()) {
        match key.as_str() {
            "cursor" => after = value,
            "limit" => limit = page_limit(&value)?,
            _ => return Err(ApiError::invalid_field(key, "unknown query parameter")),
        }
    }
    let keys = keys::list_keys(&SpinSql::open_default()?, &after, limit)?;
    let next = (keys.len() == limit as usize)
        .then(|| keys.last().map(|k| k.id.clone()))
        .flatten();
    page(&keys.iter().map(key_json).collect::<Vec<_>>(), next)
}

/// `GET /admin/api-keys/{id}`.
fn get(req: Request, params: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Admin)?;
    let id = params.get("id").unwrap_or_default();
    let record = keys::find_key(&SpinSql::open_default()?, id)?
        .ok_or_else(|| ApiError::not_found(format!("no API key {id}")))?;
    json(200, &key_json(&record))
}

/// `DELETE /admin/api-keys/{id}` → 200 with the revoked key; it opens nothing from now on.
fn revoke(req: Request, params: Params) -> Result<Response, ApiError> {
    let admin = staff(&req, Scope::Admin)?;
    let id = params.get("id").unwrap_or_default();
    let record =
        keys::revoke_key(&SpinSql::open_default()?, id, &admin.id, now()).map_err(key_error)?;
    json(200, &key_json(&record))
}

/// `GET /admin/audit?actor=&action=&subject=&cursor=&limit=` → a page of entries in the order
/// they were written; `action` matches a prefix (`stock.` is every stock action).
fn audit(req: Request, _: Params) -> Result<Response, ApiError> {
    staff(&req, Scope::Admin)?;
    let mut query = AuditQuery {
        limit: DEFAULT_LIMIT,
        ..AuditQuery::default()
    };
    for (key, value) in query_pairs(req.query()) {
        match key.as_str() {
            "actor" => query.actor = Some(value),
            "action" => query.action_prefix = Some(value),
            "subject" => query.subject = Some(value),
            "cursor" => {
                query.after_id = value
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id >= 0)
                    .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor"))?;
            }
            "limit" => query.limit = page_limit(&value)?,
            _ => return Err(ApiError::invalid_field(key, "unknown query parameter")),
        }
    }
    let entries = keys::read_audit(&SpinSql::open_default()?, &query)?;
    let next = (entries.len() == query.limit as usize)
        .then(|| entries.last().map(|e| e.id.to_string()))
        .flatten();
    page(&entries.iter().map(entry_json).collect::<Vec<_>>(), next)
}

fn entry_json(entry: &AuditEntry) -> Value {
    json!({
        "id": entry.id,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": entry.before,
        "after": entry.after,
        "at": entry.at,
    })
}

fn page_limit(raw: &str) -> Result<u32, ApiError> {
    raw.parse::<u32>()
        .ok()
        .filter(|l| (1..=MAX_LIMIT).contains(l))
        .ok_or_else(|| ApiError::invalid_field("limit", format!("must be 1 to {MAX_LIMIT}")))
}
